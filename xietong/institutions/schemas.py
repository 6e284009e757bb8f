"""API schemas of the registry. Unknown fields are refused, not ignored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import ConfigDict, Field

from xietong.core.codefields import CodeOut, HonoursIn, StagesIn, SubjectsIn
from xietong.core.codes import TITLES
from xietong.core.paging import CursorPageOut, PageOut
from xietong.institutions.choices import (
    Gender,
    Kind,
    Locality,
    Ownership,
    Position,
)

TITLE_HELP = f"A professional title, by code or name. Codes: {TITLES.describe()}."


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class InstitutionRef(Schema):
    id: int
    name: str


class InstitutionOut(Schema):
    id: int
    name: str
    name_en: str
    kind: str
    school_code: str | None
    stages: list[CodeOut]
    ownership: str
    locality: str
    region_code: str
    region_name: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    parent: InstitutionRef | None
    can_edit: bool
    actions: list[str] = Field(description="the verbs the caller may do on it now: edit, delete…")


class LabOut(Schema):
    id: int
    name: str
    field: str
    opened_on: dt.date | None


class InstitutionDetailOut(InstitutionOut):
    labs: list[LabOut]
    branches: list[InstitutionRef]
    staff_count: int


class InstitutionIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field("", max_length=200)
    kind: Kind
    school_code: str | None = Field(None, max_length=10)
    stages: StagesIn | None = None
    ownership: Ownership = Ownership.PUBLIC
    locality: Locality = Locality.URBAN
    region: str = Field(description="GB/T 2260 code of the county (or city/province)", max_length=6)
    address: str = Field("", max_length=200)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    parent: int | None = Field(None, description="id of the institution this is a branch of")


class InstitutionPatch(Strict):
    name: str | None = Field(None, min_length=1, max_length=100)
    name_en: str | None = Field(None, max_length=200)
    kind: Kind | None = None
    school_code: str | None = Field(None, max_length=10)
    stages: StagesIn | None = None
    ownership: Ownership | None = None
    locality: Locality | None = None
    region: str | None = Field(None, max_length=6)
    address: str | None = Field(None, max_length=200)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    parent: int | None = None


class LabIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    field: str = Field("", max_length=50)
    opened_on: dt.date | None = None


class StaffOut(Schema):
    id: int
    name: str
    gender: str
    id_number: str = Field(
        description="always masked (region and check character); the birth date is not "
        "given either: see /staff/{id}/personal-data"
    )
    phone: str = Field(description="always masked")
    institution: InstitutionRef
    position: str
    stages: list[CodeOut]
    subjects: list[CodeOut]
    title: CodeOut | None
    honours: list[CodeOut]
    joined_on: dt.date
    years_at_institution: int
    owned: bool = Field(
        description="the record is in the caller's owning scope: its personal data may be "
        "revealed, and it may be changed unless it is the caller's own record"
    )
    actions: list[str] = Field(description="the verbs the caller may do now: edit, reveal…")


class StaffIn(Strict):
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=1, max_length=18)
    gender: Gender | None = None
    birth_date: dt.date | None = None
    phone: str = Field("", max_length=20)
    institution: int
    position: Position = Position.TEACHER
    stages: StagesIn = []
    subjects: SubjectsIn = []
    title: str | None = Field(None, max_length=30, description=TITLE_HELP)
    honours: HonoursIn = []
    joined_on: dt.date


class StaffPatch(Strict):
    name: str | None = Field(None, min_length=1, max_length=50)
    id_number: str | None = Field(None, min_length=1, max_length=18)
    gender: Gender | None = None
    birth_date: dt.date | None = None
    phone: str | None = Field(None, max_length=20)
    institution: int | None = None
    position: Position | None = None
    stages: StagesIn | None = None
    subjects: SubjectsIn | None = None
    title: str | None = Field(None, max_length=30, description=TITLE_HELP)
    honours: HonoursIn | None = None
    joined_on: dt.date | None = None


class PersonalDataOut(Schema):
    id_number: str
    phone: str
    birth_date: dt.date


class InstitutionPage(PageOut[InstitutionOut]):
    pass


class StaffPage(CursorPageOut[StaffOut]):
    pass


class Error(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None
