"""API schemas of exchanges. Unknown fields are refused, not ignored."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from xietong.core.codefields import StageIn, StagesIn, SubjectIn, SubjectsIn, TitlesIn
from xietong.core.paging import PageOut
from xietong.core.termfields import SchoolTermIn
from xietong.jobs.choices import RETRYABLE
from xietong.jobs.schemas import JobOut, job_out


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class Error(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class Ref(Schema):
    id: int
    name: str


class TermOut(Schema):
    code: str = Field(examples=["2024-2025-1"])
    key: int = Field(examples=[20241], description="start year × 10 + term; sorts like terms")
    label: str = Field(examples=["2024–2025学年第一学期"])


class ProgramIn(Strict):
    kind: Literal["secondment", "shadowing", "visit", "teaching_support", "higher_ed_secondment"]
    organiser: int
    region: str = Field(max_length=6)
    title: str = Field(min_length=1, max_length=200)
    school_term: SchoolTermIn
    starts_on: dt.date
    ends_on: dt.date
    duration_weeks: int | None = Field(None, ge=0, le=520)
    elig_stages: StagesIn = []
    elig_subjects: SubjectsIn = []
    elig_titles: TitlesIn = []
    elig_positions: list[str] = []
    min_years: int | None = Field(None, ge=0, le=60)
    min_age: int | None = Field(None, ge=0, le=100)
    max_age: int | None = Field(None, ge=0, le=100)
    max_choices: int = Field(3, ge=1, le=20)
    opens_at: dt.datetime
    closes_at: dt.datetime
    quota: int | None = Field(None, ge=0)
    sending_areas: list[str] = []
    sending_institutions: list[int] = []
    host_areas: list[str] = []
    host_institutions: list[int] = []


class ProgramPatch(Strict):
    title: str | None = Field(None, min_length=1, max_length=200)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    duration_weeks: int | None = None
    elig_stages: StagesIn | None = None
    elig_subjects: SubjectsIn | None = None
    elig_titles: TitlesIn | None = None
    elig_positions: list[str] | None = None
    min_years: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    max_choices: int | None = Field(None, ge=1, le=20)
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    quota: int | None = None
    sending_areas: list[str] | None = None
    sending_institutions: list[int] | None = None
    host_areas: list[str] | None = None
    host_institutions: list[int] | None = None


class StatusIn(Strict):
    status: Literal["draft", "open", "closed", "finished"]


class RepeatIn(Strict):
    school_term: SchoolTermIn | None = Field(None, description="The next term unless given.")
    starts_on: dt.date | None = None
    with_offers: bool = True


class ProgramOut(Schema):
    id: int
    kind: str
    title: str
    organiser: Ref
    region_code: str
    school_term: TermOut
    school_year: str
    term: int
    starts_on: dt.date
    ends_on: dt.date
    opens_at: dt.datetime
    closes_at: dt.datetime
    max_choices: int
    quota: int | None
    status: str
    eligibility: dict[str, Any]
    can_manage: bool
    actions: list[str] = Field(description="the verbs the caller may do on it now")


class ProgramPage(PageOut[ProgramOut]):
    pass


class SlotIn(Strict):
    stage: StageIn
    subject: SubjectIn
    capacity: int = Field(ge=0, le=1000)


class OfferIn(Strict):
    host: int
    mentor: int | None = None
    requirements: str = Field("", max_length=2000)
    slots: list[SlotIn] = Field(min_length=1, max_length=50)


class OfferPatch(Strict):
    mentor: int | None = None
    requirements: str | None = Field(None, max_length=2000)
    capacities: dict[int, int] | None = None


class SlotOut(Schema):
    id: int
    stage: str
    stage_label: str
    subject: str
    subject_label: str
    capacity: int
    taken: int


class OfferOut(Schema):
    id: int
    program_id: int
    host: Ref
    mentor: Ref | None
    requirements: str
    slots: list[SlotOut]
    can_manage: bool
    actions: list[str] = Field(description="the verbs the caller may do on it now")


class ApplicationIn(Strict):
    choices: list[int] = Field(max_length=20, description="offer ids, best first")
    statement: str = Field("", max_length=4000)
    applicant: int | None = Field(None, description="staff id; omit to apply for yourself")
    submit: bool = False


class ChoicesIn(Strict):
    choices: list[int] = Field(max_length=20)


class RecommendIn(Strict):
    notice_starts_on: dt.date = Field(description="today or later: a notice is not back-dated")
    notice_ends_on: dt.date = Field(
        description="at least XIETONG_NOTICE_MIN_WORKING_DAYS working days after the start"
    )
    score: float | None = None
    comment: str = Field("", max_length=500, description="the school's comment (审批意见)")


class BatchIn(Strict):
    verb: Literal["recommend", "approve", "reject"] = Field(
        description="recommend (the school), approve (the authority), reject (退回, either)"
    )
    ids: list[int] = Field(min_length=1, max_length=100, description="application ids")
    comment: str = Field(
        "", max_length=500, description="one comment (审批意见) for all; a return's reason"
    )
    notice_starts_on: dt.date | None = Field(
        None, description="recommend: the public notice's first day (default today)"
    )
    notice_ends_on: dt.date | None = Field(
        None, description="recommend: its last day (default: the shortest notice allowed)"
    )


class BatchRowOut(Schema):
    id: int
    outcome: Literal["done", "refused"]
    status: str = Field(description="the application's status after the decision; empty if refused")
    code: str = Field(description="why refused: forbidden, not_found, conflict, invalid")
    message: str = Field(description="the reason, in the caller's language")


class BatchOut(Schema):
    verb: str
    done: int
    refused: int
    results: list[BatchRowOut] = Field(description="one per distinct id, in the order given")


class RejectIn(Strict):
    reason: str = Field(min_length=1, max_length=500)


class AssignIn(Strict):
    slot: int


class ConfirmIn(Strict):
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


class StepOut(Schema):
    step: str = Field(description="submitted, recommended, notice_starts, notice_ends, …")
    label: str = Field(description="the step's name in the caller's language")
    at: dt.datetime | dt.date | None = Field(description="when; a day for the public notice")
    done: bool
    comment: str = ""


class ChoiceOut(Schema):
    rank: int
    offer_id: int
    host: str


class ApplicationOut(Schema):
    id: int
    program: Ref
    applicant: Ref
    home: Ref
    status: str
    statement: str
    choices: list[ChoiceOut]
    notice_starts_on: dt.date | None
    notice_ends_on: dt.date | None
    matched_host: str | None
    matched_rank: int | None
    reject_reason: str
    recommend_comment: str
    approve_comment: str
    timeline: list[StepOut] = Field(description="every step reached, with its time, in order")
    actions: list[str] = Field(description="the verbs the caller may do on it now")


class ApplicationPage(PageOut[ApplicationOut]):
    pass


class RunIn(Strict):
    mode: Literal["stable", "min_cost"] = "stable"
    parameters: dict[str, Any] = {}


class RunOut(Schema):
    id: int
    program_id: int
    mode: str
    parameters: dict[str, Any]
    status: str = Field(description="queued, running, failed (from its job), done, published")
    progress: int = Field(description="0–100, from its job")
    statistics: dict[str, Any] | None
    error: str = Field(description="why its job failed, in the caller's language")
    created_at: dt.datetime
    published_at: dt.datetime | None
    actions: list[str] = Field(description="the verbs the caller may do on it now")

    job: JobOut | None = Field(description="the job executing the run (also at /api/jobs/{id})")

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return str(obj.state)

    @staticmethod
    def resolve_progress(obj: Any) -> int:
        return obj.job.percent if obj.job else 0

    @staticmethod
    def resolve_error(obj: Any) -> str:
        return obj.job.message if obj.job and obj.job.status in RETRYABLE else ""

    @staticmethod
    def resolve_job(obj: Any) -> dict[str, Any] | None:
        return job_out(obj.job) if obj.job else None


class RunPage(PageOut[RunOut]):
    pass


class ResultOut(Schema):
    application_id: int
    applicant: str
    host: str | None
    slot_id: int | None
    rank: int | None
    explanation: str = Field(description="why, in the caller's language")
    reasons: dict[str, Any] = Field(description="the reason codes and parameters it renders")


class ResultPage(PageOut[ResultOut]):
    pass


class LogIn(Strict):
    week_starting: dt.date
    content: str = Field(min_length=1, max_length=4000)
    hours: int = Field(0, ge=0, le=80)


class ReportIn(Strict):
    kind: Literal["midterm", "completion"]
    content: str = Field(min_length=1, max_length=20000)


class EvaluateIn(Strict):
    score: float = Field(ge=0, le=100)
    grade: str = Field("", max_length=20)


class CompletePlacementIn(Strict):
    hours_credited: int = Field(ge=0, le=5000)


class DutyIn(Strict):
    kind: Literal["open_lesson", "report", "other"]
    due_on: dt.date
    description: str = Field("", max_length=300)


class DutyDoneIn(Strict):
    done_on: dt.date
    evidence: str = Field(min_length=1, max_length=4000)


class LogOut(Schema):
    id: int
    week_starting: dt.date
    content: str
    hours: int


class ReportOut(Schema):
    id: int
    kind: str
    side: str
    content: str
    submitted_at: dt.datetime


class DutyOut(Schema):
    id: int
    kind: str
    description: str
    due_on: dt.date
    done_on: dt.date | None
    evidence: str


class PlacementOut(Schema):
    id: int
    application_id: int
    teacher: Ref
    program: Ref
    host: Ref
    home: Ref
    mentor: Ref | None
    starts_on: dt.date
    ends_on: dt.date
    status: str
    score: float | None
    grade: str
    hours_credited: int | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None = Field(description="when its time was over (the daily job)")
    completed_at: dt.datetime | None
    actions: list[str] = Field(description="the verbs the caller may do on it now")


class PlacementDetailOut(PlacementOut):
    logs: list[LogOut]
    reports: list[ReportOut]
    duties: list[DutyOut]
    timeline: list[StepOut] = Field(description="its events by time, then those to come")


class PlacementPage(PageOut[PlacementOut]):
    pass
