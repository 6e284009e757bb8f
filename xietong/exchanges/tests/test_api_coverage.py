"""Coverage, the national rule, reciprocity and notifications over HTTP, with exact numbers.

The population (program 2024-2025 term 1 of the ``ex`` fixture):

* Sanhe Experimental (三河): 李三河, 甲 (backbone) and 乙 teach; 丙 is a cadre (not
  eligible). 甲 completed an exchange at Tongzhou No. 1, 乙 is there now;
* its Dachang campus (大厂, also 北三县): 刘大厂, no exchange;
* Tongzhou No. 1: 王北京 completed an exchange at Sanhe Experimental.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from xietong.api_tests.conftest import Api, assert_error
from xietong.conftest import make_staff
from xietong.exchanges.choices import AppStatus, PlacementStatus
from xietong.exchanges.models import Application, HostOffer, OfferSlot, Placement
from xietong.exchanges.tests.conftest import Ex

pytestmark = pytest.mark.urls("xietong.exchanges.tests.urls")
A = "/api/exchanges"


def exchange(ex: Ex, staff: Any, slot: OfferSlot, status: str) -> None:
    app = Application.objects.create(
        program=ex.program,
        applicant=staff,
        home=staff.institution,
        status=status,
        matched_slot=slot,
    )
    Placement.objects.create(
        application=app,
        slot=slot,
        host=slot.offer.host,
        home=staff.institution,
        starts_on=dt.date(2024, 9, 2),
        ends_on=dt.date(2025, 1, 17),
        status=PlacementStatus.COMPLETED
        if status == AppStatus.COMPLETED
        else PlacementStatus.ACTIVE,
    )


@pytest.fixture
def api(ex: Ex) -> Api:
    c = ex.cast
    jia = make_staff("甲", c.sanhe_school, 11, honours=",backbone,")
    yi = make_staff("乙", c.sanhe_school, 12)
    make_staff("丙", c.sanhe_school, 13, position="cadre")
    to_tongzhou = ex.offer.slots.get()
    at_sanhe = HostOffer.objects.create(program=ex.program, host=c.sanhe_school)
    to_sanhe = OfferSlot.objects.create(offer=at_sanhe, stage="primary", subject="数学", capacity=1)
    exchange(ex, jia, to_tongzhou, AppStatus.COMPLETED)
    exchange(ex, yi, to_tongzhou, AppStatus.IN_PROGRESS)
    exchange(ex, c.beijing_teacher, to_sanhe, AppStatus.COMPLETED)
    return Api(c)


Q = {"school_year": "2024-2025", "term": 1}


def test_it_reports_coverage_per_institution_and_in_total(api: Api, ex: Ex) -> None:
    r = api.get(f"{A}/coverage", Q, as_="hebei_viewer")
    assert r.status_code == 200, r.content
    body = r.json()
    rows = {x["institution"]: x for x in body["institutions"]}
    assert rows["Sanhe Experimental"] == {
        "institution_id": ex.cast.sanhe_school.pk,
        "institution": "Sanhe Experimental",
        "eligible": 3,
        "completed": 1,
        "share": 0.3333,
        "full_coverage": False,
    }
    assert rows["Sanhe Experimental Dachang campus"]["eligible"] == 1
    assert rows["Sanhe Experimental Dachang campus"]["completed"] == 0
    assert rows["Xiongxian No. 1"]["eligible"] == 1
    assert body["total"] == {"eligible": 5, "completed": 1, "share": 0.2}
    one = api.get(f"{A}/coverage", {**Q, "institution": ex.cast.sanhe_school.pk}, as_="sanhe")
    assert one.json()["total"] == {"eligible": 3, "completed": 1, "share": 0.3333}
    other_term = api.get(f"{A}/coverage", {**Q, "term": 2}, as_="hebei_viewer").json()
    assert other_term["total"]["completed"] == 0


def test_it_filters_coverage_by_region_and_group(api: Api) -> None:
    group = api.get(f"{A}/coverage", {**Q, "area": "beisanxian"}, as_="hebei_viewer").json()
    assert group["total"] == {"eligible": 4, "completed": 1, "share": 0.25}
    county = api.get(f"{A}/coverage", {**Q, "area": "131028"}, as_="hebei_viewer").json()
    assert county["total"] == {"eligible": 1, "completed": 0, "share": 0.0}
    beijing = api.get(f"{A}/coverage", {**Q, "area": "110112"}, as_="beijing").json()
    assert beijing["total"] == {"eligible": 1, "completed": 1, "share": 1.0}
    assert beijing["institutions"][0]["full_coverage"] is True


def test_it_checks_the_national_rule(api: Api, ex: Ex) -> None:
    r = api.get(f"{A}/coverage/national-rule", {**Q, "area": "beisanxian"}, as_="hebei_viewer")
    assert r.status_code == 200
    rows = {x["institution"]: x for x in r.json()}
    sanhe = rows["Sanhe Experimental"]
    assert (sanhe["eligible"], sanhe["rotated"], sanhe["backbone_rotated"]) == (3, 2, 1)
    assert (sanhe["rotated_share"], sanhe["backbone_share"]) == (0.6667, 0.5)
    assert sanhe["rotation_ok"] is True and sanhe["backbone_ok"] is True
    dachang = rows["Sanhe Experimental Dachang campus"]
    assert (dachang["rotated"], dachang["rotation_ok"], dachang["backbone_ok"]) == (0, False, False)


def test_it_measures_reciprocity(api: Api, ex: Ex) -> None:
    c = ex.cast
    params = {"a": c.sanhe_school.pk, "b": c.tongzhou_school.pk}
    r = api.get(f"{A}/coverage/reciprocity", params, as_="sanhe")
    assert r.status_code == 200
    assert r.json() == {"a_to_b": 2, "b_to_a": 1, "balance": 1}
    r = api.get(f"{A}/coverage/reciprocity", {**params, "school_year": "2023-2024"}, as_="sanhe")
    assert r.json() == {"a_to_b": 0, "b_to_a": 0, "balance": 0}
    other = {"a": c.xiongxian_school.pk, "b": c.xiongxian_school.pk}
    assert_error(api.get(f"{A}/coverage/reciprocity", other, as_="tongzhou"), 403)


def test_it_refuses_coverage_outside_its_readers_and_bad_queries(api: Api) -> None:
    assert_error(api.get(f"{A}/coverage", Q, as_="teacher"), 403, "forbidden")
    assert_error(api.get(f"{A}/coverage", Q), 401)
    body = assert_error(api.get(f"{A}/coverage", {"term": 1}, as_="sanhe"), 422)
    assert body["fields"]
    assert_error(api.get(f"{A}/coverage", {**Q, "term": 3}, as_="sanhe"), 422)
    r = api.get(f"{A}/coverage", {**Q, "area": "999999"}, as_="sanhe")
    assert r.status_code in (404, 422) and r.json()["code"]
    r = api.get(f"{A}/coverage", {**Q, "area": "nowhere"}, as_="sanhe")
    assert r.status_code in (404, 422) and r.json()["code"]


def test_it_lists_and_marks_notifications(api: Api, ex: Ex) -> None:
    r = api.post(
        f"{A}/programs/{ex.program.pk}/applications",
        {"choices": [ex.offer.pk], "submit": True},
        as_="teacher",
    )
    assert r.status_code == 201
    mine = api.get(f"{A}/notifications", as_="teacher").json()
    assert mine["count"] == 1 and mine["items"][0]["read_at"] is None
    theirs = api.get(f"{A}/notifications", as_="school_admin").json()
    assert theirs["count"] == 1
    r = api.post(f"{A}/notifications/read", {"ids": [theirs["items"][0]["id"]]}, as_="teacher")
    assert r.json() == {"marked": 0}
    r = api.post(f"{A}/notifications/read", {"ids": [mine["items"][0]["id"]]}, as_="teacher")
    assert r.json() == {"marked": 1}
    assert api.get(f"{A}/notifications", {"unread": True}, as_="teacher").json()["count"] == 0
    assert api.post(f"{A}/notifications/read", {}, as_="school_admin").json() == {"marked": 1}
    assert_error(api.post(f"{A}/notifications/read", {"ids": "x"}, as_="teacher"), 422)
    assert_error(api.get(f"{A}/notifications"), 401)
