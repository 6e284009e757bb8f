"""Every application transition over HTTP: the happy path and each refusal, always JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from xietong.api_tests.conftest import Api, assert_error
from xietong.exchanges import services
from xietong.exchanges.tests.conftest import Ex, notice_over

pytestmark = pytest.mark.urls("xietong.exchanges.tests.urls")
A = "/api/exchanges"


@pytest.fixture
def api(ex: Ex) -> Api:
    return Api(ex.cast)


def apply(api: Api, ex: Ex, submit: bool = True) -> dict[str, Any]:
    r = api.post(
        f"{A}/programs/{ex.program.pk}/applications",
        {"choices": [ex.offer.pk], "statement": "我想去", "submit": submit},
        as_="teacher",
    )
    assert r.status_code == 201, r.content
    return r.json()


def notice() -> dict[str, str]:
    """The shortest public notice allowed, from today."""
    today = timezone.localdate()
    return {
        "notice_starts_on": str(today),
        "notice_ends_on": str(services.earliest_notice_end(today)),
    }


def approved(api: Api, ex: Ex) -> int:
    app = apply(api, ex)
    assert (
        api.post(
            f"{A}/applications/{app['id']}/recommend", notice(), as_="school_admin"
        ).status_code
        == 200
    )
    notice_over(app["id"])
    assert api.post(f"{A}/applications/{app['id']}/approve", as_="sanhe").status_code == 200
    return app["id"]


def test_it_walks_an_application_from_draft_to_completed(api: Api, ex: Ex) -> None:
    app = apply(api, ex, submit=False)
    assert app["status"] == "draft"
    pk = app["id"]
    r = api.post(f"{A}/applications/{pk}/submit", as_="teacher")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = api.post(f"{A}/applications/{pk}/recommend", {**notice(), "score": 91}, as_="school_admin")
    assert r.status_code == 200 and r.json()["status"] == "recommended"
    notice_over(pk)
    r = api.post(f"{A}/applications/{pk}/approve", as_="sanhe")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    slot = ex.offer.slots.get().pk
    r = api.post(f"{A}/applications/{pk}/assign", {"slot": slot}, as_="sanhe")
    assert r.status_code == 200 and r.json()["status"] == "matched"
    r = api.post(f"{A}/applications/{pk}/confirm", {}, as_="teacher")
    assert r.status_code == 201, r.content
    placement = r.json()["id"]
    r = api.post(f"{A}/placements/{placement}/start", as_="tongzhou")
    assert r.status_code == 200 and r.json()["status"] == "active"
    start = ex.program.starts_on
    r = api.post(
        f"{A}/placements/{placement}/logs",
        {"week_starting": str(start), "content": "听课6节", "hours": 30},
        as_="teacher",
    )
    assert r.status_code == 201, r.content
    for who in ("teacher", "tongzhou"):
        r = api.post(
            f"{A}/placements/{placement}/reports",
            {"kind": "completion", "content": "总结"},
            as_=who,
        )
        assert r.status_code == 201, r.content
    r = api.post(
        f"{A}/placements/{placement}/evaluation", {"score": 92, "grade": "优秀"}, as_="tongzhou"
    )
    assert r.status_code == 200 and r.json()["grade"] == "优秀"
    r = api.post(f"{A}/applications/{pk}/complete", as_="school_admin")
    assert_error(r, 409, "conflict")  # the placement is not completed yet
    r = api.post(f"{A}/placements/{placement}/complete", {"hours_credited": 120}, as_="tongzhou")
    assert r.status_code == 200 and r.json()["status"] == "completed"
    today = timezone.localdate()
    r = api.post(
        f"{A}/placements/{placement}/duties",
        {"kind": "open_lesson", "due_on": str(today + dt.timedelta(days=30))},
        as_="school_admin",
    )
    assert r.status_code == 201, r.content
    duty = r.json()["id"]
    assert_error(api.post(f"{A}/applications/{pk}/complete", as_="school_admin"), 409)
    r = api.post(
        f"{A}/duties/{duty}/done", {"done_on": str(today), "evidence": "教案"}, as_="teacher"
    )
    assert r.status_code == 200, r.content
    r = api.post(f"{A}/applications/{pk}/complete", as_="school_admin")
    assert r.status_code == 200 and r.json()["status"] == "completed"


def test_it_refuses_transitions_in_the_wrong_state(api: Api, ex: Ex) -> None:
    pk = apply(api, ex)["id"]
    assert_error(api.post(f"{A}/applications/{pk}/submit", as_="teacher"), 409, "conflict")
    assert_error(api.post(f"{A}/applications/{pk}/approve", as_="sanhe"), 409, "conflict")
    assert_error(api.post(f"{A}/applications/{pk}/confirm", {}, as_="teacher"), 409, "conflict")
    assert_error(api.post(f"{A}/applications/{pk}/complete", as_="school_admin"), 409)
    api.post(f"{A}/applications/{pk}/withdraw", as_="teacher")
    assert_error(api.post(f"{A}/applications/{pk}/withdraw", as_="teacher"), 409, "conflict")
    r = api.post(f"{A}/applications/{pk}/reject", {"reason": "晚了"}, as_="school_admin")
    assert_error(r, 409, "conflict")


def test_it_refuses_people_outside_the_step(api: Api, ex: Ex) -> None:
    pk = apply(api, ex)["id"]
    assert_error(api.post(f"{A}/applications/{pk}/recommend", notice(), as_="sanhe"), 403)
    assert_error(api.post(f"{A}/applications/{pk}/withdraw", as_="tongzhou"), 404)  # not in scope
    r = api.post(f"{A}/applications/{pk}/reject", {"reason": "x"}, as_="tongzhou")
    assert_error(r, 404, "not_found")
    r = api.post(f"{A}/applications/{pk}/reject", {"reason": "x"}, as_="hebei_viewer")
    assert_error(r, 403, "forbidden")
    api.post(f"{A}/applications/{pk}/recommend", notice(), as_="school_admin")
    assert_error(api.post(f"{A}/applications/{pk}/approve", as_="hebei_viewer"), 403, "forbidden")
    assert_error(api.post(f"{A}/applications/{pk}/approve", as_="tongzhou"), 404, "not_found")
    r = api.get(f"{A}/applications/{pk}", as_="hebei_viewer")
    assert r.status_code == 200 and r.json()["actions"] == []
    assert api.get(f"{A}/applications/{pk}", as_="tongzhou").status_code == 404
    assert_error(api.post(f"{A}/applications/{pk}/approve"), 401)


def test_it_rejects_with_a_reason_and_says_which_field_is_wrong(api: Api, ex: Ex) -> None:
    pk = apply(api, ex)["id"]
    body = assert_error(
        api.post(f"{A}/applications/{pk}/reject", {"reason": ""}, as_="school_admin"), 422
    )
    assert "reason" in body["fields"]
    body = assert_error(
        api.post(f"{A}/applications/{pk}/reject", {"reason": "   "}, as_="school_admin"), 422
    )
    assert "reason" in body["fields"]
    r = api.post(f"{A}/applications/{pk}/reject", {"reason": "名额已满"}, as_="school_admin")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert r.json()["reject_reason"] == "名额已满"


def test_it_answers_bad_payloads_with_422_and_fields(api: Api, ex: Ex) -> None:
    pk = apply(api, ex)["id"]
    bad = {"notice_starts_on": "2025-13-01", "notice_ends_on": "x"}
    body = assert_error(api.post(f"{A}/applications/{pk}/recommend", bad, as_="school_admin"), 422)
    assert body["fields"]
    late = {**notice(), "notice_ends_on": "2000-01-01"}
    body = assert_error(api.post(f"{A}/applications/{pk}/recommend", late, as_="school_admin"), 422)
    assert "notice_ends_on" in body["fields"]
    r = api.post(f"{A}/applications/{pk}/recommend", raw="{not json", as_="school_admin")
    assert r.status_code in (400, 422) and r.json()["code"]
    assert_error(api.post(f"{A}/applications/999999/approve", as_="sanhe"), 404, "not_found")


def test_it_approves_only_after_the_public_notice(api: Api, ex: Ex) -> None:
    pk = apply(api, ex)["id"]
    assert (
        api.post(f"{A}/applications/{pk}/recommend", notice(), as_="school_admin").status_code
        == 200
    )
    assert_error(api.post(f"{A}/applications/{pk}/approve", as_="sanhe"), 409, "conflict")


def test_it_withdraws_a_matched_application_and_frees_the_place(api: Api, ex: Ex) -> None:
    pk = approved(api, ex)
    slot = ex.offer.slots.get()
    assert (
        api.post(f"{A}/applications/{pk}/assign", {"slot": slot.pk}, as_="sanhe").status_code == 200
    )
    slot.refresh_from_db()
    assert slot.taken == 1
    r = api.post(f"{A}/applications/{pk}/withdraw", as_="teacher")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    slot.refresh_from_db()
    assert slot.taken == 0
