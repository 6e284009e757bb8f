"""Forms and the API read stages, subjects, titles and honours alike and store the same codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from xietong.api_tests.conftest import Api, assert_error
from xietong.api_tests.test_staff_api import new_staff
from xietong.institutions.models import Staff
from xietong.institutions.tests.test_views import html_of, login, staff_form

pytestmark = pytest.mark.django_db

SPELLINGS = [
    "语文、数学",
    "语文，数学",
    "语文 数学",
    "Chinese; Maths",
    ["语文", "数学"],
    ["13", "14"],
]


def _by_form(client: Any, cast: Any, name: str, lang: str = "en", **changes: Any) -> Any:
    client = login(client, cast, "school_admin")
    client.cookies["django_language"] = lang
    return client.post(reverse("institutions:staff_create"), staff_form(cast, name=name, **changes))


def _by_api(cast: Any, name: str, lang: str = "en", **changes: Any) -> Any:
    return Api(cast).post(
        "/api/staff/", new_staff(cast, name=name, **changes), as_="school_admin", lang=lang
    )


@pytest.mark.parametrize("subjects", SPELLINGS, ids=str)
def test_it_stores_two_subjects_through_the_form_and_the_api(client, cast, subjects) -> None:
    assert _by_form(client, cast, "表单", subjects=subjects).status_code == 302
    assert _by_api(cast, "接口", subjects=subjects).status_code == 201
    stored = dict(Staff.objects.filter(name__in=["表单", "接口"]).values_list("name", "subjects"))
    assert stored == {"表单": ",13,14,", "接口": ",13,14,"}


def test_it_reads_names_of_stages_titles_and_honours_through_both(client, cast) -> None:
    names = {"stages": ["小学", "初中"], "title": "一级教师", "honours": ["骨干教师"]}
    assert _by_form(client, cast, "表单", **names).status_code == 302
    assert _by_api(cast, "接口", **names).status_code == 201
    rows = Staff.objects.filter(name__in=["表单", "接口"])
    assert {(s.stages, s.title, s.honours) for s in rows} == {
        (",primary,junior,", "first", ",backbone,")
    }


@pytest.mark.parametrize(
    ("lang", "fragment"), [("zh-hans", "未知的学科：炼金术"), ("en", "Unknown subjects: 炼金术")]
)
def test_it_refuses_an_unknown_subject_naming_it_through_both(client, cast, lang, fragment) -> None:
    response = _by_form(client, cast, "表单", lang=lang, subjects="语文、炼金术")
    assert response.status_code == 200 and fragment in html_of(response)
    body = assert_error(_by_api(cast, "接口", lang=lang, subjects="语文、炼金术"), 422)
    assert fragment in body["fields"]["subjects"][0]
    assert not Staff.objects.filter(name__in=["表单", "接口"]).exists()


def test_the_api_answers_codes_with_labels_and_filters_by_name_or_code(cast) -> None:
    api = Api(cast)
    r = _by_api(cast, "接口", lang="zh-hans", subjects="语文、数学")
    assert r.json()["subjects"] == [
        {"code": "13", "label": "语文"},
        {"code": "14", "label": "数学"},
    ]
    assert r.json()["stages"] == [{"code": "primary", "label": "小学"}]
    for subject in ("语文", "13", "Chinese"):
        items = api.get("/api/staff/", {"subject": subject}, as_="school_admin").json()["items"]
        assert [s["name"] for s in items] == ["接口"]
    bad = assert_error(api.get("/api/staff/", {"subject": "炼金术"}, as_="school_admin"), 422)
    assert "炼金术" in bad["fields"]["subject"][0]
    schema = api.get("/api/openapi.json").json()
    assert "13 语文 Chinese" in str(schema)


def test_the_staff_form_offers_the_subject_table_as_a_multi_select(client, cast) -> None:
    client = login(client, cast, "school_admin")
    client.cookies["django_language"] = "zh-hans"
    page = html_of(client.get(reverse("institutions:staff_create")))
    assert '<select name="subjects"' in page and "multiple" in page
    assert '<option value="13">语文</option>' in page
