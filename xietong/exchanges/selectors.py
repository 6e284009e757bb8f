"""Every read of exchanges: takes the actor, returns only what it may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong import access
from xietong.access.reach import NOTHING
from xietong.accounts.access import Actor
from xietong.core.delimited import needle
from xietong.core.errors import NotFound, PermissionDenied
from xietong.core.filters import option
from xietong.core.termfields import SchoolYearTextField, span
from xietong.core.terms import TermSpan, parse_school_year
from xietong.exchanges import access as _declarations  # noqa: F401  (declares the rules)
from xietong.exchanges import rule as rotation_rule
from xietong.exchanges.choices import (
    BACKBONE_HONOURS,
    ELIGIBLE_POSITIONS,
    ROTATED_STATES,
    TERMS,
    AppStatus,
    PlacementStatus,
    ProgramKind,
    ProgramStatus,
    ReportKind,
    RunMode,
    RunStatus,
)
from xietong.exchanges.models import (
    Application,
    ApplicationChoice,
    HostOffer,
    MatchingRun,
    MatchResult,
    OfferSlot,
    Placement,
    PlacementReport,
    Program,
)
from xietong.institutions.models import Institution, RegionMix, RegionTally, Staff, StaffTally
from xietong.institutions.selectors import area_choices
from xietong.regions.selectors import path_prefixes_for, under_paths_q


def _one(qs: QuerySet[Any], pk: int) -> Any:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


# --- programs and offers ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramFilters:
    """The program list's filters (page and API alike)."""

    kind: str = option(
        "", label=gettext_lazy("Kind"), choices=ProgramKind.choices, empty=gettext_lazy("All kinds")
    )
    school_year: str = option(  # checked and normalised as a school year ("2024-2025")
        "",
        label=gettext_lazy("School year"),
        max_length=20,  # "2024–2025学年" as well as "2024-2025"
        placeholder="2024-2025",
        field=SchoolYearTextField,
    )
    term: int | None = option(
        None, label=gettext_lazy("Term"), choices=TERMS, empty=gettext_lazy("Both terms")
    )
    status: str = option(
        "",
        label=gettext_lazy("Status"),
        choices=ProgramStatus.choices,
        empty=gettext_lazy("All statuses"),
    )
    area: str = option(
        "",
        label=gettext_lazy("Area"),
        choices=area_choices,
        empty=gettext_lazy("All areas"),
        max_length=20,
    )


def programs_for(actor: Actor, filters: ProgramFilters | None = None) -> QuerySet[Program]:
    """Programs the actor may read, filtered; each knows whether the actor manages it."""
    f = filters or ProgramFilters()
    qs = Program.objects.filter(access.read_q(actor, Program)).select_related("organiser", "region")
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.school_year:
        terms = span(parse_school_year(f.school_year), f.term)
        qs = qs.filter(term_key__range=terms.keys) if terms is not None else qs
    elif f.term is not None:
        qs = qs.filter(term=f.term)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.area:
        qs = qs.filter(under_paths_q(path_prefixes_for(f.area), "region__path"))
    manages = access.relation_q(actor, Program, ("manager",))
    return access.annotate(actor, qs.annotate(can_manage=_flag(manages)))


def _flag(q: Q) -> Case:
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def program_detail(actor: Actor, pk: int) -> Program:
    return _one(
        programs_for(actor).prefetch_related("areas__region", "areas__group", "areas__institution"),
        pk,
    )


def offers_for(actor: Actor, program_id: int) -> QuerySet[HostOffer]:
    program_detail(actor, program_id)
    qs = (
        HostOffer.objects.filter(program_id=program_id)
        .select_related("host", "mentor")
        .prefetch_related(Prefetch("slots", queryset=OfferSlot.objects.order_by("pk")))
        .annotate(can_manage=_flag(access.verb_q(actor, HostOffer, "edit")))
    )
    return access.annotate(actor, qs)


def offer_detail(actor: Actor, pk: int) -> HostOffer:
    offer = HostOffer.objects.filter(pk=pk).values_list("program_id", flat=True).first()
    if offer is None:
        raise NotFound()
    return _one(offers_for(actor, offer), pk)


# --- applications --------------------------------------------------------------------------------


def _program() -> Any:
    return option(
        None,
        label=gettext_lazy("Program"),
        param="program",
        picker="programs",
        empty=gettext_lazy("All programs"),
    )


def _applicant_q() -> Any:
    return option(
        "", label=gettext_lazy("Teacher"), max_length=50, placeholder=gettext_lazy("Full name")
    )


@dataclass(frozen=True)
class ApplicationFilters:
    """The application list's filters (the API's ``/applications``)."""

    program_id: int | None = _program()
    status: str = option(
        "",
        label=gettext_lazy("Status"),
        choices=AppStatus.choices,
        empty=gettext_lazy("All statuses"),
    )
    q: str = _applicant_q()


@dataclass(frozen=True)
class ReviewFilters:
    """The review queues' filters (the review page and ``/review/{queue}``)."""

    program_id: int | None = _program()
    q: str = _applicant_q()


def _filter_applications(qs: QuerySet[Application], f: Any) -> QuerySet[Application]:
    if f.program_id is not None:
        qs = qs.filter(program_id=f.program_id)
    if getattr(f, "status", ""):
        qs = qs.filter(status=f.status)
    if f.q:
        qs = qs.filter(applicant__name__icontains=f.q)
    return qs


def applications_for(
    actor: Actor,
    filters: ApplicationFilters | None = None,
    *,
    program_id: int | None = None,
    status: str = "",
) -> QuerySet[Application]:
    qs = (
        Application.objects.filter(access.read_q(actor, Application))
        .select_related("program", "applicant", "home", "matched_slot__offer__host", "placement")
        .prefetch_related(
            Prefetch(
                "choices",
                queryset=ApplicationChoice.objects.select_related("offer__host").order_by("rank"),
            )
        )
    )
    if program_id is not None:
        qs = qs.filter(program_id=program_id)
    if status:
        qs = qs.filter(status=status)
    qs = _filter_applications(qs, filters) if filters is not None else qs
    return access.annotate(actor, qs)


def my_applications(actor: Actor) -> QuerySet[Application]:
    """The actor's own applications (as the applicant)."""
    return applications_for(actor).filter(access.relation_q(actor, Application, ("applicant",)))


def my_application(actor: Actor, program_id: int) -> Application | None:
    """The actor's own open application to the program, if it made one."""
    mine = access.relation_q(actor, Application, ("applicant",))
    return (
        applications_for(actor, program_id=program_id)
        .filter(mine)
        .exclude(status__in=[AppStatus.WITHDRAWN, AppStatus.REJECTED])
        .first()
    )


def application_detail(actor: Actor, pk: int) -> Application:
    return _one(applications_for(actor), pk)


# --- matching runs and results ------------------------------------------------------------------


@dataclass(frozen=True)
class RunFilters:
    """The matching runs list's filters (the runs page and the API alike)."""

    status: str = option(
        "",
        label=gettext_lazy("Status"),
        choices=RunStatus.choices,
        empty=gettext_lazy("All statuses"),
    )
    mode: str = option(
        "", label=gettext_lazy("Mode"), choices=RunMode.choices, empty=gettext_lazy("All modes")
    )


def runs_for(
    actor: Actor, program_id: int, filters: RunFilters | None = None
) -> QuerySet[MatchingRun]:
    program = program_detail(actor, program_id)
    access.require(actor, "runs", program)
    qs = MatchingRun.objects.filter(program_id=program_id).select_related("job").defer("inputs")
    f = filters or RunFilters()
    if f.status:
        qs = qs.filter(status=f.status)
    if f.mode:
        qs = qs.filter(mode=f.mode)
    return access.annotate(actor, qs)


def runs_visible(actor: Actor) -> QuerySet[MatchingRun]:
    """Every run the actor may read (the scope of their jobs, for the jobs mechanism)."""
    return MatchingRun.objects.filter(access.read_q(actor, MatchingRun))


def runs_managed(actor: Actor) -> QuerySet[MatchingRun]:
    """Runs whose program the actor manages (may retry or cancel their jobs)."""
    managed = Program.objects.filter(access.relation_q(actor, Program, ("manager",)))
    return MatchingRun.objects.filter(program__in=managed)


def run_detail(actor: Actor, pk: int) -> MatchingRun:
    """One run; a run the actor may not read does not exist for it."""
    found = access.annotate(actor, MatchingRun.objects.filter(pk=pk).defer("inputs")).first()
    if found is None or not access.can_read(actor, found):
        raise NotFound()
    return found


def run_results(actor: Actor, run_id: int) -> QuerySet[MatchResult]:
    run = run_detail(actor, run_id)
    return run.results.select_related(
        "application__applicant", "application__home", "slot__offer__host"
    ).order_by("application_id")


def my_results(actor: Actor) -> QuerySet[MatchResult]:
    """The actor's own results with explanations — only of published runs."""
    mine = access.relation_q(actor, Application, ("applicant",), "application__")
    return (
        MatchResult.objects.filter(mine, run__status=RunStatus.PUBLISHED)
        .select_related("application__program", "slot__offer__host")
        .order_by("-run_id")
    )


def application_result(actor: Actor, app_id: int) -> MatchResult | None:
    """The published result of a visible application (None before publication)."""
    application_detail(actor, app_id)
    return (
        MatchResult.objects.filter(application_id=app_id, run__status=RunStatus.PUBLISHED)
        .select_related("slot__offer__host")
        .first()
    )


@dataclass(frozen=True)
class LeftOut:
    """Applications a matching run did not (or a run started now would not) consider."""

    reason: str  # draft, submitted, notice, awaiting_approval, approved_later, withdrawn,
    # rejected, placed_elsewhere, no_open_choice
    count: int
    until: dt.date | None = None  # for "notice": the last day of the latest notice


LEFT_OUT_ORDER = (
    "no_open_choice",
    "approved_later",
    "awaiting_approval",
    "notice",
    "submitted",
    "draft",
    "placed_elsewhere",
    "withdrawn",
    "rejected",
)
_BY_STATUS = {
    AppStatus.DRAFT: "draft",
    AppStatus.SUBMITTED: "submitted",
    AppStatus.APPROVED: "approved_later",
    AppStatus.WITHDRAWN: "withdrawn",
    AppStatus.REJECTED: "rejected",
    AppStatus.MATCHED: "placed_elsewhere",
    AppStatus.CONFIRMED: "placed_elsewhere",
    AppStatus.IN_PROGRESS: "placed_elsewhere",
    AppStatus.COMPLETED: "placed_elsewhere",
}


def left_out(actor: Actor, program_id: int, run_id: int | None = None) -> list[LeftOut]:
    """Why applications of a program are not in a run, as of now, by reason (counts only).

    With a run: the program's applications without a result in it (by their status now:
    not yet approved, in public notice, approved since, withdrawn …), and those in it that
    could not be placed because none of their choices had an open place for them. Without
    one: what a run started now would leave out — every application not approved. Two
    grouped queries whatever the number of applications.
    """
    program = program_detail(actor, program_id)
    access.require(actor, "runs", program)
    today = timezone.localdate()
    apps = Application.objects.filter(program_id=program_id)
    if run_id is not None:
        apps = apps.exclude(match_results__run_id=run_id)
    else:
        apps = apps.exclude(status=AppStatus.APPROVED)
    counts: dict[str, int] = {}
    until: dt.date | None = None
    rows = (
        apps.order_by()
        .values("status")
        .annotate(
            n=Count("pk"),
            running=Count("pk", filter=Q(notice_ends_on__gte=today)),
            latest=Max("notice_ends_on"),
        )
    )
    for row in rows:
        if row["status"] == AppStatus.RECOMMENDED:
            if row["running"]:
                counts["notice"] = row["running"]
                until = row["latest"]
            if row["n"] - row["running"]:
                counts["awaiting_approval"] = row["n"] - row["running"]
        else:
            key = _BY_STATUS.get(row["status"], "placed_elsewhere")
            counts[key] = counts.get(key, 0) + row["n"]
    if run_id is not None:
        stuck = MatchResult.objects.filter(
            run_id=run_id, explanation__code__in=["no_fitting_slot", "no_choices"]
        ).count()
        if stuck:
            counts["no_open_choice"] = stuck
    return [
        LeftOut(reason, counts[reason], until if reason == "notice" else None)
        for reason in LEFT_OUT_ORDER
        if counts.get(reason)
    ]


# --- placements ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlacementFilters:
    """The placement list's filters (page and API alike)."""

    program_id: int | None = _program()
    status: str = option(
        "",
        label=gettext_lazy("Status"),
        choices=PlacementStatus.choices,
        empty=gettext_lazy("All statuses"),
    )
    reports: str = option(
        "",
        label=gettext_lazy("Completion reports"),
        choices=[
            ("due", gettext_lazy("Due within two weeks or overdue")),
            ("overdue", gettext_lazy("Overdue")),
        ],
        empty=gettext_lazy("Any"),
    )
    q: str = _applicant_q()


# A completion report is asked for this many days before the placement's last day, and is
# overdue after it (the workbench's queues and the placement list's filter alike).
REPORT_NOTICE_DAYS = 14
AWAITING_REPORTS = (PlacementStatus.ACTIVE, PlacementStatus.ENDED)


def missing_completion_q(side: str | None = None) -> Q:
    """Placements lacking a completion report (of one side, or of either)."""
    reports = PlacementReport.objects.filter(placement=OuterRef("pk"), kind=ReportKind.COMPLETION)
    if side is not None:
        return ~Q(Exists(reports.filter(side=side)))
    both = reports.values("placement").annotate(n=Count("side", distinct=True)).filter(n=2)
    return ~Q(Exists(both))


def completion_reports_q(when: str, side: str | None = None) -> Q:
    """Placements (running, or ended by date) whose completion report of ``side`` (or of
    either) is missing: ``"due"`` from two weeks before the last day, ``"overdue"`` after it.
    """
    today = timezone.localdate()
    if when == "overdue":
        dates = Q(ends_on__lt=today)
    else:
        dates = Q(ends_on__lte=today + dt.timedelta(days=REPORT_NOTICE_DAYS))
    return Q(status__in=AWAITING_REPORTS) & dates & missing_completion_q(side)


def placements_for(actor: Actor, filters: PlacementFilters | None = None) -> QuerySet[Placement]:
    qs = Placement.objects.filter(access.read_q(actor, Placement)).select_related(
        "application__applicant", "application__program", "host", "home", "mentor"
    )
    f = filters or PlacementFilters()
    if f.program_id is not None:
        qs = qs.filter(application__program_id=f.program_id)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.reports:
        qs = qs.filter(completion_reports_q(f.reports))
    if f.q:
        qs = qs.filter(application__applicant__name__icontains=f.q)
    return access.annotate(actor, qs)


def placement_detail(actor: Actor, pk: int) -> Placement:
    return _one(placements_for(actor).prefetch_related("logs", "reports", "duties"), pk)


# --- coverage ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageFilters:
    terms: TermSpan  # a school year (both terms) or one term
    area: str = ""  # region code or group key
    institution_id: int | None = None
    program_id: int | None = None  # apply this program's eligibility


def _coverage_institutions_q(actor: Actor, prefix: str = "") -> Q:
    """Institutions (``prefix`` leads from the row to one) whose staff coverage counts."""
    if not access.can(actor, "exchanges.coverage"):
        raise PermissionDenied(_("Coverage is read by authorities and institution admins."))
    return access.relation_q(actor, Institution, ("authority", "viewer", "school"), prefix)


def _coverage_scope_q(actor: Actor, prefix: str = "") -> Q:
    """Staff (``prefix`` leads from the row to the staff member) coverage may count."""
    return _coverage_institutions_q(actor, f"{prefix}institution__")


@dataclass(frozen=True)
class _Eligibility:
    """Who counts as eligible: positions, the area's paths (resolved once; None: anywhere),
    and a program's person-level conditions."""

    positions: tuple[str, ...]
    paths: tuple[str, ...] | None = None
    stages: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()

    @property
    def by_position_only(self) -> bool:
        return not (self.stages or self.subjects or self.titles)


def _eligibility(actor: Actor, f: CoverageFilters) -> _Eligibility:
    paths = tuple(path_prefixes_for(f.area)) if f.area else None
    if f.program_id is None:
        return _Eligibility(tuple(ELIGIBLE_POSITIONS), paths)
    program = program_detail(actor, f.program_id)
    only = set(program.codes("elig_positions"))
    positions = tuple(p for p in ELIGIBLE_POSITIONS if not only or p in only)
    return _Eligibility(
        positions,
        paths,
        tuple(program.codes("elig_stages")),
        tuple(program.codes("elig_subjects")),
        tuple(program.codes("elig_titles")),
    )


def area_rule(paths: list[str] | None) -> _Eligibility:
    """The coverage rule's eligibility (teaching positions) within ``paths`` (None: anywhere)."""
    return _Eligibility(tuple(ELIGIBLE_POSITIONS), None if paths is None else tuple(paths))


def _eligible_q(actor: Actor, f: CoverageFilters, rule: _Eligibility, prefix: str = "") -> Q:
    """Eligible staff in the actor's scope and the area, from a row ``prefix`` away."""
    return _coverage_scope_q(actor, prefix) & eligible_rule_q(rule, prefix, f.institution_id)


def eligible_rule_q(rule: _Eligibility, prefix: str = "", institution_id: int | None = None) -> Q:
    """Eligible staff by the rule alone (positions, area, a program's conditions), from a
    row ``prefix`` away: :func:`_eligible_q` without the actor's scope (the plan's metrics
    count the whole area)."""
    q = Q(**{f"{prefix}position__in": rule.positions})
    if rule.paths is not None:
        q &= under_paths_q(list(rule.paths), f"{prefix}institution__region_path")
    if institution_id is not None:
        q &= Q(**{f"{prefix}institution_id": institution_id})
    for codes, lookup in ((rule.stages, "stages"), (rule.subjects, "subjects")):
        if codes:
            any_q = NOTHING
            for c in codes:
                any_q |= Q(**{f"{prefix}{lookup}__contains": needle(c)})
            q &= any_q
    if rule.titles:
        q &= Q(**{f"{prefix}title__in": rule.titles})
    return q


def eligible_staff(
    actor: Actor, f: CoverageFilters, rule: _Eligibility | None = None
) -> QuerySet[Staff]:
    """Teachers, principals and vice-principals in the actor's scope and the area."""
    return Staff.objects.filter(_eligible_q(actor, f, rule or _eligibility(actor, f)))


def _eligible_by_institution(
    actor: Actor, f: CoverageFilters, rule: _Eligibility
) -> list[dict[str, Any]]:
    """(institution id, name, eligible) ordered by name: from the tallies by position; a
    program's stage, subject or title conditions need the staff themselves."""
    rows: QuerySet[Any, dict[str, Any]]
    if rule.by_position_only:
        tally = StaffTally.objects.filter(_eligible_q(actor, f, rule))
        rows = tally.values("institution_id", "institution__name").annotate(n=Sum("staff"))
    else:
        rows = (
            eligible_staff(actor, f, rule)
            .values("institution_id", "institution__name")
            .annotate(n=Count("pk"))
        )
    return list(rows.order_by("institution__name", "institution_id"))


def exchanged_by_institution_qs(
    actor: Actor, f: CoverageFilters, rule: _Eligibility
) -> QuerySet[Any, dict[str, Any]]:
    """Rows ``{inst, completed, rotated, backbone_rotated}``: per institution, eligible staff
    who completed, who rotated, and backbone teachers who rotated in the period.

    Read from the period's applications (a few thousand), not from the staff.
    """
    return exchanged_rows(rotated_applications(_eligible_q(actor, f, rule, "applicant__"), f.terms))


def rotated_applications(eligible: Q, terms: TermSpan) -> QuerySet[Application]:
    """Applications of eligible staff (``eligible``: a Q from the application) who rotated
    in ``terms``: confirmed, in progress or completed."""
    return Application.objects.filter(
        eligible, status__in=list(ROTATED_STATES), program__term_key__range=terms.keys
    )


def completed_q() -> Q:
    """Of :func:`rotated_applications`: those who completed their exchange."""
    return Q(status=AppStatus.COMPLETED)


def backbone_q() -> Q:
    """Of :func:`rotated_applications`: backbone teachers (by their honours)."""
    backbone = NOTHING
    for h in BACKBONE_HONOURS:
        backbone |= Q(applicant__honours__contains=needle(h))
    return backbone


def exchanged_rows(apps: QuerySet[Application]) -> QuerySet[Any, dict[str, Any]]:
    """Rows ``{inst, completed, rotated, backbone_rotated}`` of ``apps`` per institution."""
    return (
        apps.order_by()
        .values(inst=F("applicant__institution_id"))
        .annotate(
            completed=Count("applicant_id", distinct=True, filter=completed_q()),
            rotated=Count("applicant_id", distinct=True),
            backbone_rotated=Count("applicant_id", distinct=True, filter=backbone_q()),
        )
    )


def _exchanged_by_institution(
    actor: Actor, f: CoverageFilters, rule: _Eligibility
) -> dict[int, dict[str, int]]:
    """:func:`exchanged_by_institution_qs` by institution id."""
    return {r.pop("inst"): r for r in exchanged_by_institution_qs(actor, f, rule)}


def eligible_by_institution_qs(
    actor: Actor, f: CoverageFilters, rule: _Eligibility
) -> QuerySet[Any, dict[str, Any]]:
    """Rows ``{inst, n}``: eligible staff per institution, from the tallies by position; a
    program's stage, subject or title conditions need the staff themselves. Rows from the
    per-school roll-up carry the school's and its region's names as well (``iname``,
    ``rname``)."""
    if rule.by_position_only:
        if access.can(actor, "staff.school") or f.institution_id is not None:
            tally = StaffTally.objects.filter(_eligible_q(actor, f, rule))
        elif set(rule.positions) == set(ELIGIBLE_POSITIONS):
            # The whole rule in a scope of region paths: one row per school, the roll-up
            # kept beside the tallies (a province at scale 1.0: 33,000 schools instead of
            # summing 100,000 tally rows on every view).
            schools = Institution.objects.filter(
                _coverage_institutions_q(actor), teaching_staff__gt=0
            )
            if rule.paths is not None:
                schools = schools.filter(under_paths_q(list(rule.paths), "region_path"))
            # Named here: the table needs no second pass over the institutions for names.
            named = schools.order_by().values(
                inst=F("pk"), n=F("teaching_staff"), iname=F("name"), rname=F("region__name")
            )
            return cast(QuerySet[Any, dict[str, Any]], named)
        else:
            # A scope of region paths only: the same rule on the tallies' own paths, without
            # joining the institutions (a province at scale 1.0: 120,000 tally rows).
            tally = StaffTally.objects.filter(
                _coverage_institutions_q(actor), position__in=rule.positions
            )
            if rule.paths is not None:
                tally = tally.filter(under_paths_q(list(rule.paths), "region_path"))
        return tally.order_by().values(inst=F("institution_id")).annotate(n=Sum("staff"))
    staff = eligible_staff(actor, f, rule).order_by()
    return staff.values(inst=F("institution_id")).annotate(n=Count("pk"))


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def coverage_rows(actor: Actor, f: CoverageFilters) -> list[dict[str, Any]]:
    """Per institution with eligible staff, by name: coverage and the national rule.

    Eligible counts come from the staff tallies, exchanges from the applications: two
    grouped queries, neither reading the staff table (see docs/decisions/0010).
    """
    rule = _eligibility(actor, f)
    exchanged = _exchanged_by_institution(actor, f, rule)
    none = {"completed": 0, "rotated": 0, "backbone_rotated": 0}
    return [
        _coverage_row(
            r["institution_id"],
            r["institution__name"],
            r["n"],
            exchanged.get(r["institution_id"], none),
        )
        for r in _eligible_by_institution(actor, f, rule)
        if r["n"]
    ]


def _coverage_row(pk: int, name: str, eligible: int, x: dict[str, int]) -> dict[str, Any]:
    """One school's coverage and where it stands against the national rule
    (:mod:`xietong.exchanges.rule`: ``gap`` is the fewest more teachers who must rotate)."""
    rotated, backbone = x["rotated"], x["backbone_rotated"]
    return {
        "institution_id": pk,
        "institution": name,
        "eligible": eligible,
        "completed": x["completed"],
        "share": _share(x["completed"], eligible),
        "full_coverage": eligible > 0 and x["completed"] == eligible,
        "rotated": rotated,
        "backbone_rotated": backbone,
        "rotated_share": _share(rotated, eligible),
        "backbone_share": _share(backbone, rotated),
        "rotation_ok": rotation_rule.rotation_ok(eligible, rotated),
        "backbone_ok": rotation_rule.backbone_ok(rotated, backbone),
        "gap": rotation_rule.shortfall(eligible, rotated, backbone),
    }


def _eligible_total(actor: Actor, f: CoverageFilters, rule: _Eligibility) -> int:
    if not rule.by_position_only:
        return eligible_staff(actor, f, rule).count()
    tally: QuerySet[Any]
    if access.can(actor, "staff.school") or f.institution_id is not None:
        tally = StaffTally.objects.filter(_eligible_q(actor, f, rule))
    else:
        # A scope of region paths only: the same rule on the region tallies' paths.
        tally = RegionTally.objects.filter(
            _coverage_institutions_q(actor), position__in=rule.positions
        )
        if rule.paths is not None:
            tally = tally.filter(under_paths_q(list(rule.paths), "region_path"))
    return tally.aggregate(n=Sum("staff"))["n"] or 0


def coverage_summary(actor: Actor, f: CoverageFilters, limit: int = 300) -> dict[str, Any]:
    """What the coverage page shows: the first ``limit`` institutions by name (as
    :func:`coverage_rows`), how many there are in all, the totals, how many have full
    coverage and how many fall below the national rule.

    Only institutions that sent someone can be fully covered or meet the rule, so those
    counts come from the year's applications; the rest from the tallies and one count of
    the institutions that have eligible staff.
    """
    rule = _eligibility(actor, f)
    if not rule.by_position_only:
        rows = coverage_rows(actor, f)
        return _summary(rows[:limit], len(rows), _eligible_total(actor, f, rule), rows)
    institutions = Institution.objects.filter(_coverage_institutions_q(actor)).filter(
        Exists(StaffTally.objects.filter(institution=OuterRef("pk"), position__in=rule.positions))
    )
    if rule.paths is not None:
        institutions = institutions.filter(under_paths_q(list(rule.paths)))
    if f.institution_id is not None:
        institutions = institutions.filter(pk=f.institution_id)
    first = list(institutions.order_by("name", "pk").values_list("pk", "name")[:limit])
    exchanged = _exchanged_by_institution(actor, f, rule)
    eligible = dict(
        StaffTally.objects.filter(
            institution_id__in={pk for pk, _ in first} | set(exchanged),
            position__in=rule.positions,
        )
        .order_by()
        .values_list("institution_id")
        .annotate(n=Sum("staff"))
    )
    names = dict(first)
    sent = [
        _coverage_row(pk, names.get(pk, ""), eligible[pk], x)
        for pk, x in exchanged.items()
        if eligible.get(pk)
    ]
    none = {"completed": 0, "rotated": 0, "backbone_rotated": 0}
    shown = [
        _coverage_row(pk, name, eligible.get(pk, 0), exchanged.get(pk, none)) for pk, name in first
    ]
    if len(first) < limit:
        count = len(first)
    elif access.can(actor, "staff.school") or f.institution_id is not None:
        count = institutions.count()
    else:
        count = _institutions_with(actor, rule)
    return _summary(shown, count, _eligible_total(actor, f, rule), sent)


def _institutions_with(actor: Actor, rule: _Eligibility) -> int:
    """Institutions in a region-only scope with staff in any of the rule's positions."""
    any_position = NOTHING
    for p in rule.positions:
        any_position |= Q(positions__contains=needle(p))
    mixes = RegionMix.objects.filter(_coverage_institutions_q(actor), any_position)
    if rule.paths is not None:
        mixes = mixes.filter(under_paths_q(list(rule.paths), "region_path"))
    return mixes.aggregate(n=Sum("institutions"))["n"] or 0


def _summary(
    shown: list[dict[str, Any]], count: int, eligible: int, sent: list[dict[str, Any]]
) -> dict[str, Any]:
    completed = sum(r["completed"] for r in sent)
    met = sum(1 for r in sent if r["rotation_ok"] and r["backbone_ok"])
    return {
        "rows": shown,
        "count": count,
        "more": count - len(shown),
        "total": {
            "eligible": eligible,
            "completed": completed,
            "share": _share(completed, eligible),
        },
        "full": sum(1 for r in sent if r["full_coverage"]),
        "flagged": count - met,
    }


COVERAGE_KEYS = ("institution_id", "institution", "eligible", "completed", "share", "full_coverage")
RULE_KEYS = (
    "institution_id",
    "institution",
    "eligible",
    "rotated",
    "backbone_rotated",
    "rotated_share",
    "backbone_share",
    "rotation_ok",
    "backbone_ok",
    "gap",
)


def coverage_by_institution(actor: Actor, f: CoverageFilters) -> list[dict[str, Any]]:
    """Per institution: eligible teachers, those who completed an exchange, share, full coverage.

    "Full coverage" means every eligible teacher completed one.
    """
    return [{k: r[k] for k in COVERAGE_KEYS} for r in coverage_rows(actor, f)]


def coverage_total(actor: Actor, f: CoverageFilters) -> dict[str, Any]:
    rule = _eligibility(actor, f)
    eligible = _eligible_total(actor, f, rule)
    completed = sum(r["completed"] for r in _exchanged_by_institution(actor, f, rule).values())
    return {"eligible": eligible, "completed": completed, "share": _share(completed, eligible)}


def national_rule(actor: Actor, f: CoverageFilters) -> list[dict[str, Any]]:
    """Per school and school year: ≥10% of eligible teachers rotated, ≥20% of those backbone."""
    return [{k: r[k] for k in RULE_KEYS} for r in coverage_rows(actor, f)]


def reciprocity(
    actor: Actor, a_id: int, b_id: int, terms: TermSpan | None = None
) -> dict[str, Any]:
    """Teachers sent from A to B and from B to A (confirmed, in progress or completed)."""
    visible = Institution.objects.filter(
        access.relation_q(actor, Institution, ("viewer", "school")), pk__in=[a_id, b_id]
    )
    if not visible.exists():
        raise PermissionDenied(_("Neither institution is in your scope."))
    qs = Application.objects.filter(status__in=list(ROTATED_STATES), placement__isnull=False)
    if terms is not None:
        qs = qs.filter(program__term_key__range=terms.keys)
    agg = qs.aggregate(
        a_to_b=Count("pk", filter=Q(home_id=a_id, placement__host_id=b_id)),
        b_to_a=Count("pk", filter=Q(home_id=b_id, placement__host_id=a_id)),
    )
    return {**agg, "balance": agg["a_to_b"] - agg["b_to_a"]}


# --- work queues and sides (for the web UI) -----------------------------------------------------


def applications_to_recommend(
    actor: Actor, filters: ReviewFilters | None = None
) -> QuerySet[Application]:
    """Submitted applications whose home institution the actor administers (the school step)."""
    qs = applications_for(actor).filter(access.verb_q(actor, Application, "recommend"))
    return _filter_applications(qs, filters or ReviewFilters())


def applications_to_approve(
    actor: Actor, filters: ReviewFilters | None = None
) -> QuerySet[Application]:
    """Recommended applications under the actor's authority region (the authority step)."""
    qs = applications_for(actor).filter(access.verb_q(actor, Application, "approve"))
    return _filter_applications(qs, filters or ReviewFilters())


def applicant_names(actor: Actor, ids: list[int]) -> dict[int, str]:
    """The applicant's name of each of these applications the actor may read."""
    qs = Application.objects.filter(access.read_q(actor, Application), pk__in=ids)
    return dict(qs.values_list("pk", "applicant__name"))


def placement_sides(actor: Actor, placement: Placement) -> set[str]:
    """The parts the actor plays in a placement: teacher, host (its admin or the mentor),
    home, manager — from the access mechanism's relations; the pages show matching forms."""
    relations = access.relations_of(actor, placement)
    names = {"teacher": "teacher", "mentor": "host", "host": "host", "home": "home"}
    sides = {side for rel, side in names.items() if rel in relations}
    if "manager" in relations:
        sides.add("manager")
    return sides
