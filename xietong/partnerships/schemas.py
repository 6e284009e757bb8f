"""API schemas of partnerships. Unknown fields are refused, not ignored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import ConfigDict, Field

from xietong.core.paging import PageOut


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class Error(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class Ref(Schema):
    id: int
    name: str


class MemberIn(Strict):
    institution: int = Field(ge=1, description="the institution's id")
    role: str = Field("member", max_length=10, description="lead, member or supported")
    joined_on: dt.date | None = Field(None, description="default: the partnership's start")
    left_on: dt.date | None = None


class PartnershipIn(Strict):
    kind: str = Field(max_length=24)
    name: str = Field(min_length=1, max_length=150)
    region: str = Field(max_length=6, description="managing region (GB/T 2260 code)")
    starts_on: dt.date
    ends_on: dt.date | None = None
    alliance_type: str = Field("", max_length=16)
    aid_round: str = Field("", max_length=16)
    institute: int | None = Field(None, ge=1)
    description: str = Field("", max_length=4000)
    members: list[MemberIn] = Field(max_length=500)


class PartnershipPatch(Strict):
    kind: str | None = Field(None, max_length=24)
    name: str | None = Field(None, min_length=1, max_length=150)
    region: str | None = Field(None, max_length=6)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    alliance_type: str | None = Field(None, max_length=16)
    aid_round: str | None = Field(None, max_length=16)
    institute: int | None = Field(None, ge=1)
    description: str | None = Field(None, max_length=4000)
    members: list[MemberIn] | None = Field(None, max_length=500)


class TermIn(Strict):
    school_year: int = Field(ge=2000, le=2100, description="the year the school year starts in")
    commitments: str = Field("", max_length=4000)
    quota: int | None = Field(None, ge=0, le=1_000_000)
    dispatch_planned: int | None = Field(None, ge=0, le=1_000_000)
    budget_yuan: Decimal | None = Field(None, ge=0, le=Decimal("999999999999.99"))


class DispatchIn(Strict):
    staff: int = Field(ge=1)
    host: int = Field(ge=1)
    post: str = Field(min_length=1, max_length=60)
    starts_on: dt.date
    ends_on: dt.date | None = None


class MemberOut(Schema):
    id: int
    institution: Ref
    institution_kind: str
    region_code: str
    role: str
    joined_on: dt.date
    left_on: dt.date | None


class TermOut(Schema):
    id: int
    school_year: int
    label: str
    commitments: str
    quota: int | None
    dispatch_planned: int | None
    budget_yuan: Decimal | None


class DispatchOut(Schema):
    id: int
    staff: Ref
    home: Ref
    host: Ref
    post: str
    starts_on: dt.date
    ends_on: dt.date | None


class PartnershipOut(Schema):
    id: int
    kind: str
    name: str
    alliance_type: str
    aid_round: str
    institute: Ref | None
    region_code: str
    status: str
    starts_on: dt.date
    ends_on: dt.date | None
    member_count: int
    actions: list[str]


class PartnershipDetailOut(PartnershipOut):
    description: str
    activated_at: dt.datetime | None
    ended_at: dt.datetime | None
    members: list[MemberOut]
    terms: list[TermOut]
    dispatches: list[DispatchOut]


class PartnershipPage(PageOut[PartnershipOut]):
    pass
