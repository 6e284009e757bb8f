"""School terms in forms, the API and the database (the type itself is ``core.terms``).

* ``SchoolTermField`` / ``SchoolYearField``: form fields that parse any spelling and refuse
  the rest with a specific message in the user's language.
* ``SchoolTermIn`` / ``SchoolYearIn``: the same for Ninja schemas (body and query).
* ``term_key_expression``: the SQL expression of a term's key from a ``"2024-2025"`` column
  and a term column, for a ``GeneratedField`` that orders and filters terms in SQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django import forms
from django.db import models
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from xietong.core.errors import InvalidInput
from xietong.core.terms import SchoolTerm, TermError, TermSpan, parse_school_year

TERM_NUMBERS = [(1, _("First term")), (2, _("Second term"))]


def term_key_expression(year_field: str = "school_year", term_field: str = "term") -> Any:
    """``CAST(SUBSTR(school_year, 1, 4) AS integer) * 10 + term`` — ``SchoolTerm.key`` in SQL."""
    return Cast(Substr(year_field, 1, 4), models.IntegerField()) * 10 + models.F(term_field)


def current_term(today: dt.date | None = None) -> SchoolTerm:
    return SchoolTerm.containing(today or timezone.localdate())


def year_span(start_year: int, term: int | None) -> TermSpan:
    """A school year, or one of its terms when ``term`` is given."""
    if term is None:
        return TermSpan.school_year(start_year)
    return TermSpan.of(SchoolTerm(start_year, term))


def span(start_year: int | None, term: int | None) -> TermSpan | None:
    """The terms a "school year + optional term" filter means (None: no filter)."""
    return None if start_year is None else year_span(start_year, term)


def term_choices(
    around: SchoolTerm | None = None, before: int = 6, after: int = 3
) -> list[tuple[str, str]]:
    """Terms near ``around`` (today's term by default), newest first, for a select."""
    t = around or current_term()
    terms = [t]
    for _i in range(before):
        terms.insert(0, terms[0].previous())
    for _i in range(after):
        terms.append(terms[-1].next())
    return [(x.code, x.label()) for x in reversed(terms)]


class TermSelect(forms.Select):
    """A select of nearby terms that always offers the term it shows."""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        current: SchoolTerm | None = None
        try:
            current = SchoolTerm.parse(value) if value not in (None, "") else None
        except TermError:
            current = None
        choices = term_choices(current) if current else term_choices()
        if current is not None:
            value = current.code
        self.choices = [("", "—"), *choices]
        return super().get_context(name, value, attrs)


class SchoolTermField(forms.Field):
    """Parses "2024-2025-1", "2024–2025学年第一学期", "2024-2025 term 2" … into a SchoolTerm."""

    widget = TermSelect

    def to_python(self, value: Any) -> SchoolTerm | None:
        if value in self.empty_values:
            return None
        try:
            return SchoolTerm.parse(value)
        except TermError as e:
            raise forms.ValidationError(e.message, code="school_term") from e

    def prepare_value(self, value: Any) -> Any:
        return value.code if isinstance(value, SchoolTerm) else value


class SchoolYearField(forms.Field):
    """Parses "2024-2025" into its start year (an int)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "2024-2025"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        text = str(value).strip() if value is not None else ""
        if text in self.empty_values:
            return None
        try:
            return parse_school_year(text)
        except TermError as e:
            raise forms.ValidationError(e.message, code="school_year") from e

    def prepare_value(self, value: Any) -> Any:
        return f"{value}-{value + 1}" if isinstance(value, int) else value


class SchoolYearTextField(SchoolYearField):
    """A school year checked like :class:`SchoolYearField`, kept as its text ("2024-2025").

    For filters dataclasses, whose fields are text: the selector reads it back with
    :func:`xietong.core.terms.parse_school_year`.
    """

    def clean(self, value: Any) -> str:  # type: ignore[override]
        year = super().clean(value)
        return f"{year}-{year + 1}" if isinstance(year, int) else ""


# --- Ninja ------------------------------------------------------------------------------------


def _api_term(value: Any) -> SchoolTerm:
    try:
        return SchoolTerm.parse(value)
    except TermError as e:
        raise PydanticCustomError("school_term", str(e.message)) from e


def _api_year(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value}-{value + 1}"
    try:
        return parse_school_year(value)
    except TermError as e:
        raise PydanticCustomError("school_year", str(e.message)) from e


SchoolTermIn = Annotated[
    SchoolTerm,
    PlainValidator(_api_term),
    PlainSerializer(lambda t: t.code, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "examples": ["2024-2025-1"],
            "description": "A school term: 2024-2025-1, 2024–2025学年第一学期 or 2024-2025 term 1.",
        }
    ),
]
SchoolYearIn = Annotated[
    int,
    PlainValidator(_api_year),
    PlainSerializer(lambda y: f"{y}-{y + 1}", return_type=str),
    WithJsonSchema(
        {"type": "string", "examples": ["2024-2025"], "description": "A school year: 2024-2025."}
    ),
]


def term_out(t: SchoolTerm) -> dict[str, Any]:
    """How the API shows a term: its code, key and label in the reader's language."""
    return {"code": t.code, "key": t.key, "label": t.label()}


MAX_TERMS = 20  # the longest range of terms one view reads


class TermCodeField(forms.Field):
    """A school term in any spelling, kept as its code ("2025-2026-1")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", TermSelect)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = str(value or "").strip()
        if not text:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return ""
        try:
            return SchoolTerm.parse(text).code
        except TermError as e:
            raise forms.ValidationError(e.message, code="school_term") from e


def terms_in(span: TermSpan) -> list[SchoolTerm]:
    """Every term of ``span``, first to last."""
    out = [span.first]
    while out[-1] < span.last:
        out.append(out[-1].next())
    return out


def check_span_length(span: TermSpan) -> TermSpan:
    """``span``, or a refusal on the ``last`` field when it holds more than ``MAX_TERMS``."""
    if len(terms_in(span)) > MAX_TERMS:
        message = gettext("Choose at most %(n)d terms at once.") % {"n": MAX_TERMS}
        raise InvalidInput(message, fields={"last": [message]})
    return span
