"""Partner recommendations: run one for an area, accept or dismiss its proposals.

A run reads the area's unpaired Hebei schools and the Beijing/Tianjin schools with their
current load, solves :func:`xietong.partnerships.recommend.recommend` and stores one
:class:`Proposal` per school. Small areas are answered at once; an area with more than
``XIETONG_RECOMMEND_JOB_THRESHOLD`` unpaired schools (default 200) is computed as a job.

Settings (each optional): ``XIETONG_PARTNER_CAP`` (3: partnerships a Beijing/Tianjin school
serves at most), ``XIETONG_RECOMMEND_MAX_KM`` (200), ``XIETONG_RECOMMEND_CANDIDATES`` (20
nearest candidates per school), ``XIETONG_RECOMMEND_WEIGHTS`` (a mapping over
``distance``, ``stages``, ``kind``, ``load``; see :class:`recommend.Weights`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from xietong import access
from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.core.delimited import unpack
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.institutions.models import Institution
from xietong.jobs import services as jobs
from xietong.jobs.models import Job
from xietong.jobs.registry import JobFailed, register
from xietong.jobs.runner import Reporter
from xietong.partnerships import recommend as rec
from xietong.partnerships import recommendation_access as _declarations  # noqa: F401
from xietong.partnerships.choices import MemberRole, PartnershipKind, PartnershipStatus
from xietong.partnerships.models import Member, Partnership
from xietong.partnerships.recommendation_models import (
    Proposal,
    ProposalStatus,
    RecommendationRun,
    RunStatus,
)
from xietong.partnerships.selectors import period_covers_q
from xietong.partnerships.services.partnerships import MemberIn, PartnershipIn, create_partnership
from xietong.regions.models import Region, RegionGroup

RECOMMEND_JOB = "partnerships.recommendation"
HEBEI = "130000/"
PARTNER_PATHS = ("110000/", "120000/")  # Beijing, Tianjin
SCHOOL_KINDS = tuple(rec.FAMILIES)
_STEPS = 3


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def parameters() -> dict[str, Any]:
    """The run's parameters from the settings (checked: a bad setting is refused)."""
    try:
        weights = rec.Weights.of(_setting("XIETONG_RECOMMEND_WEIGHTS", None))
    except ValueError as e:
        raise InvalidInput(
            _("The recommendation weights are misconfigured: %(error)s") % {"error": e}
        ) from None
    return {
        "cap": int(_setting("XIETONG_PARTNER_CAP", 3)),
        "max_km": float(_setting("XIETONG_RECOMMEND_MAX_KM", 200)),
        "k": int(_setting("XIETONG_RECOMMEND_CANDIDATES", 20)),
        "weights": asdict(weights),
    }


# --- the area --------------------------------------------------------------------------


def _common_path(paths: list[str]) -> str:
    parts = [p.strip("/").split("/") for p in paths]
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return "/".join(common) + "/" if common else ""


def resolve_area(actor: Actor, area: str) -> tuple[str, str, list[str], Region]:
    """(area, its name, its region paths, the region managing it) — or a refusal.

    The area is a Hebei county or city code or a region group's key; the actor must
    administer the whole of it as an authority.
    """
    if not access.can(actor, "partnerships.recommend"):
        raise PermissionDenied(
            _("Only an authority administrator asks for partner recommendations.")
        )
    text = (area or "").strip()
    if not text:
        raise InvalidInput(
            _("Choose a county or a region group."), fields={"area": [_("Choose an area.")]}
        )
    if text.isdigit():
        region = Region.objects.filter(code=text).first()
        if region is None:
            raise _unknown(text)
        name, paths = region.name, [region.path]
    else:
        group = RegionGroup.objects.filter(key=text).prefetch_related("members").first()
        if group is None:
            raise _unknown(text)
        name, paths = group.name, [m.path for m in group.members.all()]
        if not paths:
            raise InvalidInput(
                _("The region group %(name)s has no regions.") % {"name": group.name},
                fields={"area": [_("This group has no regions.")]},
            )
    if not all(p.startswith(HEBEI) for p in paths):
        message = _("Partner recommendations are for Hebei areas; %(name)s is not in Hebei.") % {
            "name": name
        }
        raise InvalidInput(message, fields={"area": [message]})
    manager = Region.objects.filter(path=_common_path(paths)).first()
    if (
        manager is None
        or not Region.objects.filter(
            access.verb_q(actor, Region, "organise"), pk=manager.pk
        ).exists()
    ):
        raise PermissionDenied(
            _(
                "%(name)s lies outside the regions you administer; recommendations are "
                "made only for your own area. Nothing was computed."
            )
            % {"name": name}
        )
    return text, name, paths, manager


def _unknown(code: str) -> InvalidInput:
    message = _("Unknown region or region group: %(code)s") % {"code": code[:30]}
    return InvalidInput(message, fields={"area": [message]})


# --- who is paired, who could partner --------------------------------------------------------


def _under(paths: tuple[str, ...] | list[str], field: str = "region_path") -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def _active(day: dt.date) -> QuerySet[Partnership]:
    return Partnership.objects.filter(period_covers_q(day), status=PartnershipStatus.ACTIVE)


def _current_members(day: dt.date) -> QuerySet[Member]:
    return Member.objects.filter(joined_on__lte=day).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=day)
    )


def paired_q(day: dt.date) -> Q:
    """Institutions that are members of an active partnership (its period covering ``day``)
    with a Beijing or Tianjin member."""
    with_partner = _active(day).filter(
        Exists(_current_members(day).filter(_under(PARTNER_PATHS), partnership=OuterRef("pk")))
    )
    return Q(
        Exists(
            _current_members(day).filter(
                institution=OuterRef("pk"), partnership__in=with_partner.values("pk")
            )
        )
    )


def unpaired_schools(paths: list[str], day: dt.date) -> QuerySet[Institution]:
    """The Hebei schools (not authorities, universities or institutes) under ``paths``
    without an active Beijing or Tianjin partner on ``day``."""
    return (
        Institution.objects.filter(_under(paths), region_path__startswith=HEBEI)
        .filter(kind__in=SCHOOL_KINDS)
        .exclude(paired_q(day))
    )


def partner_loads(day: dt.date) -> QuerySet[Any]:
    """The Beijing/Tianjin schools with ``load``: active partnerships they serve as lead or
    member on ``day`` (one aggregate query)."""
    serving = Q(
        partnership_memberships__role__in=[MemberRole.LEAD, MemberRole.MEMBER],
        partnership_memberships__partnership__status=PartnershipStatus.ACTIVE,
        partnership_memberships__partnership__starts_on__lte=day,
    ) & (
        Q(partnership_memberships__partnership__ends_on__isnull=True)
        | Q(partnership_memberships__partnership__ends_on__gte=day)
    )
    return (
        Institution.objects.filter(_under(PARTNER_PATHS), kind__in=SCHOOL_KINDS)
        .annotate(load=Count("partnership_memberships__partnership", filter=serving, distinct=True))
        .order_by("pk")
    )


def _point(lat: Any, lon: Any) -> tuple[float, float] | None:
    return (float(lat), float(lon)) if lat is not None and lon is not None else None


# --- running ----------------------------------------------------------------------------------


def job_threshold() -> int:
    return int(_setting("XIETONG_RECOMMEND_JOB_THRESHOLD", 200))


def start_recommendation(actor: Actor, area: str, *, enqueue: bool = True) -> RecommendationRun:
    """Run a recommendation for ``area``: at once when it is small, else as a job.

    ``enqueue=False`` leaves a job queued for :func:`xietong.jobs.services.run_now`.
    """
    code, name, paths, manager = resolve_area(actor, area)
    params = parameters()
    today = timezone.localdate()
    with transaction.atomic():
        count = unpaired_schools(paths, today).count()
        run = RecommendationRun.objects.create(
            area=code,
            area_name=name,
            region=manager,
            parameters={**params, "paths": paths, "day": today.isoformat()},
            statistics={"schools": count},
            created_by_id=actor.user_id,
        )
        background = count > job_threshold()
        if background:
            run.job = jobs.enqueue(
                actor, RECOMMEND_JOB, {"run": run.pk}, target=run, dispatch=enqueue
            )
            run.save(update_fields=["job"])
        else:
            compute(run)
        audit.record(
            actor,
            "partnerships.recommendation.run",
            target=run,
            label=name,
            after={"area": code, "schools": count, "job": background},
        )
    return run


def compute(run: RecommendationRun, report: Reporter | None = None) -> dict[str, Any]:
    """Compute the run's proposals from the registry as it stands and store them."""
    params = run.parameters
    day = dt.date.fromisoformat(params["day"])
    if report:
        report(0, _STEPS, gettext_noop("Loading schools and partners"))
    schools = [
        rec.School(pk, kind, frozenset(unpack(stages)), _point(lat, lon))
        for pk, kind, stages, lat, lon in unpaired_schools(params["paths"], day)
        .order_by("pk")
        .values_list("pk", "kind", "stages", "latitude", "longitude")
    ]
    partners = [
        rec.Partner(pk, kind, frozenset(unpack(stages)), _point(lat, lon), load)
        for pk, kind, stages, lat, lon, load in partner_loads(day).values_list(
            "pk", "kind", "stages", "latitude", "longitude", "load"
        )
    ]
    if report:
        report(1, _STEPS, gettext_noop("Computing the assignment"))
    cap, max_km = int(params["cap"]), float(params["max_km"])
    outcome = rec.recommend(
        schools,
        partners,
        cap=cap,
        max_km=max_km,
        k=int(params["k"]),
        weights=rec.Weights.of(params["weights"]),
    )
    if report:
        report(2, _STEPS, gettext_noop("Storing the proposals"))
    rows = [
        Proposal(
            run=run,
            school_id=p.school,
            partner_id=p.partner,
            cost=p.cost,
            distance_km=p.km,
            reasons=p.reasons,
        )
        for p in outcome.proposals
    ]
    rows += [
        Proposal(
            run=run,
            school_id=key,
            status=ProposalStatus.UNPLACED,
            reasons=[{"code": why, "km": round(max_km), "cap": cap}],
        )
        for key, why in sorted(outcome.unplaced.items())
    ]
    with transaction.atomic():
        Proposal.objects.bulk_create(rows, batch_size=2000)
        run.statistics = {
            "schools": len(schools),
            "partners": len(partners),
            "proposed": len(outcome.proposals),
            "unplaced": dict(Counter(outcome.unplaced.values())),
        }
        run.status = RunStatus.DONE
        run.save(update_fields=["statistics", "status"])
    if report:
        report(_STEPS, _STEPS)
    return {"run": run.pk, "proposed": len(outcome.proposals), "schools": len(schools)}


def compute_job(job: Job, report: Reporter) -> dict[str, Any]:
    """The job handler of a large area's run."""
    run = RecommendationRun.objects.filter(job=job).first()
    if run is None:
        raise JobFailed(gettext_noop("This recommendation no longer exists."))
    if run.status != RunStatus.QUEUED:
        raise JobFailed(gettext_noop("This recommendation already has its proposals."))
    return compute(run, report)


def _runs_seen(actor: Actor) -> Q:
    return Q(
        target_id__in=RecommendationRun.objects.filter(
            access.read_q(actor, RecommendationRun)
        ).values("pk")
    )


register(
    RECOMMEND_JOB,
    label=gettext_lazy("Partner recommendation"),
    visible=_runs_seen,
    manage=_runs_seen,
)(compute_job)


# --- deciding -----------------------------------------------------------------------------


def _load(actor: Actor, pk: Any) -> Proposal:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        key = 0
    found = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("run", "run__region", "school", "partner")
        .filter(access.read_q(actor, Proposal), pk=key)
        .first()
        if 0 < key < 2**63
        else None
    )
    if found is None:
        raise NotFound(_("No such proposal among the recommendations you manage."))
    return found


def accept_proposal(actor: Actor, pk: Any) -> Partnership:
    """The proposal becomes a draft paired-assistance partnership: the partner leads, the
    school is supported, managed in the run's region and marked as recommended."""
    with transaction.atomic():
        prop = _load(actor, pk)
        access.require(actor, "accept", prop)
        assert prop.partner is not None
        school, partner, today = prop.school, prop.partner, timezone.localdate()
        if Institution.objects.filter(paired_q(today), pk=school.pk).exists():
            raise Conflict(
                _(
                    "%(school)s has meanwhile been paired with a Beijing or Tianjin school; "
                    "nothing was created."
                )
                % {"school": school.name}
            )
        earlier = (
            Proposal.objects.filter(
                school=school,
                status=ProposalStatus.ACCEPTED,
                partnership__status=PartnershipStatus.DRAFT,
            )
            .select_related("partnership")
            .first()
        )
        if earlier is not None and earlier.partnership is not None:
            raise Conflict(
                _(
                    "%(school)s already has the draft partnership “%(name)s” from an accepted "
                    "recommendation; nothing was created."
                )
                % {"school": school.name, "name": earlier.partnership.name}
            )
        cap = int(prop.run.parameters.get("cap", 3))
        load = partner_loads(today).filter(pk=partner.pk).values_list("load", flat=True).first()
        if (load or 0) >= cap:
            raise Conflict(
                _(
                    "%(partner)s now serves %(load)d partnerships, its cap of %(cap)d; "
                    "nothing was created. Run the recommendation again."
                )
                % {"partner": partner.name, "load": load, "cap": cap}
            )
        p = create_partnership(
            actor,
            PartnershipIn(
                kind=PartnershipKind.PAIRED,
                name=f"{partner.name}—{school.name}结对帮扶"[:150],
                region=prop.run.region,
                starts_on=today,
                members=[
                    MemberIn(partner.pk, MemberRole.LEAD),
                    MemberIn(school.pk, MemberRole.SUPPORTED),
                ],
            ),
        )
        Partnership.objects.filter(pk=p.pk).update(recommended=True)
        p.recommended = True
        prop.status = ProposalStatus.ACCEPTED
        prop.partnership = p
        prop.decided_by_id = actor.user_id
        prop.decided_at = timezone.now()
        prop.save(update_fields=["status", "partnership", "decided_by", "decided_at"])
        audit.record(
            actor,
            "partnerships.proposal.accept",
            target=prop,
            label=f"{partner.name} → {school.name}",
            after={"partnership": p.pk, "school": school.pk, "partner": partner.pk},
        )
    return p


def dismiss_proposal(actor: Actor, pk: Any) -> Proposal:
    """Record that the authority does not want this proposal."""
    with transaction.atomic():
        prop = _load(actor, pk)
        access.require(actor, "dismiss", prop)
        prop.status = ProposalStatus.DISMISSED
        prop.decided_by_id = actor.user_id
        prop.decided_at = timezone.now()
        prop.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(
            actor,
            "partnerships.proposal.dismiss",
            target=prop,
            label=f"{prop.partner.name if prop.partner else '—'} → {prop.school.name}",
            after={"school": prop.school_id, "partner": prop.partner_id},
        )
    return prop


__all__ = [
    "RECOMMEND_JOB",
    "accept_proposal",
    "compute",
    "dismiss_proposal",
    "partner_loads",
    "resolve_area",
    "start_recommendation",
    "unpaired_schools",
]
