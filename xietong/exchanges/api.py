"""Exchanges over JSON (mounted at /api/exchanges): thin wrappers over selectors and services."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from xietong import access
from xietong.core.codes import STAGES, SUBJECTS, TITLES
from xietong.core.counting import RowCount
from xietong.core.filters import export_schema, filter_schema, parse_query
from xietong.core.paging import PageOut, page_envelope, paginate
from xietong.core.termfields import SchoolYearIn, span, term_out, year_span
from xietong.exchanges import coverage as coverage_reads
from xietong.exchanges import selectors, services
from xietong.exchanges.explanations import render as render_explanation
from xietong.exchanges.models import (
    Application,
    HostOffer,
    MatchingRun,
    MatchResult,
    Placement,
    Program,
)
from xietong.exchanges.schemas import (
    ApplicationIn,
    ApplicationOut,
    ApplicationPage,
    AssignIn,
    BatchIn,
    BatchOut,
    ChoicesIn,
    CompletePlacementIn,
    ConfirmIn,
    DutyDoneIn,
    DutyIn,
    DutyOut,
    Error,
    EvaluateIn,
    LogIn,
    LogOut,
    OfferIn,
    OfferOut,
    OfferPatch,
    PlacementDetailOut,
    PlacementOut,
    PlacementPage,
    ProgramIn,
    ProgramOut,
    ProgramPage,
    ProgramPatch,
    RecommendIn,
    RejectIn,
    RepeatIn,
    ReportIn,
    ReportOut,
    ResultOut,
    ResultPage,
    RunIn,
    RunOut,
    RunPage,
    StatusIn,
)
from xietong.exchanges.timeline import Step, application_steps, placement_steps
from xietong.jobs import exports
from xietong.jobs import selectors as jobs_selectors
from xietong.jobs.schemas import JobOut, job_out
from xietong.notifications import api as notifications_api
from xietong.notifications.schemas import (
    MarkedOut,
    MarkReadIn,
    NotificationPage,
    NotificationQuery,
)

router = Router(tags=["exchanges"])
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


_page = page_envelope


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


def _program_out(actor: Any, p: Program) -> dict[str, Any]:
    return {
        "id": p.pk,
        "kind": p.kind,
        "title": p.title,
        "organiser": _ref(p.organiser),
        "region_code": p.region.code,
        "school_term": term_out(p.school_term),
        "school_year": p.school_year,
        "term": p.term,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "opens_at": p.opens_at,
        "closes_at": p.closes_at,
        "max_choices": p.max_choices,
        "quota": p.quota,
        "status": p.status,
        "eligibility": {
            "stages": STAGES.labelled(p.codes("elig_stages")),
            "subjects": SUBJECTS.labelled(p.codes("elig_subjects")),
            "titles": TITLES.labelled(p.codes("elig_titles")),
            "positions": p.codes("elig_positions"),
            "min_years": p.min_years,
            "min_age": p.min_age,
            "max_age": p.max_age,
        },
        "can_manage": bool(getattr(p, "can_manage", False)),
        "actions": sorted(access.actions(actor, p)),
    }


def _offer_out(actor: Any, o: HostOffer) -> dict[str, Any]:
    return {
        "id": o.pk,
        "program_id": o.program_id,
        "host": _ref(o.host),
        "mentor": _ref(o.mentor),
        "requirements": o.requirements,
        "slots": [
            {
                "id": s.pk,
                "stage": s.stage,
                "stage_label": STAGES.label(s.stage),
                "subject": s.subject,
                "subject_label": s.subject_label,
                "capacity": s.capacity,
                "taken": s.taken,
            }
            for s in o.slots.all()
        ],
        "can_manage": bool(getattr(o, "can_manage", False)),
        "actions": sorted(access.actions(actor, o)),
    }


def _application_out(actor: Any, a: Application) -> dict[str, Any]:
    return {
        "id": a.pk,
        "program": {"id": a.program_id, "name": a.program.title},
        "applicant": _ref(a.applicant),
        "home": _ref(a.home),
        "status": a.status,
        "statement": a.statement,
        "choices": [
            {"rank": c.rank, "offer_id": c.offer_id, "host": c.offer.host.name}
            for c in a.choices.all()
        ],
        "notice_starts_on": a.notice_starts_on,
        "notice_ends_on": a.notice_ends_on,
        "matched_host": a.matched_slot.offer.host.name if a.matched_slot else None,
        "matched_rank": a.matched_rank,
        "reject_reason": a.reject_reason,
        "recommend_comment": a.recommend_comment,
        "approve_comment": a.approve_comment,
        "timeline": _steps(application_steps(a, getattr(a, "placement", None))),
        "actions": sorted(access.actions(actor, a)),
    }


def _steps(steps: list[Step]) -> list[dict[str, Any]]:
    return [
        {"step": s.key, "label": s.label, "at": s.at, "done": s.done, "comment": s.comment}
        for s in steps
    ]


def _run_out(actor: Any, run: MatchingRun) -> MatchingRun:
    run.actions = sorted(access.actions(actor, run))  # type: ignore[attr-defined]
    return run


def _result_out(r: MatchResult) -> dict[str, Any]:
    return {
        "application_id": r.application_id,
        "applicant": str(r.application.applicant) if hasattr(r, "application") else "",
        "host": r.slot.offer.host.name if r.slot else None,
        "slot_id": r.slot_id,
        "rank": r.rank,
        "explanation": render_explanation(r.explanation),
        "reasons": r.explanation,
    }


def _placement_out(actor: Any, p: Placement) -> dict[str, Any]:
    return {
        "id": p.pk,
        "application_id": p.application_id,
        "teacher": _ref(p.application.applicant),
        "program": {"id": p.application.program_id, "name": p.application.program.title},
        "host": _ref(p.host),
        "home": _ref(p.home),
        "mentor": _ref(p.mentor),
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "status": p.status,
        "score": float(p.score) if p.score is not None else None,
        "grade": p.grade,
        "hours_credited": p.hours_credited,
        "started_at": p.started_at,
        "ended_at": p.ended_at,
        "completed_at": p.completed_at,
        "actions": sorted(access.actions(actor, p)),
    }


class PageQuery(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(20, description="20, 50 or 100")


class ProgramQuery(filter_schema(selectors.ProgramFilters)):  # type: ignore[misc]
    """The list's filters (from its selector's dataclass) and paging."""


# --- programs -------------------------------------------------------------------------------


@router.get("/programs", response={200: ProgramPage, **ERRORS}, summary="List programs")
def list_programs(request: HttpRequest, query: Query[ProgramQuery]) -> Any:
    actor = _actor(request)
    filters = parse_query(selectors.ProgramFilters, query, actor=actor)
    qs = selectors.programs_for(actor, filters)
    return _page(qs, query.page, query.page_size, lambda x: _program_out(actor, x))


ProgramExportQuery = export_schema(selectors.ProgramFilters)


@router.post(
    "/programs/export",
    response={200: None, 202: JobOut, **ERRORS},
    summary="Export the program list's rows for its filters (xlsx or csv)",
    description=(
        "The list's own filters, all its pages, in its order. Up to XIETONG_EXPORT_SYNC_ROWS "
        "rows: the file in the response; more: 202 with the job that writes it."
    ),
)
def export_programs(request: HttpRequest, query: Query[ProgramExportQuery]) -> Any:  # type: ignore[valid-type]
    params = query.model_dump(exclude={"format"})  # type: ignore[attr-defined]
    done = exports.export(_actor(request), "exchanges.programs", params, query.format)  # type: ignore[attr-defined]
    if done.job is not None:
        return 202, job_out(done.job)
    return exports.download(done)


@router.post("/programs", response={201: ProgramOut, **ERRORS}, summary="Create a program")
def create_program(request: HttpRequest, payload: ProgramIn) -> Any:
    p = services.create_program(_actor(request), payload.model_dump())
    return 201, _program_out(_actor(request), selectors.program_detail(_actor(request), p.pk))


@router.get("/programs/{int:pk}", response={200: ProgramOut, **ERRORS}, summary="One program")
def get_program(request: HttpRequest, pk: int) -> Any:
    return _program_out(_actor(request), selectors.program_detail(_actor(request), pk))


@router.patch("/programs/{int:pk}", response={200: ProgramOut, **ERRORS}, summary="Change")
def update_program(request: HttpRequest, pk: int, payload: ProgramPatch) -> Any:
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items()}
    services.update_program(_actor(request), pk, data)
    return _program_out(_actor(request), selectors.program_detail(_actor(request), pk))


@router.post(
    "/programs/{int:pk}/status", response={200: ProgramOut, **ERRORS}, summary="Open/close"
)
def set_status(request: HttpRequest, pk: int, payload: StatusIn) -> Any:
    services.set_program_status(_actor(request), pk, payload.status)
    return _program_out(_actor(request), selectors.program_detail(_actor(request), pk))


@router.post(
    "/programs/{int:pk}/repeat",
    response={201: ProgramOut, **ERRORS},
    summary="Copy to the next term",
)
def repeat_program(request: HttpRequest, pk: int, payload: RepeatIn) -> Any:
    data = payload.model_dump(exclude_none=True)
    with_offers = data.pop("with_offers", True)
    copy = services.repeat_program(_actor(request), pk, data, with_offers=with_offers)
    return 201, _program_out(_actor(request), selectors.program_detail(_actor(request), copy.pk))


# --- offers ---------------------------------------------------------------------------------


@router.get("/programs/{int:pk}/offers", response={200: list[OfferOut], **ERRORS}, summary="Offers")
def list_offers(request: HttpRequest, pk: int) -> Any:
    return [_offer_out(_actor(request), o) for o in selectors.offers_for(_actor(request), pk)]


@router.post(
    "/programs/{int:pk}/offers", response={201: OfferOut, **ERRORS}, summary="Offer places"
)
def create_offer(request: HttpRequest, pk: int, payload: OfferIn) -> Any:
    data = payload.model_dump()
    offer = services.create_offer(_actor(request), pk, **data)
    return 201, _offer_out(_actor(request), selectors.offer_detail(_actor(request), offer.pk))


@router.get("/offers/{int:pk}", response={200: OfferOut, **ERRORS}, summary="One offer")
def get_offer(request: HttpRequest, pk: int) -> Any:
    return _offer_out(_actor(request), selectors.offer_detail(_actor(request), pk))


@router.patch("/offers/{int:pk}", response={200: OfferOut, **ERRORS}, summary="Change an offer")
def update_offer(request: HttpRequest, pk: int, payload: OfferPatch) -> Any:
    services.update_offer(_actor(request), pk, **payload.model_dump(exclude_unset=True))
    return _offer_out(_actor(request), selectors.offer_detail(_actor(request), pk))


@router.delete("/offers/{int:pk}", response={204: None, **ERRORS}, summary="Remove an offer")
def delete_offer(request: HttpRequest, pk: int) -> Any:
    services.delete_offer(_actor(request), pk)
    return 204, None


# --- applications ---------------------------------------------------------------------------


class ApplicationQuery(filter_schema(selectors.ApplicationFilters)):  # type: ignore[misc]
    """The list's filters (from its selector's dataclass) and paging."""


class ReviewQuery(filter_schema(selectors.ReviewFilters)):  # type: ignore[misc]
    """The list's filters (from its selector's dataclass) and paging."""


QUEUES = {
    "recommend": selectors.applications_to_recommend,
    "approve": selectors.applications_to_approve,
}


@router.get("/applications", response={200: ApplicationPage, **ERRORS}, summary="Applications")
def list_applications(request: HttpRequest, query: Query[ApplicationQuery]) -> Any:
    actor = _actor(request)
    filters = parse_query(selectors.ApplicationFilters, query, actor=actor)
    qs = selectors.applications_for(actor, filters)
    return _page(qs, query.page, query.page_size, lambda x: _application_out(actor, x))


# Before /review/{queue}: the first pattern that matches a path answers it.
@router.post(
    "/review/batch",
    response={200: BatchOut, **ERRORS},
    summary="Decide many applications at once: recommend, approve or reject (退回)",
    description=(
        "Each id goes through the same rules as a single decision (the verb among the "
        "application's actions, its state, the public notice) in its own transaction; the "
        "answer says per id whether it was done or refused, and why. Bad input for the "
        "whole batch (no ids, a return without a comment, a notice that is back-dated or "
        "too short) is a 422 and changes nothing."
    ),
)
def review_batch(request: HttpRequest, payload: BatchIn) -> Any:
    results = services.decide_many(
        _actor(request),
        payload.verb,
        payload.ids,
        comment=payload.comment,
        notice_starts_on=payload.notice_starts_on,
        notice_ends_on=payload.notice_ends_on,
    )
    done = sum(1 for r in results if r.done)
    return {
        "verb": payload.verb,
        "done": done,
        "refused": len(results) - done,
        "results": [
            {
                "id": r.id,
                "outcome": "done" if r.done else "refused",
                "status": r.status,
                "code": r.code,
                "message": r.message,
            }
            for r in results
        ],
    }


ReviewExportQuery = export_schema(selectors.ReviewFilters)


@router.post(
    "/review/{queue}/export",
    response={200: None, 202: JobOut, **ERRORS},
    summary="Export a review queue's rows for its filters (xlsx or csv)",
    description=(
        "The queue's own filters, all its pages. Up to XIETONG_EXPORT_SYNC_ROWS rows: the "
        "file in the response; more: 202 with the job that writes it."
    ),
)
def export_review_queue(
    request: HttpRequest,
    queue: Literal["recommend", "approve"],
    query: Query[ReviewExportQuery],  # type: ignore[valid-type]
) -> Any:
    params = {**query.model_dump(exclude={"format"}), "queue": queue}  # type: ignore[attr-defined]
    done = exports.export(_actor(request), "exchanges.review", params, query.format)  # type: ignore[attr-defined]
    if done.job is not None:
        return 202, job_out(done.job)
    return exports.download(done)


@router.get(
    "/review/{queue}",
    response={200: ApplicationPage, **ERRORS},
    summary="A review queue: recommend (your school) or approve (your authority)",
)
def review_queue(
    request: HttpRequest,
    queue: Literal["recommend", "approve"],
    query: Query[ReviewQuery],
) -> Any:
    actor = _actor(request)
    filters = parse_query(selectors.ReviewFilters, query, actor=actor)
    qs = QUEUES[queue](actor, filters)
    return _page(qs, query.page, query.page_size, lambda x: _application_out(actor, x))


@router.post(
    "/programs/{int:pk}/applications",
    response={201: ApplicationOut, **ERRORS},
    summary="Apply (for yourself or, as an admin, for a staff member)",
)
def create_application(request: HttpRequest, pk: int, payload: ApplicationIn) -> Any:
    app = services.create_application(_actor(request), pk, **payload.model_dump())
    return 201, _application_out(
        _actor(request), selectors.application_detail(_actor(request), app.pk)
    )


@router.get(
    "/applications/{int:pk}", response={200: ApplicationOut, **ERRORS}, summary="One application"
)
def get_application(request: HttpRequest, pk: int) -> Any:
    return _application_out(_actor(request), selectors.application_detail(_actor(request), pk))


def _after(request: HttpRequest, pk: int) -> Any:
    return _application_out(_actor(request), selectors.application_detail(_actor(request), pk))


@router.put("/applications/{int:pk}/choices", response={200: ApplicationOut, **ERRORS})
def set_choices(request: HttpRequest, pk: int, payload: ChoicesIn) -> Any:
    services.update_choices(_actor(request), pk, payload.choices)
    return _after(request, pk)


@router.post("/applications/{int:pk}/submit", response={200: ApplicationOut, **ERRORS})
def submit(request: HttpRequest, pk: int) -> Any:
    services.submit_application(_actor(request), pk)
    return _after(request, pk)


@router.post("/applications/{int:pk}/recommend", response={200: ApplicationOut, **ERRORS})
def recommend(request: HttpRequest, pk: int, payload: RecommendIn) -> Any:
    services.recommend_application(_actor(request), pk, **payload.model_dump())
    return _after(request, pk)


@router.post("/applications/{int:pk}/approve", response={200: ApplicationOut, **ERRORS})
def approve(request: HttpRequest, pk: int) -> Any:
    services.approve_application(_actor(request), pk)
    return _after(request, pk)


@router.post("/applications/{int:pk}/reject", response={200: ApplicationOut, **ERRORS})
def reject(request: HttpRequest, pk: int, payload: RejectIn) -> Any:
    services.reject_application(_actor(request), pk, payload.reason)
    return _after(request, pk)


@router.post("/applications/{int:pk}/withdraw", response={200: ApplicationOut, **ERRORS})
def withdraw(request: HttpRequest, pk: int) -> Any:
    services.withdraw_application(_actor(request), pk)
    return _after(request, pk)


@router.post("/applications/{int:pk}/assign", response={200: ApplicationOut, **ERRORS})
def assign(request: HttpRequest, pk: int, payload: AssignIn) -> Any:
    services.assign_place(_actor(request), pk, payload.slot)
    return _after(request, pk)


@router.post("/applications/{int:pk}/confirm", response={201: PlacementOut, **ERRORS})
def confirm(request: HttpRequest, pk: int, payload: ConfirmIn) -> Any:
    p = services.confirm_application(_actor(request), pk, **payload.model_dump())
    return 201, _placement_out(_actor(request), selectors.placement_detail(_actor(request), p.pk))


@router.post("/applications/{int:pk}/complete", response={200: ApplicationOut, **ERRORS})
def complete(request: HttpRequest, pk: int) -> Any:
    services.complete_application(_actor(request), pk)
    return _after(request, pk)


@router.get(
    "/applications/{int:pk}/result",
    response={200: ResultOut | None, **ERRORS},
    summary="The published matching result with its explanation",
)
def application_result(request: HttpRequest, pk: int) -> Any:
    r = selectors.application_result(_actor(request), pk)
    return _result_out(r) if r else None


@router.get("/my/results", response={200: list[ResultOut], **ERRORS}, summary="My results")
def my_results(request: HttpRequest) -> Any:
    return [_result_out(r) for r in selectors.my_results(_actor(request))[:50]]


# --- matching runs --------------------------------------------------------------------------


def _with_jobs(actor: Any, runs: list[MatchingRun]) -> list[MatchingRun]:
    """Give each run its job as the jobs selector shows it (swept, with its actions)."""
    found = jobs_selectors.jobs_for(actor).filter(pk__in=[r.job_id for r in runs if r.job_id])
    by_id = {j.pk: j for j in found.select_related("target_type")}
    for r in runs:
        r.job = by_id.get(r.job_id)  # type: ignore[arg-type]
    return runs


def _run(actor: Any, pk: int) -> MatchingRun:
    run = selectors.run_detail(actor, pk)
    if run.job_id:
        run.job = jobs_selectors.job_detail(actor, run.job_id)
    return _run_out(actor, run)


@router.post("/programs/{int:pk}/runs", response={202: RunOut, **ERRORS}, summary="Start a run")
def start_run(request: HttpRequest, pk: int, payload: RunIn) -> Any:
    run = services.start_matching_run(_actor(request), pk, payload.mode, payload.parameters)
    return 202, _run(_actor(request), run.pk)


class RunQuery(filter_schema(selectors.RunFilters)):  # type: ignore[misc]
    """The list's filters (from its selector's dataclass) and paging."""


@router.get("/programs/{int:pk}/runs", response={200: RunPage, **ERRORS}, summary="Runs")
def list_runs(request: HttpRequest, pk: int, query: Query[RunQuery]) -> Any:
    actor = _actor(request)
    filters = parse_query(selectors.RunFilters, query, actor=actor)
    qs = selectors.runs_for(actor, pk, filters)
    envelope = page_envelope(qs, query.page, query.page_size, lambda run: run)
    envelope["items"] = [_run_out(actor, r) for r in _with_jobs(actor, envelope["items"])]
    return envelope


@router.get("/runs/{int:pk}", response={200: RunOut, **ERRORS}, summary="Status and progress")
def get_run(request: HttpRequest, pk: int) -> Any:
    return _run(_actor(request), pk)


@router.get("/runs/{int:pk}/results", response={200: ResultPage, **ERRORS}, summary="Results")
def run_results(request: HttpRequest, pk: int, query: Query[PageQuery]) -> Any:
    qs = selectors.run_results(_actor(request), pk)
    return _page(qs, query.page, query.page_size, _result_out)


@router.post("/runs/{int:pk}/publish", response={200: RunOut, **ERRORS}, summary="Publish")
def publish_run(request: HttpRequest, pk: int) -> Any:
    services.publish_run(_actor(request), pk)
    return _run(_actor(request), pk)


# --- placements -----------------------------------------------------------------------------


class PlacementQuery(filter_schema(selectors.PlacementFilters)):  # type: ignore[misc]
    """The list's filters (from its selector's dataclass) and paging."""


PlacementExportQuery = export_schema(selectors.PlacementFilters)


@router.post(
    "/placements/export",
    response={200: None, 202: JobOut, **ERRORS},
    summary="Export the placement list's rows for its filters (xlsx or csv)",
    description=(
        "The list's own filters, all its pages, in its order. Up to XIETONG_EXPORT_SYNC_ROWS "
        "rows: the file in the response; more: 202 with the job that writes it."
    ),
)
def export_placements(request: HttpRequest, query: Query[PlacementExportQuery]) -> Any:  # type: ignore[valid-type]
    params = query.model_dump(exclude={"format"})  # type: ignore[attr-defined]
    done = exports.export(_actor(request), "exchanges.placements", params, query.format)  # type: ignore[attr-defined]
    if done.job is not None:
        return 202, job_out(done.job)
    return exports.download(done)


@router.get("/placements", response={200: PlacementPage, **ERRORS}, summary="Placements")
def list_placements(request: HttpRequest, query: Query[PlacementQuery]) -> Any:
    actor = _actor(request)
    filters = parse_query(selectors.PlacementFilters, query, actor=actor)
    qs = selectors.placements_for(actor, filters)
    return _page(qs, query.page, query.page_size, lambda x: _placement_out(actor, x))


def _placement_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    p = selectors.placement_detail(_actor(request), pk)
    out = _placement_out(_actor(request), p)
    out["logs"] = list(p.logs.all())
    out["reports"] = list(p.reports.all())
    out["duties"] = list(p.duties.all())
    out["timeline"] = _steps(placement_steps(p))
    return out


@router.get("/placements/{int:pk}", response={200: PlacementDetailOut, **ERRORS})
def get_placement(request: HttpRequest, pk: int) -> Any:
    return _placement_detail(request, pk)


@router.post("/placements/{int:pk}/start", response={200: PlacementDetailOut, **ERRORS})
def start_placement(request: HttpRequest, pk: int) -> Any:
    services.start_placement(_actor(request), pk)
    return _placement_detail(request, pk)


@router.post("/placements/{int:pk}/logs", response={201: LogOut, **ERRORS})
def add_log(request: HttpRequest, pk: int, payload: LogIn) -> Any:
    return 201, services.add_log(_actor(request), pk, **payload.model_dump())


@router.post("/placements/{int:pk}/reports", response={201: ReportOut, **ERRORS})
def add_report(request: HttpRequest, pk: int, payload: ReportIn) -> Any:
    return 201, services.submit_report(_actor(request), pk, **payload.model_dump())


@router.post("/placements/{int:pk}/evaluation", response={200: PlacementDetailOut, **ERRORS})
def evaluate(request: HttpRequest, pk: int, payload: EvaluateIn) -> Any:
    services.evaluate_placement(_actor(request), pk, **payload.model_dump())
    return _placement_detail(request, pk)


@router.post("/placements/{int:pk}/complete", response={200: PlacementDetailOut, **ERRORS})
def complete_placement(request: HttpRequest, pk: int, payload: CompletePlacementIn) -> Any:
    services.complete_placement(_actor(request), pk, **payload.model_dump())
    return _placement_detail(request, pk)


@router.post("/placements/{int:pk}/duties", response={201: DutyOut, **ERRORS})
def add_duty(request: HttpRequest, pk: int, payload: DutyIn) -> Any:
    return 201, services.add_return_duty(_actor(request), pk, **payload.model_dump())


@router.post("/duties/{int:pk}/done", response={200: DutyOut, **ERRORS})
def duty_done(request: HttpRequest, pk: int, payload: DutyDoneIn) -> Any:
    return services.complete_return_duty(_actor(request), pk, **payload.model_dump())


# --- coverage -------------------------------------------------------------------------------


class CoverageQuery(Schema):
    school_year: SchoolYearIn
    term: int | None = Field(None, ge=1, le=2, description="1 or 2; none: the whole year")
    area: str = ""
    institution: int | None = None
    program: int | None = None


def _filters(q: CoverageQuery) -> selectors.CoverageFilters:
    return selectors.CoverageFilters(
        terms=year_span(q.school_year, q.term),
        area=q.area,
        institution_id=q.institution,
        program_id=q.program,
    )


@router.get("/coverage", response={200: dict[str, Any], **ERRORS}, summary="Coverage")
def coverage(request: HttpRequest, query: Query[CoverageQuery]) -> Any:
    f = _filters(query)
    return {
        "total": selectors.coverage_total(_actor(request), f),
        "institutions": selectors.coverage_by_institution(_actor(request), f),
    }


@router.get(
    "/coverage/national-rule",
    response={200: list[dict[str, Any]], **ERRORS},
    summary="≥10% rotated, ≥20% of them backbone, per school",
)
def national_rule(request: HttpRequest, query: Query[CoverageQuery]) -> Any:
    return selectors.national_rule(_actor(request), _filters(query))


class ReciprocityQuery(Schema):
    a: int = Field(ge=1, le=2**63 - 1, description="id of one institution")
    b: int = Field(ge=1, le=2**63 - 1, description="id of the other institution")
    school_year: SchoolYearIn | None = None


@router.get("/coverage/reciprocity", response={200: dict[str, int], **ERRORS})
def reciprocity(request: HttpRequest, query: Query[ReciprocityQuery]) -> Any:
    terms = span(query.school_year, None)
    return selectors.reciprocity(_actor(request), query.a, query.b, terms)


class CoverageRowOut(Schema):
    institution_id: int
    institution: str
    region: str
    eligible: int
    completed: int
    share: float
    full_coverage: bool
    rotated: int
    rotated_share: float
    backbone_rotated: int
    backbone_share: float
    rotation_ok: bool
    backbone_ok: bool
    gap: int = Field(
        description="the fewest more eligible teachers who must rotate (backbone first) for "
        "the school to meet the rule: ≥10% rotated, ≥20% of them backbone; 0 when met"
    )


class CoverageSchoolsPage(PageOut[CoverageRowOut]):
    school_year: str
    term: int | None
    sort: str
    total: dict[str, Any]
    full: int
    flagged: int


Sort = Literal["gap", "rotated_share", "share", "eligible", "name"]


class CoverageSchoolsQuery(Schema):
    school_year: SchoolYearIn | None = Field(
        None, description="none: the latest finished term with exchanges in the caller's scope"
    )
    term: int | None = Field(None, ge=1, le=2, description="1 or 2; none: the whole year")
    area: str = Field("", max_length=20)
    institution: int | None = Field(None, ge=1, le=2**63 - 1)
    sort: Sort = Field("gap", description="gap: furthest below the rule first")
    page: int = Field(1, ge=1, le=2**63 - 1)
    page_size: int = Field(20, description="20, 50 or 100")


def _schools_filters(request: HttpRequest, q: CoverageSchoolsQuery) -> tuple[Any, Any, Any]:
    actor = _actor(request)
    latest = coverage_reads.latest_finished_term(actor)  # refuses non-readers first
    year, term = (
        (q.school_year, q.term) if q.school_year is not None else (latest.start_year, latest.term)
    )
    f = selectors.CoverageFilters(
        terms=year_span(year, term), area=q.area, institution_id=q.institution
    )
    return f, year, term


@router.get(
    "/coverage/schools",
    response={200: CoverageSchoolsPage, **ERRORS},
    summary="Every school of my scope with its gap to the national rule, sorted and paged",
)
def coverage_schools(request: HttpRequest, query: Query[CoverageSchoolsQuery]) -> Any:
    actor = _actor(request)
    f, year, term = _schools_filters(request, query)
    figures = coverage_reads.coverage_figures(actor, f)
    table = coverage_reads.coverage_page_table(actor, f, query.sort, count=figures["count"])
    p = paginate(table, query.page, query.page_size, count=RowCount(figures["count"], exact=True))  # type: ignore[arg-type]
    return {
        "count": p.paginator.count,
        "page": p.number,
        "page_size": p.paginator.per_page,
        "pages": p.paginator.num_pages,
        "next": p.next_page_number() if p.has_next() else None,
        "items": list(p.object_list),
        "school_year": f"{year}-{year + 1}",
        "term": term,
        "sort": query.sort,
        "total": figures["total"],
        "full": figures["full"],
        "flagged": figures["flagged"],
    }


class CoverageExportIn(Schema):
    school_year: SchoolYearIn
    term: int | None = Field(None, ge=1, le=2)
    area: str = Field("", max_length=20)
    institution: int | None = Field(None, ge=1, le=2**63 - 1)
    sort: Sort = "gap"
    format: Literal["xlsx"] = "xlsx"


@router.post(
    "/coverage/export",
    response={200: None, 202: JobOut, **ERRORS},
    summary="Export the coverage table to xlsx (my scope only)",
    description=(
        "Up to XIETONG_EXPORT_SYNC_ROWS schools: the workbook in the response. More: 202 with "
        "the job that writes it; follow GET /api/jobs/{id} and download its result_file."
    ),
)
def coverage_export(request: HttpRequest, payload: CoverageExportIn) -> Any:
    params = payload.model_dump(exclude={"format"})
    done = exports.export(_actor(request), "exchanges.coverage", params, payload.format)
    if done.job is not None:
        return 202, job_out(done.job)
    return exports.download(done)


class CompareQuery(Schema):
    a: int = Field(ge=1, le=2**63 - 1, description="id of one school")
    b: int = Field(ge=1, le=2**63 - 1, description="id of the other school")
    school_year: SchoolYearIn
    term: int | None = Field(None, ge=1, le=2)


class CompareOut(Schema):
    a: CoverageRowOut | None = Field(description="none: no eligible teachers in my scope")
    b: CoverageRowOut | None
    reciprocity: dict[str, int]


@router.get(
    "/coverage/compare",
    response={200: CompareOut, **ERRORS},
    summary="Two schools side by side: coverage, gap and the exchanges between them",
)
def coverage_compare(request: HttpRequest, query: Query[CompareQuery]) -> Any:
    terms = year_span(query.school_year, query.term)
    return coverage_reads.compare(_actor(request), query.a, query.b, terms)


# --- notifications (moved to /api/notifications/; these addresses keep working) -------------


@router.get(
    "/notifications",
    response={200: NotificationPage, **ERRORS},
    deprecated=True,
    summary="Your notifications (use GET /api/notifications/)",
)
def list_notifications(request: HttpRequest, query: Query[NotificationQuery]) -> Any:
    return notifications_api.page(request, query)


@router.post(
    "/notifications/read",
    response={200: MarkedOut, **ERRORS},
    deprecated=True,
    summary="Mark notifications read (use POST /api/notifications/read)",
)
def mark_read(request: HttpRequest, payload: MarkReadIn) -> Any:
    return notifications_api.mark_read(request, payload)
