"""The coverage export: the coverage page's schools in its order, as an Excel workbook.

Authorities and institution admins export what their coverage page shows (capability
``exchanges.export_coverage``): the rows come from the same scoped table, so an authority's
file holds the schools of its region only, whatever area it asks for. Past
``XIETONG_EXPORT_SYNC_ROWS`` schools the export is a job (see ``xietong.jobs.exports``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.access import Actor
from xietong.core.errors import InvalidInput, NotFound, PermissionDenied
from xietong.core.pickers import bound
from xietong.core.tables import Column
from xietong.core.termfields import year_span
from xietong.core.terms import SchoolTerm
from xietong.exchanges.coverage import CoverageTable
from xietong.exchanges.selectors import CoverageFilters
from xietong.jobs.exports import ExportKind, Params, filter_params, filters_from, register

NAME = "exchanges.coverage"


def _filters(p: Params) -> CoverageFilters:
    return CoverageFilters(
        terms=year_span(p["school_year"], p.get("term")),
        area=p.get("area", ""),
        institution_id=p.get("institution"),
    )


def check(actor: Actor, raw: Mapping[str, Any]) -> Params:
    """The coverage page's own filters, checked by its form (same rules, same words)."""
    from xietong.exchanges.forms import CoverageForm

    data = {k: "" if v is None else str(v) for k, v in raw.items()}
    year = raw.get("school_year")
    if isinstance(year, int) and not isinstance(year, bool):
        data["school_year"] = f"{year}-{year + 1}"  # as stored in a job's parameters
    form = CoverageForm(data, institutions=bound("institutions", actor))
    if not form.is_valid():
        raise InvalidInput(fields={k: [str(m) for m in v] for k, v in form.errors.items()})
    params = form.params()
    try:
        CoverageTable(actor, _filters(params))  # resolves the area once
    except NotFound as e:
        raise InvalidInput(fields={"area": [str(e.message)]}) from None
    return params


def count(actor: Actor, p: Params) -> int:
    return CoverageTable(actor, _filters(p), p.get("sort", "gap")).count()


def columns(p: Params) -> Sequence[Column]:
    return [
        Column(_("Institution"), "text", 34),
        Column(_("Region"), "text", 14),
        Column(_("Eligible teachers"), "int", 12),
        Column(_("Completed"), "int", 12),
        Column(_("Share completed"), "percent", 12),
        Column(_("Rotated"), "int", 10),
        Column(_("Share rotated"), "percent", 12),
        Column(_("Backbone among them"), "int", 12),
        Column(_("Backbone share"), "percent", 12),
        Column(_("Teachers short of the rule"), "int", 14),
        Column(_("National rule"), "text", 18),
        Column(_("Full coverage"), "text", 10),
    ]


def rule_text(row: Mapping[str, Any]) -> str:
    if row["rotation_ok"] and row["backbone_ok"]:
        return _("Met")
    return _("Below 10% rotated") if not row["rotation_ok"] else _("Below 20% backbone")


def rows(actor: Actor, p: Params) -> Iterator[list[Any]]:
    for r in CoverageTable(actor, _filters(p), p.get("sort", "gap")):
        yield [
            r["institution"],
            r["region"],
            r["eligible"],
            r["completed"],
            r["share"],
            r["rotated"],
            r["rotated_share"],
            r["backbone_rotated"],
            r["backbone_share"],
            r["gap"],
            rule_text(r),
            _("Yes") if r["full_coverage"] else _("No"),
        ]


def _period(p: Params) -> str:
    year, term = p["school_year"], p.get("term")
    return SchoolTerm(year, term).code if term else f"{year}-{year + 1}"


def filename(p: Params) -> str:
    area = f"_{p['area']}" if p.get("area") else ""
    return f"{_('coverage')}_{_period(p)}{area}"


register(
    ExportKind(
        name=NAME,
        label=gettext_lazy("Coverage export"),
        capability="exchanges.export_coverage",
        denied=gettext_lazy("Coverage is exported by authorities and institution admins."),
        check=check,
        count=count,
        columns=columns,
        rows=rows,
        filename=filename,
        sheet=lambda p: _("Coverage") + " " + _period(p),
        formats=("xlsx",),
    )
)


# --- the program list ----------------------------------------------------------------------

PROGRAMS = "exchanges.programs"
PROGRAM_ORDER = ("-term_key", "title", "id")  # the program list's order (Program.Meta)


def _program_filters(p: Params) -> Any:
    from xietong.exchanges.selectors import ProgramFilters

    return filters_from(ProgramFilters, p)


def _programs(actor: Actor, p: Params) -> Any:
    from xietong.exchanges.selectors import programs_for

    return programs_for(actor, _program_filters(p)).order_by(*PROGRAM_ORDER)


def check_programs(actor: Actor, raw: Mapping[str, Any]) -> Params:
    """The program list's filters, checked by its own form."""
    from xietong.exchanges.selectors import ProgramFilters

    params = filter_params(ProgramFilters, actor, raw)
    try:
        _programs(actor, params)
    except NotFound as e:
        raise InvalidInput(fields={"area": [str(e.message)]}) from None
    return params


def program_columns(p: Params) -> Sequence[Column]:
    return [
        Column(_("Program title"), "text", 34),
        Column(_("Kind"), "text", 12),
        Column(_("Organising authority"), "text", 28),
        Column(_("Region"), "text", 12),
        Column(_("Term"), "text", 22),
        Column(_("Starts on"), "date", 12),
        Column(_("Ends on"), "date", 12),
        Column(_("Applications open"), "datetime", 18),
        Column(_("Applications close"), "datetime", 18),
        Column(_("Offers"), "int", 8),
        Column(_("Status"), "text", 12),
    ]


def program_rows(actor: Actor, p: Params) -> Iterator[list[Any]]:
    from django.db.models import Count

    from xietong.exchanges.choices import ProgramKind, ProgramStatus

    kinds = {k: str(v) for k, v in ProgramKind.choices}
    statuses = {k: str(v) for k, v in ProgramStatus.choices}
    fields = (
        "title", "kind", "organiser__name", "region__name", "school_year", "term", "starts_on",
        "ends_on", "opens_at", "closes_at", "offer_count", "status",
    )  # fmt: skip
    qs = _programs(actor, p).annotate(offer_count=Count("offers", distinct=True))
    for row in qs.values_list(*fields).iterator(chunk_size=2000):
        title, kind, organiser, region, year, term, starts, ends, opens, closes, n, status = row
        yield [
            title,
            kinds.get(kind, kind),
            organiser,
            region,
            SchoolTerm.parse((year, term)).label(),
            starts,
            ends,
            opens,
            closes,
            n,
            statuses.get(status, status),
        ]


register(
    ExportKind(
        name=PROGRAMS,
        label=gettext_lazy("Exchange programs export"),
        capability="exchanges.export_programs",
        denied=gettext_lazy(
            "Exchange programs are exported by authorities and institution admins."
        ),
        check=check_programs,
        count=lambda actor, p: _programs(actor, p).count(),
        columns=program_columns,
        rows=program_rows,
        filename=lambda p: f"{_('exchange-programs')}_{timezone.localdate().isoformat()}",
        sheet=lambda p: _("Exchange programs"),
    )
)


# --- the placement list --------------------------------------------------------------------

PLACEMENTS = "exchanges.placements"
PLACEMENT_ORDER = ("-id",)  # the placement list's order (Placement.Meta)


def _placements(actor: Actor, p: Params) -> Any:
    from xietong.exchanges.selectors import PlacementFilters, placements_for

    return placements_for(actor, filters_from(PlacementFilters, p)).order_by(*PLACEMENT_ORDER)


def check_placements(actor: Actor, raw: Mapping[str, Any]) -> Params:
    """The placement list's filters, checked by its own form."""
    from xietong.exchanges.selectors import PlacementFilters

    return filter_params(PlacementFilters, actor, raw)


def placement_columns(p: Params) -> Sequence[Column]:
    return [
        Column(_("Teacher"), "text", 12),
        Column(_("Program"), "text", 30),
        Column(_("Home institution"), "text", 28),
        Column(_("Host institution"), "text", 28),
        Column(_("Mentor"), "text", 12),
        Column(_("Starts on"), "date", 12),
        Column(_("Ends on"), "date", 12),
        Column(_("Status"), "text", 12),
    ]


def placement_rows(actor: Actor, p: Params) -> Iterator[list[Any]]:
    from xietong.exchanges.choices import PlacementStatus

    statuses = {k: str(v) for k, v in PlacementStatus.choices}
    fields = (
        "application__applicant__name", "application__program__title", "home__name",
        "host__name", "mentor__name", "starts_on", "ends_on", "status",
    )  # fmt: skip
    for row in _placements(actor, p).values_list(*fields).iterator(chunk_size=2000):
        *values, status = row
        yield [*values, statuses.get(status, status)]


register(
    ExportKind(
        name=PLACEMENTS,
        label=gettext_lazy("Placements export"),
        capability="exchanges.export_placements",
        denied=gettext_lazy("Placements are exported by authorities and institution admins."),
        check=check_placements,
        count=lambda actor, p: _placements(actor, p).count(),
        columns=placement_columns,
        rows=placement_rows,
        filename=lambda p: f"{_('placements')}_{timezone.localdate().isoformat()}",
        sheet=lambda p: _("Placements"),
    )
)


# --- the review queues ---------------------------------------------------------------------

REVIEW = "exchanges.review"
REVIEW_ORDER = ("-id",)  # the queues' order (Application.Meta)
# Each queue and the capability of its step (the review page shows the queues it holds).
QUEUE_CAPABILITIES = {"recommend": "exchanges.recommend", "approve": "exchanges.approve"}


def _queue(actor: Actor, p: Params) -> Any:
    from xietong.exchanges import selectors

    filters = filters_from(selectors.ReviewFilters, p)
    select = (
        selectors.applications_to_recommend
        if p["queue"] == "recommend"
        else selectors.applications_to_approve
    )
    return select(actor, filters).order_by(*REVIEW_ORDER)


def check_review(actor: Actor, raw: Mapping[str, Any]) -> Params:
    """Which queue (``recommend`` or ``approve``, one the actor holds) and the page's filters."""
    from xietong import access
    from xietong.exchanges.selectors import ReviewFilters

    queue = str(raw.get("queue") or "")
    if queue not in QUEUE_CAPABILITIES:
        raise InvalidInput(fields={"queue": [_("Choose the queue: recommend or approve.")]})
    if not access.can(actor, QUEUE_CAPABILITIES[queue]):
        raise PermissionDenied(_("This review queue is not yours."))
    return {**filter_params(ReviewFilters, actor, raw), "queue": queue}


def review_columns(p: Params) -> Sequence[Column]:
    return [
        Column(_("Applicant"), "text", 12),
        Column(_("Home institution"), "text", 28),
        Column(_("Program"), "text", 30),
        Column(_("Choices"), "text", 40),
        Column(_("Submitted"), "datetime", 18),
        Column(_("Public notice from"), "date", 12),
        Column(_("Public notice until"), "date", 12),
        Column(_("Status"), "text", 12),
    ]


def review_rows(actor: Actor, p: Params) -> Iterator[list[Any]]:
    """The queue's applications, 500 at a time with their choices (one prefetch a chunk)."""
    for a in _queue(actor, p).iterator(chunk_size=500):
        choices = "；".join(f"{c.rank}. {c.offer.host.name}" for c in a.choices.all())
        yield [
            a.applicant.name,
            a.home.name,
            a.program.title,
            choices,
            a.submitted_at,
            a.notice_starts_on,
            a.notice_ends_on,
            a.get_status_display(),
        ]


register(
    ExportKind(
        name=REVIEW,
        label=gettext_lazy("Review queue export"),
        capability="exchanges.export_review",
        denied=gettext_lazy("Applications are reviewed by institution and authority admins."),
        check=check_review,
        count=lambda actor, p: _queue(actor, p).count(),
        columns=review_columns,
        rows=review_rows,
        filename=lambda p: f"{_('review-queue')}_{p['queue']}_{timezone.localdate().isoformat()}",
        sheet=lambda p: _("Review queue"),
    )
)
