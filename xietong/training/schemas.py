"""The JSON shapes of teacher training (``/api/training``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from xietong.core.filters import filter_schema
from xietong.core.paging import PageOut
from xietong.training import reach
from xietong.training import selectors as sel

MAX_ID = 2**63 - 1


class Ref(Schema):
    id: int
    name: str


class SessionOut(Schema):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    link: str
    trainer: str
    topic: str


class QuotaOut(Schema):
    region: str
    region_name: str
    places: int
    taken: int


class EnrollmentOut(Schema):
    id: int
    program: Ref
    staff: Ref
    institution: Ref
    status: str
    enrolled_by: str
    waitlist_position: int | None = None
    assessment: str
    score: str | None
    hours_credited: str | None
    actions: list[str]


class ProgramOut(Schema):
    id: int
    title: str
    provider: Ref
    status: str
    hours: str
    credit_type: str
    mode: str
    fee_yuan: str
    capacity: int
    free_places: int
    applications_open: dt.date
    applications_close: dt.date
    actions: list[str]


class ProgramDetailOut(ProgramOut):
    description: str
    eligibility: str
    stages: list[str]
    subjects: list[str]
    positions: list[str]
    titles: list[str]
    regions: list[str]
    region_groups: list[str]
    min_attendance: int
    assessed: bool
    cancel_reason: str
    sessions: list[SessionOut]
    quotas: list[QuotaOut]
    enrolled: int
    waitlisted: int
    my_enrollment: EnrollmentOut | None
    eligibility_problems: list[str]


class ProgramPage(PageOut[ProgramOut]):
    pass


class ProgramQuery(filter_schema(sel.ProgramFilters)):  # type: ignore[misc]
    """The catalogue's filters and paging."""


class ProgramIn(Schema):
    title: str = Field("", max_length=300)
    description: str = Field("", max_length=5000)
    provider_id: int | None = Field(None, ge=1, le=MAX_ID)
    stages: list[str] | str = Field(default_factory=list)
    subjects: list[str] | str = Field(default_factory=list)
    positions: list[str] | str = Field(default_factory=list)
    titles: list[str] | str = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list, description="region codes")
    region_groups: list[str] = Field(default_factory=list, description="region group keys")
    eligibility: str = Field("", max_length=3000)
    hours: str | float = Field(..., description="such as 24 or 1.5")
    credit_type: str = Field("centralised", max_length=20)
    capacity: int = Field(..., ge=0, le=MAX_ID)
    mode: str = Field("offline", max_length=10)
    fee_yuan: str | float = 0
    applications_open: str = Field(..., max_length=10, description="YYYY-MM-DD")
    applications_close: str = Field(..., max_length=10, description="YYYY-MM-DD")
    min_attendance: int = Field(80, ge=0, le=MAX_ID)
    assessed: bool = False


class SessionIn(Schema):
    starts_at: str = Field(..., max_length=40, description="YYYY-MM-DD HH:MM (Asia/Shanghai)")
    ends_at: str = Field(..., max_length=40)
    place: str = Field("", max_length=300)
    link: str = Field("", max_length=500)
    trainer: str = Field("", max_length=200)
    topic: str = Field("", max_length=300)


class ReasonIn(Schema):
    reason: str = Field("", max_length=3000)


class QuotaIn(Schema):
    region: str = Field(..., max_length=12, description="a region code")
    places: int = Field(..., ge=0, le=MAX_ID)


class EnrollIn(Schema):
    staff_id: int | None = Field(None, ge=1, le=MAX_ID, description="empty: yourself")


class RosterIn(Schema):
    session: int = Field(..., ge=1, le=MAX_ID)
    present: list[int] = Field(default_factory=list)
    absent: list[int] = Field(default_factory=list)


class CodeIn(Schema):
    minutes: int = Field(15, ge=1, le=240)


class CodeOut(Schema):
    code: str
    expires_at: dt.datetime


class CheckInIn(Schema):
    code: str = Field(..., max_length=20)


class CheckInOut(Schema):
    session: int
    program: int
    present: bool


class AssessIn(Schema):
    assessment: str = Field(..., max_length=10, description="pass or fail")
    score: str | float | None = None


class HoursIn(Schema):
    hours: str | float


class RosterRowOut(Schema):
    enrollment: EnrollmentOut
    attendance: dict[str, bool | None]
    attended: int
    held: int
    rate: int | None


class RosterOut(Schema):
    program: Ref
    sessions: list[SessionOut]
    rows: list[RosterRowOut]
    waitlist: list[Ref]


class CertificateOut(Schema):
    id: int
    number: str
    holder: str
    program_title: str
    provider_name: str
    hours: str
    credit_type: str
    completed_on: dt.date
    revoked_at: dt.datetime | None
    revoke_reason: str
    actions: list[str]


class IssuedOut(Schema):
    issued: int


class CompletedOut(Schema):
    completed: int
    not_completed: int
    certificates: int


class VerificationOut(Schema):
    outcome: str = Field(description="valid, revoked, unknown (not issued) or forged")
    number: str
    holder: str
    program: str
    provider: str
    hours: str
    completed_on: str
    revoked_on: str


class RecordLineOut(Schema):
    day: dt.date
    source: str = Field(description="program, exchange or lessons")
    credit_type: str
    hours: str
    title: str
    provider: str
    detail: str
    program_id: int | None


class CreditTotalOut(Schema):
    credit_type: str
    label: str
    hours: str


class CycleOut(Schema):
    first_year: int
    last_year: int
    required: str
    hours: str
    met: bool


class RecordOut(Schema):
    staff: Ref
    institution: Ref
    masked_id_number: str
    cycle: CycleOut = Field(description="the cycle the teacher is in today")
    remaining: str
    total_hours: str
    by_type: list[CreditTotalOut] = Field(description="in the current cycle")
    by_type_total: list[CreditTotalOut] = Field(description="over all years")
    cycles: list[CycleOut]
    lines: list[RecordLineOut] = Field(description="newest first, every year")
    lesson_hours: str
    lesson_term_cap: str


def as_ref(obj: Any) -> dict[str, Any]:
    return {"id": obj.pk, "name": str(getattr(obj, "name", None) or obj)}


# --- the providers' reach into Hebei counties ---------------------------------------------

ReachQuery = filter_schema(reach.ReachFilters, paging=None)


class ReachTermOut(Schema):
    code: str
    key: int
    label: str


class ReachCellOut(Schema):
    teachers: int
    hours: str


class ReachAreaOut(Schema):
    path: str
    name: str


class ReachCountyOut(Schema):
    path: str
    name: str
    terms: list[ReachCellOut]
    total: ReachCellOut


class ReachProviderOut(Schema):
    id: int
    name: str
    counties: list[ReachCountyOut]
    total: ReachCellOut


class ReachOut(Schema):
    first: ReachTermOut
    last: ReachTermOut
    terms: list[ReachTermOut]
    counties: list[ReachAreaOut]
    providers: list[ReachProviderOut]
