"""Progress reports over JSON (under /api/plan/reports).

Evidence: ``POST /api/plan/reports/{id}/evidence`` (multipart ``file``; JPEG, PNG, PDF) —
the same service as ``POST /api/attachments`` with ``owner_type=plan.progressreport``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from xietong import access
from xietong.attachments import registry
from xietong.attachments import services as attachments
from xietong.attachments.api import _out as attachment_out
from xietong.attachments.schemas import AttachmentOut
from xietong.core.errors import NotFound, PermissionDenied
from xietong.core.filters import export_schema, filter_schema, parse_query
from xietong.core.paging import PageOut, page_envelope
from xietong.core.periods import read as read_period
from xietong.jobs import exports
from xietong.jobs.schemas import JobOut, job_out
from xietong.plan.api import ERRORS, Ref
from xietong.plan.models import Plan, ProgressReport
from xietong.plan.reports import selectors as sel
from xietong.plan.reports import services

router = Router(tags=["progress reports"])
NO_FILE: Any = File(None)


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


class ReportOut(Schema):
    id: int
    task: Ref
    body: Ref
    period: str
    due_on: dt.date
    state: str
    progress: str
    submitted_at: dt.datetime | None
    returned_at: dt.datetime | None
    accepted_at: dt.datetime | None
    actions: list[str]


class NoteOut(Schema):
    verdict: str
    comment: str
    written_at: dt.datetime


class ReportDetailOut(ReportOut):
    narrative: str
    review_comment: str
    values: dict[str, Any]
    notes: list[NoteOut]


class ReportPage(PageOut[ReportOut]):
    pass


class ReportQuery(filter_schema(sel.Filters)):  # type: ignore[misc]
    """The report list's filters and paging."""


class ReportIn(Schema):
    task: int = Field(ge=1, le=2**63 - 1)
    body: int | None = Field(None, ge=1, le=2**63 - 1)
    period: str = Field("", max_length=20, description="2025Q3; the last ended quarter if empty")
    progress: str = Field("on_track", max_length=12)
    narrative: str = Field("", max_length=8000)


class ReportEdit(Schema):
    period: str = Field("", max_length=20)
    progress: str = Field("on_track", max_length=12)
    narrative: str = Field("", max_length=8000)


class ReviewIn(Schema):
    comment: str = Field("", max_length=4000)


class RateRowOut(Schema):
    body: Ref
    period: str
    expected: int
    submitted: int
    on_time: int
    accepted: int
    rate: float | None
    on_time_rate: float | None


class RateOut(Schema):
    plan: Ref
    periods: list[str]
    rows: list[RateRowOut]


class RateQuery(Schema):
    plan: int | None = Field(None, ge=1, le=2**63 - 1)
    period: str = Field("", max_length=20)


def _ref(obj: Any) -> dict[str, Any]:
    return {"id": obj.pk, "name": str(getattr(obj, "name", None) or obj)}


def _out(actor: Any, r: ProgressReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "task": {"id": r.task_id, "name": f"{r.task.code} {r.task.display_title}"},
        "body": _ref(r.body),
        "period": r.period,
        "due_on": r.due_on,
        "state": r.state,
        "progress": r.progress,
        "submitted_at": r.submitted_at,
        "returned_at": r.returned_at,
        "accepted_at": r.accepted_at,
        "actions": sorted(access.actions(actor, r)),
    }


def _detail(actor: Any, pk: int) -> dict[str, Any]:
    r = sel.report_detail(actor, pk)
    return {
        **_out(actor, r),
        "narrative": r.narrative,
        "review_comment": r.review_comment,
        "values": r.values,
        "notes": [
            {"verdict": n.verdict, "comment": n.comment, "written_at": n.written_at}
            for n in sel.notes_of(r)
        ],
    }


def _gate(actor: Any) -> None:
    if not access.can(actor, "plan.reports"):
        raise PermissionDenied()


ReportExportQuery = export_schema(sel.Filters)


@router.post(
    "/export",
    response={200: None, 202: JobOut, **ERRORS},
    summary="Export the report list's rows for its filters (xlsx or csv)",
    description=(
        "The list's own filters, all its pages, in its order. Up to XIETONG_EXPORT_SYNC_ROWS "
        "rows: the file in the response; more: 202 with the job that writes it."
    ),
)
def export_reports(request: HttpRequest, query: Query[ReportExportQuery]) -> Any:  # type: ignore[valid-type]
    params = query.model_dump(exclude={"format"})  # type: ignore[attr-defined]
    done = exports.export(_actor(request), "plan.reports", params, query.format)  # type: ignore[attr-defined]
    if done.job is not None:
        return 202, job_out(done.job)
    return exports.download(done)


@router.get("/", response={200: ReportPage, **ERRORS}, summary="List progress reports")
def list_reports(request: HttpRequest, query: Query[ReportQuery]) -> Any:
    actor = _actor(request)
    _gate(actor)
    filters = parse_query(sel.Filters, query, actor=actor)
    qs = sel.reports_for(actor, filters)
    return page_envelope(qs, query.page, query.page_size, lambda r: _out(actor, r))


@router.get("/rate", response={200: RateOut, **ERRORS}, summary="The reporting rate")
def reporting_rate(request: HttpRequest, query: Query[RateQuery]) -> Any:
    actor = _actor(request)
    _gate(actor)
    plans = Plan.objects.order_by("-starts_on")
    plan = plans.filter(pk=query.plan).first() if query.plan else plans.first()
    if plan is None:
        raise NotFound()
    period = ""
    if query.period:
        period = read_period(query.period).code
    table = sel.reporting_rate(actor, plan, period=period)
    return {
        "plan": _ref(plan),
        "periods": table.periods,
        "rows": [
            {
                "body": _ref(r.body),
                "period": r.period,
                "expected": r.expected,
                "submitted": r.submitted,
                "on_time": r.on_time,
                "accepted": r.accepted,
                "rate": r.rate,
                "on_time_rate": r.on_time_rate,
            }
            for r in table.rows
        ],
    }


@router.get("/{int:pk}", response={200: ReportDetailOut, **ERRORS}, summary="One report")
def get_report(request: HttpRequest, pk: int) -> Any:
    return _detail(_actor(request), pk)


@router.post("/", response={201: ReportDetailOut, **ERRORS}, summary="Start a draft report")
def create_report(request: HttpRequest, payload: ReportIn) -> Any:
    actor = _actor(request)
    data = services.ReportIn(
        period=payload.period, progress=payload.progress, narrative=payload.narrative
    )
    r = services.start_report(actor, payload.task, data, body_id=payload.body)
    return 201, _detail(actor, r.pk)


@router.put("/{int:pk}", response={200: ReportDetailOut, **ERRORS}, summary="Change a draft")
def edit_report(request: HttpRequest, pk: int, payload: ReportEdit) -> Any:
    actor = _actor(request)
    services.edit_report(actor, pk, services.ReportIn(**payload.model_dump()))
    return _detail(actor, pk)


@router.delete("/{int:pk}", response={204: None, **ERRORS}, summary="Delete a draft")
def delete_report(request: HttpRequest, pk: int) -> Any:
    services.delete_report(_actor(request), pk)
    return 204, None


@router.post("/{int:pk}/submit", response={200: ReportDetailOut, **ERRORS}, summary="Submit")
def submit_report(request: HttpRequest, pk: int) -> Any:
    actor = _actor(request)
    services.submit_report(actor, pk)
    return _detail(actor, pk)


@router.post(
    "/{int:pk}/return", response={200: ReportDetailOut, **ERRORS}, summary="Return with a comment"
)
def return_report(request: HttpRequest, pk: int, payload: ReviewIn) -> Any:
    actor = _actor(request)
    services.return_report(actor, pk, payload.comment)
    return _detail(actor, pk)


@router.post("/{int:pk}/accept", response={200: ReportDetailOut, **ERRORS}, summary="Accept")
def accept_report(request: HttpRequest, pk: int, payload: ReviewIn) -> Any:
    actor = _actor(request)
    services.accept_report(actor, pk, payload.comment)
    return _detail(actor, pk)


@router.post(
    "/{int:pk}/evidence", response={201: AttachmentOut, **ERRORS}, summary="Attach evidence"
)
def upload_evidence(
    request: HttpRequest,
    pk: int,
    label: Form[str] = "",
    file: UploadedFile | None = NO_FILE,
) -> Any:
    actor = _actor(request)
    owner = registry.resolve_owner(actor, "plan.progressreport", pk)
    att = attachments.attach(actor, owner, file, kind="evidence", label=label)
    return 201, attachment_out(actor, att, owner)
