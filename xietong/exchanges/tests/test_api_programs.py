"""Programs, offers and matching runs over HTTP, with the "my result" endpoint."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from xietong.api_tests.conftest import Api, assert_error
from xietong.core.terms import SchoolTerm
from xietong.exchanges.tests.conftest import Ex, approve, close, program_data

pytestmark = pytest.mark.urls("xietong.exchanges.tests.urls")
A = "/api/exchanges"


@pytest.fixture
def api(ex: Ex) -> Api:
    return Api(ex.cast)


def jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def test_it_creates_changes_and_repeats_a_program(api: Api, ex: Ex) -> None:
    data = jsonable(program_data(ex.sanhe_bureau, title="新项目"))
    r = api.post(f"{A}/programs", data, as_="sanhe")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["status"] == "draft" and r.json()["can_manage"] is True
    r = api.patch(f"{A}/programs/{pk}", {"title": "新项目（修订）", "max_choices": 3}, as_="sanhe")
    assert r.status_code == 200 and r.json()["title"] == "新项目（修订）"
    # A draft is seen by its managers only: to anyone else it does not exist.
    assert_error(api.patch(f"{A}/programs/{pk}", {"title": "x"}, as_="tongzhou"), 404)
    body = assert_error(api.patch(f"{A}/programs/{pk}", {"max_choices": 0}, as_="sanhe"), 422)
    assert body["fields"]
    body = assert_error(
        api.patch(f"{A}/programs/{pk}", {"ends_on": "2020-01-01"}, as_="sanhe"), 422
    )
    assert "ends_on" in body["fields"]
    r = api.post(f"{A}/programs/{pk}/status", {"status": "open"}, as_="sanhe")
    assert r.status_code == 200 and r.json()["status"] == "open"
    assert_error(api.post(f"{A}/programs/{pk}/status", {"status": "finished"}, as_="sanhe"), 409)
    r = api.post(f"{A}/programs/{ex.program.pk}/repeat", {}, as_="sanhe")
    assert r.status_code == 201, r.content
    assert r.json()["school_term"]["code"] == "2024-2025-2"
    assert (r.json()["school_year"], r.json()["term"]) == ("2024-2025", 2)
    assert len(api.get(f"{A}/programs/{r.json()['id']}/offers", as_="sanhe").json()) == 1
    assert_error(api.post(f"{A}/programs/{ex.program.pk}/repeat", {}, as_="sanhe"), 409)
    assert_error(api.post(f"{A}/programs/{ex.program.pk}/repeat", {}, as_="tongzhou"), 403)


def test_it_refuses_bad_programs_with_fields(api: Api, ex: Ex) -> None:
    data = jsonable(program_data(ex.sanhe_bureau, school_term="2024-2026-1"))
    body = assert_error(api.post(f"{A}/programs", data, as_="sanhe"), 422)
    assert "school_term" in body["fields"]
    # A start outside the term the program claims (2024–2025 term 1 runs until February).
    data = jsonable(
        program_data(ex.sanhe_bureau, school_term="2024-2025-2", starts_on=dt.date(2024, 9, 2))
    )
    body = assert_error(api.post(f"{A}/programs", data, as_="sanhe"), 422)
    assert list(body["fields"]) == ["starts_on"]
    assert "2025-02-" in body["fields"]["starts_on"][0]
    data = jsonable(program_data(ex.sanhe_bureau, sending_areas=["nowhere"]))
    body = assert_error(api.post(f"{A}/programs", data, as_="sanhe"), 422)
    assert "sending_areas" in body["fields"]
    data = jsonable(program_data(ex.cast.tongzhou_school))
    body = assert_error(api.post(f"{A}/programs", data, as_="sanhe"), 422)
    assert "organiser" in body["fields"]
    body = assert_error(api.post(f"{A}/programs", {"kind": "party"}, as_="sanhe"), 422)
    assert body["fields"]
    data = jsonable(program_data(ex.sanhe_bureau))
    assert_error(api.post(f"{A}/programs", data, as_="teacher"), 403)
    assert_error(api.get(f"{A}/programs/999999", as_="sanhe"), 404, "not_found")


def test_it_manages_offers(api: Api, ex: Ex) -> None:
    url = f"{A}/programs/{ex.program.pk}/offers"
    slots = [{"stage": "primary", "subject": "语文", "capacity": 1}]
    assert_error(
        api.post(url, {"host": ex.cast.tongzhou_school.pk, "slots": slots}, as_="sanhe"), 403
    )
    body = assert_error(
        api.post(
            url,
            {"host": ex.cast.tongzhou_school.pk, "slots": [{**slots[0], "stage": "x"}]},
            as_="tongzhou",
        ),
        422,
    )
    assert "slots.0.stage" in body["fields"]
    r = api.post(url, {"host": ex.cast.tongzhou_school.pk, "slots": slots}, as_="tongzhou")
    assert r.status_code == 201, r.content
    offer = r.json()
    slot = offer["slots"][0]["id"]
    r = api.patch(f"{A}/offers/{offer['id']}", {"capacities": {str(slot): 4}}, as_="tongzhou")
    assert r.status_code == 200 and r.json()["slots"][0]["capacity"] == 4
    body = assert_error(
        api.patch(
            f"{A}/offers/{offer['id']}", {"mentor": ex.cast.sanhe_teacher.pk}, as_="tongzhou"
        ),
        422,
    )
    assert "mentor" in body["fields"]
    assert_error(api.delete(f"{A}/offers/{offer['id']}", as_="sanhe"), 403)
    r = api.delete(f"{A}/offers/{offer['id']}", as_="tongzhou")
    assert r.status_code == 204
    assert_error(api.get(f"{A}/offers/{offer['id']}", as_="tongzhou"), 404)
    api.post(
        f"{A}/programs/{ex.program.pk}/applications", {"choices": [ex.offer.pk]}, as_="teacher"
    )
    assert_error(api.delete(f"{A}/offers/{ex.offer.pk}", as_="tongzhou"), 409, "conflict")


def test_it_runs_publishes_and_shows_my_result(
    api: Api, ex: Ex, django_capture_on_commit_callbacks: Any
) -> None:
    r = api.post(
        f"{A}/programs/{ex.program.pk}/applications",
        {"choices": [ex.offer.pk], "submit": True},
        as_="teacher",
    )
    app = r.json()["id"]
    approve(ex, app)
    assert_error(
        api.post(f"{A}/programs/{ex.program.pk}/runs", {"mode": "stable"}, as_="sanhe"), 409
    )
    close(ex)
    body = assert_error(
        api.post(f"{A}/programs/{ex.program.pk}/runs", {"mode": "magic"}, as_="sanhe"), 422
    )
    assert body["fields"]
    assert_error(
        api.post(f"{A}/programs/{ex.program.pk}/runs", {"mode": "stable"}, as_="tongzhou"), 403
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"{A}/programs/{ex.program.pk}/runs", {"mode": "stable"}, as_="sanhe")
    assert r.status_code == 202, r.content
    run = r.json()["id"]
    r = api.get(f"{A}/runs/{run}", as_="sanhe")
    assert r.json()["status"] == "done" and r.json()["progress"] == 100
    assert r.json()["statistics"]["matched"] == 1
    results = api.get(f"{A}/runs/{run}/results", as_="sanhe").json()
    assert results["count"] == 1 and results["items"][0]["reasons"]["code"] == "stable"
    assert_error(api.get(f"{A}/runs/{run}/results", as_="teacher"), 404)
    assert api.get(f"{A}/my/results", as_="teacher").json() == []
    assert api.get(f"{A}/applications/{app}/result", as_="teacher").json() is None
    assert_error(api.post(f"{A}/runs/{run}/publish", as_="tongzhou"), 404)  # not its program
    r = api.post(f"{A}/runs/{run}/publish", as_="sanhe")
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert_error(api.post(f"{A}/runs/{run}/publish", as_="sanhe"), 409)
    mine = api.get(f"{A}/my/results", as_="teacher").json()
    assert len(mine) == 1 and mine[0]["explanation"].endswith(": admitted.")
    (zh,) = api.get(f"{A}/my/results", as_="teacher", lang="zh-hans").json()
    assert zh["explanation"].startswith("第1志愿 Tongzhou No. 1（小学·数学）")
    assert zh["explanation"].endswith("录取。") and zh["reasons"] == mine[0]["reasons"]
    assert api.get(f"{A}/applications/{app}/result", as_="teacher").json()["rank"] == 1
    assert api.get(f"{A}/applications/{app}", as_="teacher").json()["status"] == "matched"
    assert_error(api.get(f"{A}/runs/999999", as_="sanhe"), 404)


def test_it_keeps_the_window_of_applications(api: Api, ex: Ex) -> None:
    from xietong.exchanges import services
    from xietong.exchanges.choices import ProgramStatus

    now = timezone.now()
    term = SchoolTerm.containing(timezone.localdate()).next()
    data = program_data(ex.sanhe_bureau, school_term=term.code, title="下学期跟岗")
    data.update(opens_at=now + dt.timedelta(days=2), closes_at=now + dt.timedelta(days=9))
    later = services.create_program(ex.actor("sanhe"), data)
    services.set_program_status(ex.actor("sanhe"), later.pk, ProgramStatus.OPEN)
    offer = services.create_offer(
        ex.actor("tongzhou"),
        later.pk,
        host=ex.cast.tongzhou_school.pk,
        slots=[{"stage": "primary", "subject": "数学", "capacity": 2}],
    )
    r = api.post(f"{A}/programs/{later.pk}/applications", {"choices": [offer.pk]}, as_="teacher")
    assert "accepted from" in assert_error(r, 422)["message"]


def test_it_refuses_a_window_that_opens_after_the_program_starts(api: Api, ex: Ex) -> None:
    program = ex.program
    late = {"opens_at": timezone.make_aware(dt.datetime(2024, 9, 3, 9)).isoformat()}
    body = assert_error(api.patch(f"{A}/programs/{program.pk}", late, as_="sanhe"), 422)
    assert body["fields"]["opens_at"] == [
        "Applications must open before the program starts (2024-09-02)."
    ]
    zh = api.patch(f"{A}/programs/{program.pk}", late, as_="sanhe", lang="zh-hans")
    assert "报名须在项目开始（2024-09-02）之前开放。" in zh.json()["fields"]["opens_at"]
    program.refresh_from_db()
    assert program.opens_at == ex.program.opens_at


@pytest.mark.parametrize("capacity", [99_999_999_999, -1, 1001], ids=["huge", "negative", "over"])
def test_it_bounds_a_slots_capacity_on_change_as_on_creation(api: Api, ex: Ex, capacity) -> None:
    slot = ex.offer.slots.first()
    before = slot.capacity
    body = assert_error(
        api.patch(
            f"{A}/offers/{ex.offer.pk}", {"capacities": {str(slot.pk): capacity}}, as_="tongzhou"
        ),
        422,
    )
    assert "capacities" in body["fields"]
    slot.refresh_from_db()
    assert slot.capacity == before


def test_a_county_creates_no_program_in_another_region_or_anothers_name(api: Api, ex: Ex) -> None:
    from xietong.conftest import make_institution
    from xietong.exchanges.models import Program

    beijing_bureau = make_institution("北京市教育委员会", "110000", kind="authority", stages="")
    before = Program.objects.count()
    other_region = jsonable(program_data(ex.sanhe_bureau, title="跨省项目"))
    other_region["region"] = "110000"
    assert_error(api.post(f"{A}/programs", other_region, as_="sanhe"), 403)
    other_name = jsonable(program_data(beijing_bureau, title="冒名项目"))
    other_name["region"] = "131082"
    assert_error(api.post(f"{A}/programs", other_name, as_="sanhe"), 403)
    assert Program.objects.count() == before
