"""Programs and offers read subjects and stages like the registry: the same codes either way."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from xietong.api_tests.conftest import Api, assert_error
from xietong.exchanges.models import OfferSlot, Program
from xietong.exchanges.tests.conftest import Ex, program_data
from xietong.exchanges.tests.test_views import html, login, url

pytestmark = pytest.mark.django_db
A = "/api/exchanges"


def _json(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def _form(ex: Ex, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "表单项目",
        "kind": "secondment",
        "organiser": str(ex.sanhe_bureau.pk),
        "region": "131082",
        "school_term": "2025-2026-1",
        "starts_on": "2025-09-01",
        "ends_on": "2026-01-15",
        "opens_at": "2025-06-01T08:00",
        "closes_at": "2025-06-20T18:00",
        "max_choices": "3",
    }
    return {**data, **changes}


def test_eligible_subjects_are_two_codes_through_the_form_and_the_api(client, ex: Ex) -> None:
    c = login(client, ex, "sanhe")
    form = _form(ex, elig_subjects="语文、数学", elig_stages=["小学"])
    assert c.post(url("program_create"), form).status_code == 302
    body = _json(program_data(ex.sanhe_bureau, title="接口项目", elig_subjects="语文、数学"))
    r = Api(ex.cast).post(
        f"{A}/programs", {**body, "elig_stages": "小学"}, as_="sanhe", lang="zh-hans"
    )
    assert r.status_code == 201, r.content
    stored = dict(
        Program.objects.filter(title__in=["表单项目", "接口项目"]).values_list(
            "title", "elig_subjects"
        )
    )
    assert stored == {"表单项目": ",13,14,", "接口项目": ",13,14,"}
    assert r.json()["eligibility"]["subjects"] == [
        {"code": "13", "label": "语文"},
        {"code": "14", "label": "数学"},
    ]
    assert r.json()["eligibility"]["stages"] == [{"code": "primary", "label": "小学"}]


@pytest.mark.parametrize(
    ("lang", "fragment"), [("zh-hans", "未知的学科：炼金术"), ("en", "Unknown subjects: 炼金术")]
)
def test_unknown_subjects_are_refused_by_name_through_both(client, ex: Ex, lang, fragment) -> None:
    c = login(client, ex, "sanhe")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = c.post(url("program_create"), _form(ex, elig_subjects="语文、炼金术"))
    assert response.status_code == 200 and fragment in html(response)
    body = _json(program_data(ex.sanhe_bureau, title="接口项目", elig_subjects=["炼金术"]))
    bad = assert_error(Api(ex.cast).post(f"{A}/programs", body, as_="sanhe", lang=lang), 422)
    assert fragment in bad["fields"]["elig_subjects"][0]
    assert not Program.objects.filter(title__in=["表单项目", "接口项目"]).exists()


def test_a_slot_subject_is_one_code_by_name_or_code_and_shows_its_label(ex: Ex) -> None:
    api = Api(ex.cast)
    slots = [{"stage": "初中", "subject": "English", "capacity": 1}]
    body = {"host": ex.cast.tongzhou_school.pk, "slots": slots}
    r = api.post(f"{A}/programs/{ex.program.pk}/offers", body, as_="tongzhou", lang="zh-hans")
    assert r.status_code == 201, r.content
    slot = r.json()["slots"][0]
    assert (slot["stage"], slot["subject"], slot["subject_label"]) == ("junior", "41", "英语")
    two = {"host": ex.cast.tongzhou_school.pk, "slots": [{**slots[0], "subject": "语文、数学"}]}
    bad = assert_error(api.post(f"{A}/programs/{ex.program.pk}/offers", two, as_="tongzhou"), 422)
    assert "Give exactly one subject." in str(bad["fields"])
    assert OfferSlot.objects.filter(subject="41").count() == 1
