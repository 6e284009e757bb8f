"""The filters mechanism on a sample dataclass, and keyset cursors (no app involved)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from xietong.core.errors import InvalidInput
from xietong.core.filters import CURSOR, filter_form, filter_schema, option, parse_query
from xietong.core.paging import BadCursor, decode_cursor, encode_cursor


@dataclass(frozen=True)
class Sample:
    q: str = option("", label="Search", max_length=5)
    colour: str = option("", label="Colour", choices=[("red", "Red"), ("blue", "Blue")])
    size: int | None = option(None, label="Size", param="n")
    only: bool = option(False, label="Only mine")


def test_it_derives_the_form_and_the_schema_from_the_dataclass() -> None:
    form = filter_form(Sample)({"q": " ab ", "colour": "red", "n": "3", "only": "on"})
    assert form.is_valid(), form.errors
    assert form.filters() == Sample(q="ab", colour="red", size=3, only=True)
    schema = filter_schema(Sample, paging=CURSOR).model_json_schema()["properties"]
    assert set(schema) == {"q", "colour", "n", "only", "cursor", "page_size"}
    assert schema["colour"]["enum"] == ["red", "blue"]
    assert schema["q"]["maxLength"] == 5


def test_it_refuses_in_the_api_with_the_page_forms_own_messages() -> None:
    query_class: Any = filter_schema(Sample)
    query = query_class(colour="green")
    with pytest.raises(InvalidInput) as refused:
        parse_query(Sample, query)
    form = filter_form(Sample)({"colour": "green"})
    assert not form.is_valid()
    assert refused.value.fields["colour"] == form.errors["colour"]


def test_it_reads_back_an_empty_query_as_the_defaults() -> None:
    assert parse_query(Sample, filter_schema(Sample)()) == Sample()


def test_it_turns_a_cursor_round_trip_into_the_same_keys() -> None:
    assert decode_cursor(encode_cursor(["李三河", 42]), [str, int]) == ["李三河", 42]


@pytest.mark.parametrize(
    "cursor",
    ["!!!", "bm90IGpzb24", encode_cursor(["a"]), encode_cursor([1, "x"]), encode_cursor(["a", 0])],
)
def test_it_refuses_a_forged_or_broken_cursor(cursor: str) -> None:
    with pytest.raises(BadCursor):
        decode_cursor(cursor, [str, int])


def test_it_renders_a_placeholder_in_the_language_of_the_page() -> None:
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    @dataclass(frozen=True)
    class Named:
        q: str = option("", label="Teacher", placeholder=gettext_lazy("Full name"))

    form_class = filter_form(Named)
    with translation.override("en"):
        assert 'placeholder="Full name"' in str(form_class()["q"])
    with translation.override("zh-hans"):
        assert 'placeholder="姓名"' in str(form_class()["q"])
