"""Programs carry a SchoolTerm: one spelling in forms, services and the API; ordered in SQL."""

from __future__ import annotations

from typing import Any

import pytest

from xietong.api_tests.conftest import Api, assert_error
from xietong.core.errors import InvalidInput
from xietong.core.terms import SchoolTerm
from xietong.exchanges import selectors, services
from xietong.exchanges.models import Program
from xietong.exchanges.tests.conftest import Ex, program_data
from xietong.exchanges.tests.test_views import html, login, url

pytestmark = pytest.mark.django_db
A = "/api/exchanges"


def _program(ex: Ex, title: str, term: Any) -> Program:
    actor = ex.actor("sanhe")
    return services.create_program(
        actor, program_data(ex.sanhe_bureau, title=title, school_term=term)
    )


def test_it_stores_the_term_in_any_spelling_and_keys_it_in_the_database(ex: Ex) -> None:
    p = _program(ex, "二学期", "2025–2026学年第二学期")
    assert (p.school_year, p.term, p.school_term) == ("2025-2026", 2, SchoolTerm(2025, 2))
    assert Program.objects.get(pk=p.pk).term_key == 20252
    Program.objects.filter(pk=p.pk).update(school_year="2030-2031", term=1)
    assert Program.objects.get(pk=p.pk).term_key == SchoolTerm(2030, 1).key


def test_it_orders_and_filters_programs_by_term_in_sql(ex: Ex) -> None:
    for title, term in (("c", "2099-2100-1"), ("a", (2023, 2)), ("b", "2024-2025 term 2")):
        _program(ex, title, term)
    actor = ex.actor("sanhe")
    ordered = [p.school_term for p in selectors.programs_for(actor)]
    assert ordered == sorted(ordered, reverse=True) and ordered[0] == SchoolTerm(2099, 1)
    year = selectors.programs_for(actor, selectors.ProgramFilters(school_year="2024-2025"))
    assert sorted(p.title for p in year) == ["b", ex.program.title]
    one = selectors.programs_for(actor, selectors.ProgramFilters(school_year="2024-2025", term=1))
    assert [p.title for p in one] == [ex.program.title]


def test_it_refuses_a_term_given_twice_or_not_at_all(ex: Ex) -> None:
    actor = ex.actor("sanhe")
    data = program_data(ex.sanhe_bureau, school_year="2024-2025", term=1)
    with pytest.raises(InvalidInput) as e:
        services.create_program(actor, data)
    assert set(e.value.fields) == {"school_term"}
    data = program_data(ex.sanhe_bureau)
    del data["school_term"]
    with pytest.raises(InvalidInput) as e:
        services.create_program(actor, data)
    assert set(e.value.fields) == {"school_term"}
    data = {**data, "school_year": "2024-2025", "term": 7}
    with pytest.raises(InvalidInput) as e:
        services.create_program(actor, data)
    assert set(e.value.fields) == {"term"}


def test_it_repeats_a_program_for_a_given_term_and_refuses_a_bad_one(ex: Ex) -> None:
    actor = ex.actor("sanhe")
    copy = services.repeat_program(actor, ex.program.pk, {"school_term": "2026-2027学年第一学期"})
    assert copy.school_term == SchoolTerm(2026, 1)
    with pytest.raises(InvalidInput) as e:
        services.repeat_program(actor, ex.program.pk, {"school_term": "next spring"})
    assert "school_term" in e.value.fields


def test_the_api_takes_any_spelling_and_answers_code_key_and_label(ex: Ex) -> None:
    api = Api(ex.cast)
    body = {**program_data(ex.sanhe_bureau, title="API", school_term="2025-2026学年第一学期")}
    body = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in body.items()}
    r = api.post(f"{A}/programs", body, as_="sanhe", lang="zh-hans")
    assert r.status_code == 201, r.content
    assert r.json()["school_term"] == {
        "code": "2025-2026-1",
        "key": 20251,
        "label": "2025–2026学年第一学期",
    }
    english = api.get(f"{A}/programs/{r.json()['id']}", as_="sanhe", lang="en").json()
    assert english["school_term"]["label"] == "2025–2026, term 1"
    for lang, fragment in (("zh-hans", "不是学期"), ("en", "is not a school term")):
        bad = assert_error(
            api.post(f"{A}/programs", {**body, "school_term": "秋季"}, as_="sanhe", lang=lang),
            422,
        )
        assert fragment in bad["fields"]["school_term"][0]
    assert Program.objects.filter(title="API").count() == 1


def test_the_api_filters_programs_and_coverage_by_school_year_and_term(ex: Ex) -> None:
    api = Api(ex.cast)

    def titles(q: dict[str, Any]) -> list[str]:
        items = api.get(f"{A}/programs", q, as_="sanhe").json()["items"]
        return [p["title"] for p in items]

    assert titles({"school_year": "2024-2025", "term": 1}) == [ex.program.title]
    assert titles({"school_year": "2024–2025"}) == [ex.program.title]
    assert titles({"school_year": "2024-2025", "term": 2}) == []
    bad = assert_error(api.get(f"{A}/programs", {"school_year": "2024"}, as_="sanhe"), 422)
    assert "two consecutive years" in bad["fields"]["school_year"][0]
    bad = assert_error(
        api.get(f"{A}/coverage", {"school_year": "2024-2026"}, as_="sanhe", lang="zh-hans"), 422
    )
    assert "相邻的两年" in bad["fields"]["school_year"][0]
    assert api.get(f"{A}/coverage", {"school_year": "2024-2025"}, as_="sanhe").status_code == 200


def test_the_program_form_offers_terms_and_refuses_a_bad_one_in_place(client: Any, ex: Ex) -> None:
    c = login(client, ex, "sanhe")
    page = html(c.get(url("program_edit", ex.program.pk)))
    assert 'value="2024-2025-1" selected' in page
    response = c.post(url("program_edit", ex.program.pk), {"school_term": "2024-2025-9"})
    assert "two terms" in html(response) and "is-invalid" in html(response)
    ex.program.refresh_from_db()
    assert ex.program.school_term == SchoolTerm(2024, 1)
