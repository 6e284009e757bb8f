"""Code tables in forms and the API: the same parser as the services (``core.codes``).

A form's multi-select posts codes; a crafted or scripted post may send names or one
delimited string instead, and is read exactly as the API reads it.
"""

from __future__ import annotations

from typing import Annotated, Any

from django import forms
from ninja import Schema
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from xietong.core.codes import (
    HONOURS,
    STAGES,
    SUBJECTS,
    TITLES,
    CodeError,
    CodeTable,
    parse_code,
    parse_codes,
)


class CodeListField(forms.MultipleChoiceField):
    """Several codes of ``table`` (codes, Chinese or English names, or "语文、数学")."""

    def __init__(self, table: CodeTable, **kwargs: Any) -> None:
        # A callable: called when rendered, so the labels follow the reader's language.
        kwargs.setdefault("choices", table.choices)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.table = table

    def to_python(self, value: Any) -> list[str]:
        if value in self.empty_values:
            return []
        try:
            return parse_codes(self.table, value)
        except CodeError as e:
            raise forms.ValidationError(e.message, code="unknown_code") from e

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class CodeField(forms.ChoiceField):
    """One code of ``table`` ("" when blank and not required)."""

    def __init__(self, table: CodeTable, **kwargs: Any) -> None:
        blank = kwargs.pop("blank_label", "—")
        kwargs.setdefault("choices", lambda: [("", blank), *table.choices()])
        super().__init__(**kwargs)
        self.table = table

    def to_python(self, value: Any) -> str:
        if value in self.empty_values:
            return ""
        try:
            return parse_code(self.table, value)
        except CodeError as e:
            raise forms.ValidationError(e.message, code="unknown_code") from e

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


def _api_codes(table: CodeTable) -> Any:
    def parse(value: Any) -> list[str]:
        try:
            return parse_codes(table, value)
        except CodeError as e:
            raise PydanticCustomError("unknown_code", str(e.message)) from e

    return BeforeValidator(parse)


def _api_code(table: CodeTable) -> Any:
    def parse(value: Any) -> str:
        if value in (None, ""):
            return ""
        try:
            return parse_code(table, value)
        except CodeError as e:
            raise PydanticCustomError("unknown_code", str(e.message)) from e

    return BeforeValidator(parse)


def _many(table: CodeTable) -> Any:
    return Field(
        description=(
            f"Codes or names of {table.name}, as a list or one string separated by "
            f"、 , ; / or spaces. Codes: {table.describe()}."
        ),
        json_schema_extra={"examples": [[e.code for e in table.entries[:2]]]},
    )


def _one(table: CodeTable) -> Any:
    return Field(description=f"A code or name of {table.name}. Codes: {table.describe()}.")


# Ninja field types: codes or names in, codes out (the same parser as forms and services).
StagesIn = Annotated[list[str], _api_codes(STAGES), _many(STAGES)]
SubjectsIn = Annotated[list[str], _api_codes(SUBJECTS), _many(SUBJECTS)]
TitlesIn = Annotated[list[str], _api_codes(TITLES), _many(TITLES)]
HonoursIn = Annotated[list[str], _api_codes(HONOURS), _many(HONOURS)]
StageIn = Annotated[str, _api_code(STAGES), _one(STAGES)]
SubjectIn = Annotated[str, _api_code(SUBJECTS), _one(SUBJECTS)]
TitleIn = Annotated[str, _api_code(TITLES), _one(TITLES)]


class CodeOut(Schema):
    """A code with its label in the reader's language."""

    code: str = Field(examples=["13"])
    label: str = Field(examples=["语文"])


def code_out(table: CodeTable, code: str) -> dict[str, str] | None:
    return {"code": code, "label": table.label(code)} if code else None
