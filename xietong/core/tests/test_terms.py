"""School terms: the value type, its one calendar rule, its form field and its API type."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms
from django.test import override_settings
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from ninja import Schema
from pydantic import ValidationError

from xietong.core.termfields import SchoolTermField, SchoolTermIn, SchoolYearField, span
from xietong.core.terms import MAX_YEAR, MIN_YEAR, Calendar, SchoolTerm, TermError, TermSpan

LANGUAGES = ("zh-hans", "en")
terms = st.builds(SchoolTerm, st.integers(MIN_YEAR + 1, MAX_YEAR - 1), st.sampled_from([1, 2]))
days = st.dates(dt.date(MIN_YEAR + 1, 1, 1), dt.date(MAX_YEAR - 1, 12, 31))


@given(terms, st.sampled_from(LANGUAGES))
def test_it_parses_its_own_label_back_in_both_languages(t: SchoolTerm, language: str) -> None:
    with translation.override(language):
        assert SchoolTerm.parse(t.label()) == t
        assert SchoolTerm.parse(str(t)) == t
    assert SchoolTerm.parse(t.code) == t
    assert SchoolTerm.from_key(t.key) == t


@given(terms, terms)
def test_it_orders_terms_as_their_keys_and_their_dates(a: SchoolTerm, b: SchoolTerm) -> None:
    assert (a < b) == (a.key < b.key) == (a.starts_on < b.starts_on)
    assert (a == b) == (a.key == b.key)
    assert (a < b) == (a.code < b.code)


@given(terms)
def test_it_steps_to_the_next_and_previous_term(t: SchoolTerm) -> None:
    assert t.next().previous() == t == t.previous().next()
    assert t.previous() < t < t.next()
    assert t.next().starts_on > t.ends_on


@given(terms)
def test_it_finds_the_term_containing_its_own_dates(t: SchoolTerm) -> None:
    assert SchoolTerm.containing(t.starts_on) == t
    assert SchoolTerm.containing(t.ends_on) == t
    assert SchoolTerm.containing(t.next().starts_on - dt.timedelta(days=1)) == t


@given(days)
def test_it_gives_every_day_the_latest_term_started_by_then(day: dt.date) -> None:
    t = SchoolTerm.containing(day)
    assert t.starts_on <= day < t.next().starts_on


def test_it_uses_the_chinese_school_calendar_by_default() -> None:
    t = SchoolTerm(2024, 1)
    assert (t.starts_on, t.ends_on) == (dt.date(2024, 9, 1), dt.date(2025, 1, 20))
    assert (t.next().starts_on, t.next().ends_on) == (dt.date(2025, 2, 20), dt.date(2025, 7, 10))
    assert SchoolTerm.containing(dt.date(2025, 8, 31)) == SchoolTerm(2024, 2)
    assert SchoolTerm.containing(dt.date(2025, 2, 19)) == SchoolTerm(2024, 1)


def test_it_follows_the_calendar_in_settings() -> None:
    cal = {"first_starts": (8, 25), "second_starts": (3, 1), "second_ends": (7, 1)}
    with override_settings(XIETONG_TERM_CALENDAR=cal):
        assert SchoolTerm(2024, 1).starts_on == dt.date(2024, 8, 25)
        assert SchoolTerm(2024, 2).starts_on == dt.date(2025, 3, 1)
        assert SchoolTerm.containing(dt.date(2025, 2, 28)) == SchoolTerm(2024, 1)


@pytest.mark.parametrize(
    "setting",
    [
        {"second_starts": (1, 10)},  # before term 1 ends
        {"second_ends": (9, 15)},  # after the next term 1 starts
        {"first_ends": (2, 29)},
        {"first_ends": (2, 30)},
        {"autumn": (9, 1)},
    ],
)
def test_it_refuses_a_calendar_whose_dates_do_not_follow_each_other(setting: Any) -> None:
    with pytest.raises(ValueError):
        Calendar.from_setting(setting)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-2025-1", SchoolTerm(2024, 1)),
        ("2024–2025学年第一学期", SchoolTerm(2024, 1)),
        ("2024-2025学年第二学期", SchoolTerm(2024, 2)),
        ("2024-2025学年第2学期", SchoolTerm(2024, 2)),
        ("2024-2025学年下学期", SchoolTerm(2024, 2)),
        ("２０２４－２０２５学年第一学期", SchoolTerm(2024, 1)),
        ("2024-2025 term 2", SchoolTerm(2024, 2)),
        ("2024–2025, Term 1", SchoolTerm(2024, 1)),
        ("  2024/2025 semester 2 ", SchoolTerm(2024, 2)),
        ((2024, 2), SchoolTerm(2024, 2)),
        (("2024-2025", "1"), SchoolTerm(2024, 1)),
        (20251, SchoolTerm(2025, 1)),
    ],
)
def test_it_parses_every_spelling(text: Any, expected: SchoolTerm) -> None:
    assert SchoolTerm.parse(text) == expected


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        ("2024-2026-1", "相邻的两年", "two consecutive years"),
        ("2024-2025-3", "两个学期", "two terms"),
        ("2024-2025学年第三学期", "两个学期", "two terms"),
        ("第一学期", "不是学期", "is not a school term"),
        ("", "不是学期", "is not a school term"),
        ("x" * 10_000, "不是学期", "is not a school term"),
        ((2024, 3), "两个学期", "two terms"),
        ((2024, True), "不是学期", "is not a school term"),
        ((2024, 1, 1), "不是学期", "is not a school term"),
        (20243, "不是学期", "is not a school term"),
        ("0999-1000-1", "起始年份", "must start between"),
        (None, "不是学期", "is not a school term"),
    ],
)
def test_it_refuses_what_is_not_a_term_with_a_message(value: Any, zh: str, en: str) -> None:
    for language, fragment in (("zh-hans", zh), ("en", en)):
        with translation.override(language), pytest.raises(TermError) as e:
            SchoolTerm.parse(value)
        with translation.override(language):
            assert fragment in str(e.value.message)
            assert len(str(e.value.message)) < 200


def test_it_refuses_to_build_a_term_that_does_not_exist() -> None:
    with pytest.raises(TermError):
        SchoolTerm(2024, 0)
    with pytest.raises(TermError):
        SchoolTerm.school_year(MAX_YEAR)[1].next()


def test_it_spans_a_school_year_or_one_term_for_filters() -> None:
    year = TermSpan.school_year(2024)
    assert year.keys == (20241, 20242)
    assert SchoolTerm(2024, 2) in year and SchoolTerm(2025, 1) not in year
    assert span(2024, 2) == TermSpan.of(SchoolTerm(2024, 2))
    assert span(None, 2) is None
    with pytest.raises(TermError):
        TermSpan(SchoolTerm(2025, 1), SchoolTerm(2024, 1))


class _TermForm(forms.Form):
    term = SchoolTermField()
    year = SchoolYearField(required=False)


def test_its_form_field_parses_any_spelling_and_refuses_the_rest_in_the_users_language() -> None:
    form = _TermForm({"term": "2024-2025学年第二学期", "year": "2023–2024"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"term": SchoolTerm(2024, 2), "year": 2023}
    for language, fragment in (("zh-hans", "不是学期"), ("en", "is not a school term")):
        with translation.override(language):
            form = _TermForm({"term": "秋季"})
            assert not form.is_valid()
            assert fragment in form.errors["term"][0]
    with translation.override("en"):
        form = _TermForm({"term": "2024-2025-1", "year": "2024"})
        assert not form.is_valid() and "two consecutive years" in form.errors["year"][0]


def test_its_form_widget_offers_the_term_it_shows() -> None:
    html = str(_TermForm(initial={"term": SchoolTerm(2001, 2)})["term"])
    assert 'value="2001-2002-2" selected' in html
    assert 'value="2001-2002-1"' in html


class _TermSchema(Schema):
    term: SchoolTermIn


def test_its_api_type_parses_any_spelling_and_refuses_the_rest_with_the_message() -> None:
    assert _TermSchema.model_validate({"term": "2024-2025 term 2"}).term == SchoolTerm(2024, 2)
    assert _TermSchema(term=SchoolTerm(2024, 1)).model_dump(mode="json") == {"term": "2024-2025-1"}
    schema = _TermSchema.model_json_schema()["properties"]["term"]
    assert schema["type"] == "string" and schema["examples"] == ["2024-2025-1"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        _TermSchema.model_validate({"term": "2024-2026-1"})
    assert e.value.errors()[0]["type"] == "school_term"
    assert "相邻的两年" in e.value.errors()[0]["msg"]
