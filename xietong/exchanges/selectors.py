"""Every read of exchanges: takes the actor, returns only what it may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext as _

from xietong.accounts.access import Actor
from xietong.core.delimited import needle
from xietong.core.errors import NotFound, PermissionDenied
from xietong.core.terms import TermSpan
from xietong.exchanges.access import (
    NOTHING,
    application_read_q,
    authority_read_q,
    manage_program_q,
    placement_read_q,
    read_program_q,
)
from xietong.exchanges.choices import (
    BACKBONE_HONOURS,
    ELIGIBLE_POSITIONS,
    ROTATED_STATES,
    AppStatus,
    RunStatus,
)
from xietong.exchanges.models import (
    Application,
    ApplicationChoice,
    HostOffer,
    MatchingRun,
    MatchResult,
    Notification,
    OfferSlot,
    Placement,
    Program,
)
from xietong.institutions.models import Institution, Staff
from xietong.institutions.selectors import administered_institutions_q
from xietong.regions.selectors import path_prefixes_for, under_paths_q


def _one(qs: QuerySet[Any], pk: int) -> Any:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


# --- programs and offers ------------------------------------------------------------------------


def programs_for(
    actor: Actor, *, status: str = "", terms: TermSpan | None = None
) -> QuerySet[Program]:
    qs = Program.objects.filter(read_program_q(actor)).select_related("organiser", "region")
    if status:
        qs = qs.filter(status=status)
    if terms is not None:
        qs = qs.filter(term_key__range=terms.keys)
    return qs.annotate(
        can_manage=Case(
            When(manage_program_q(actor), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def program_detail(actor: Actor, pk: int) -> Program:
    return _one(programs_for(actor).prefetch_related("areas__region", "areas__group"), pk)


def offers_for(actor: Actor, program_id: int) -> QuerySet[HostOffer]:
    program_detail(actor, program_id)
    return (
        HostOffer.objects.filter(program_id=program_id)
        .select_related("host", "mentor")
        .prefetch_related(Prefetch("slots", queryset=OfferSlot.objects.order_by("pk")))
        .annotate(
            can_manage=Case(
                When(administered_institutions_q(actor, "host__"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def offer_detail(actor: Actor, pk: int) -> HostOffer:
    offer = HostOffer.objects.filter(pk=pk).values_list("program_id", flat=True).first()
    if offer is None:
        raise NotFound()
    return _one(offers_for(actor, offer), pk)


# --- applications --------------------------------------------------------------------------------


def applications_for(
    actor: Actor, *, program_id: int | None = None, status: str = ""
) -> QuerySet[Application]:
    qs = (
        Application.objects.filter(application_read_q(actor))
        .select_related("program", "applicant", "home", "matched_slot__offer__host")
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
    return qs


def application_detail(actor: Actor, pk: int) -> Application:
    return _one(applications_for(actor), pk)


# --- matching runs and results ------------------------------------------------------------------


def runs_for(actor: Actor, program_id: int) -> QuerySet[MatchingRun]:
    program = program_detail(actor, program_id)
    if (
        not program.can_manage  # type: ignore[attr-defined]  # annotated by programs_for
        and not Program.objects.filter(
            under_paths_q(actor.authority_region_paths, "region__path"), pk=program.pk
        ).exists()
    ):
        raise PermissionDenied(_("Matching runs are seen by the program's authorities only."))
    return MatchingRun.objects.filter(program_id=program_id).defer("inputs")


def run_detail(actor: Actor, pk: int) -> MatchingRun:
    program_id = MatchingRun.objects.filter(pk=pk).values_list("program_id", flat=True).first()
    if program_id is None:
        raise NotFound()
    return runs_for(actor, program_id).get(pk=pk)


def run_results(actor: Actor, run_id: int) -> QuerySet[MatchResult]:
    run = run_detail(actor, run_id)
    return run.results.select_related(
        "application__applicant", "application__home", "slot__offer__host"
    ).order_by("application_id")


def my_results(actor: Actor) -> QuerySet[MatchResult]:
    """The actor's own results with explanations — only of published runs."""
    if actor.own_staff_id is None:
        return MatchResult.objects.none()
    return (
        MatchResult.objects.filter(
            application__applicant_id=actor.own_staff_id, run__status=RunStatus.PUBLISHED
        )
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


# --- placements ---------------------------------------------------------------------------------


def placements_for(actor: Actor) -> QuerySet[Placement]:
    return Placement.objects.filter(placement_read_q(actor)).select_related(
        "application__applicant", "application__program", "host", "home", "mentor"
    )


def placement_detail(actor: Actor, pk: int) -> Placement:
    return _one(placements_for(actor).prefetch_related("logs", "reports", "duties"), pk)


# --- notifications ------------------------------------------------------------------------------


def notifications_for(actor: Actor, *, unread: bool = False) -> QuerySet[Notification]:
    if actor.user_id is None:
        return Notification.objects.none()
    qs = Notification.objects.filter(user_id=actor.user_id)
    return qs.filter(read_at__isnull=True) if unread else qs


def unread_count(actor: Actor) -> int:
    return notifications_for(actor, unread=True).count()


# --- coverage ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageFilters:
    terms: TermSpan  # a school year (both terms) or one term
    area: str = ""  # region code or group key
    institution_id: int | None = None
    program_id: int | None = None  # apply this program's eligibility


def _coverage_scope_q(actor: Actor) -> Q:
    if not (actor.authority_region_paths or actor.admin_institution_ids):
        raise PermissionDenied(_("Coverage is read by authorities and institution admins."))
    return authority_read_q(actor, "institution__") | administered_institutions_q(
        actor, "institution__"
    )


def eligible_staff(actor: Actor, f: CoverageFilters) -> QuerySet[Staff]:
    """Teachers, principals and vice-principals in the actor's scope and the area."""
    qs = Staff.objects.filter(_coverage_scope_q(actor), position__in=ELIGIBLE_POSITIONS)
    if f.area:
        qs = qs.filter(under_paths_q(path_prefixes_for(f.area), "institution__region_path"))
    if f.institution_id is not None:
        qs = qs.filter(institution_id=f.institution_id)
    if f.program_id is not None:
        program = program_detail(actor, f.program_id)
        for field, lookup in (("elig_stages", "stages"), ("elig_subjects", "subjects")):
            codes = program.codes(field)
            if codes:
                any_q = NOTHING
                for c in codes:
                    any_q |= Q(**{f"{lookup}__contains": needle(c)})
                qs = qs.filter(any_q)
        if program.codes("elig_titles"):
            qs = qs.filter(title__in=program.codes("elig_titles"))
        if program.codes("elig_positions"):
            qs = qs.filter(position__in=program.codes("elig_positions"))
    return qs


def _exchanged(f: CoverageFilters, states: Any) -> Exists:
    sub = Application.objects.filter(
        applicant=OuterRef("pk"), status__in=list(states), program__term_key__range=f.terms.keys
    )
    return Exists(sub)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def coverage_by_institution(actor: Actor, f: CoverageFilters) -> list[dict[str, Any]]:
    """Per institution: eligible teachers, those who completed an exchange, share, full coverage.

    One GROUP BY query; "full coverage" means every eligible teacher completed one.
    """
    rows = (
        eligible_staff(actor, f)
        .order_by()
        .values("institution_id", "institution__name")
        .annotate(
            eligible=Count("pk"), completed=Count("pk", filter=_exchanged(f, [AppStatus.COMPLETED]))
        )
        .order_by("institution__name", "institution_id")
    )
    return [
        {
            "institution_id": r["institution_id"],
            "institution": r["institution__name"],
            "eligible": r["eligible"],
            "completed": r["completed"],
            "share": _share(r["completed"], r["eligible"]),
            "full_coverage": r["eligible"] > 0 and r["completed"] == r["eligible"],
        }
        for r in rows
    ]


def coverage_total(actor: Actor, f: CoverageFilters) -> dict[str, Any]:
    agg = eligible_staff(actor, f).aggregate(
        eligible=Count("pk"), completed=Count("pk", filter=_exchanged(f, [AppStatus.COMPLETED]))
    )
    return {**agg, "share": _share(agg["completed"], agg["eligible"])}


def national_rule(actor: Actor, f: CoverageFilters) -> list[dict[str, Any]]:
    """Per school and school year: ≥10% of eligible teachers rotated, ≥20% of those backbone."""
    backbone = NOTHING
    for h in BACKBONE_HONOURS:
        backbone |= Q(honours__contains=needle(h))
    rotated = _exchanged(f, ROTATED_STATES)
    rows = (
        eligible_staff(actor, f)
        .order_by()
        .values("institution_id", "institution__name")
        .annotate(
            eligible=Count("pk"),
            rotated=Count("pk", filter=rotated),
            backbone_rotated=Count("pk", filter=Q(rotated) & backbone),
        )
        .order_by("institution__name", "institution_id")
    )
    out = []
    for r in rows:
        rotated_share = _share(r["rotated"], r["eligible"])
        backbone_share = _share(r["backbone_rotated"], r["rotated"])
        out.append(
            {
                "institution_id": r["institution_id"],
                "institution": r["institution__name"],
                "eligible": r["eligible"],
                "rotated": r["rotated"],
                "backbone_rotated": r["backbone_rotated"],
                "rotated_share": rotated_share,
                "backbone_share": backbone_share,
                "rotation_ok": rotated_share >= 0.10,
                "backbone_ok": r["rotated"] > 0 and backbone_share >= 0.20,
            }
        )
    return out


def reciprocity(
    actor: Actor, a_id: int, b_id: int, terms: TermSpan | None = None
) -> dict[str, Any]:
    """Teachers sent from A to B and from B to A (confirmed, in progress or completed)."""
    visible = Institution.objects.filter(
        authority_read_q(actor) | administered_institutions_q(actor), pk__in=[a_id, b_id]
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


def applications_to_recommend(actor: Actor) -> QuerySet[Application]:
    """Submitted applications whose home institution the actor administers (the school step)."""
    from xietong.exchanges.access import home_admin_q

    return applications_for(actor, status=AppStatus.SUBMITTED).filter(home_admin_q(actor, "home__"))


def applications_to_approve(actor: Actor) -> QuerySet[Application]:
    """Recommended applications under the actor's authority region (the authority step)."""
    from xietong.exchanges.access import authority_admin_q

    return applications_for(actor, status=AppStatus.RECOMMENDED).filter(
        authority_admin_q(actor, "home__")
    )


def placement_sides(actor: Actor, placement: Placement) -> set[str]:
    """The parts the actor plays in a placement: teacher, host, home, manager (may be several).

    The same rules as the placement services use; the pages only show the matching forms.
    """
    sides: set[str] = set()
    if actor.own_staff_id is not None:
        if actor.own_staff_id == placement.application.applicant_id:
            sides.add("teacher")
        if actor.own_staff_id == placement.mentor_id:
            sides.add("host")
    checks = {
        "host": administered_institutions_q(actor, "host__"),
        "home": administered_institutions_q(actor, "home__"),
        "manager": manage_program_q(actor, "application__program__"),
    }
    for side, q in checks.items():
        if Placement.objects.filter(q, pk=placement.pk).exists():
            sides.add(side)
    return sides
