"""Reads of partner recommendations, scoped by the access rules (the run's region)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from xietong import access
from xietong.accounts.access import Actor
from xietong.core.errors import NotFound
from xietong.partnerships import recommendation_access as _declarations  # noqa: F401
from xietong.partnerships.recommendation_models import (
    Proposal,
    ProposalStatus,
    RecommendationRun,
)


def runs_for(actor: Actor) -> QuerySet[RecommendationRun]:
    return (
        RecommendationRun.objects.filter(access.read_q(actor, RecommendationRun))
        .select_related("region", "job", "created_by")
        .annotate(accepted=Count("proposals", filter=Q(proposals__status=ProposalStatus.ACCEPTED)))
        .order_by("-id")
    )


def runs_to_decide(actor: Actor) -> QuerySet[RecommendationRun]:
    """Runs with proposals the actor may still accept or dismiss, oldest first, each with
    ``undecided``: how many."""
    decidable = Proposal.objects.filter(
        access.verb_q(actor, Proposal, "accept"), run=OuterRef("pk")
    )
    return (
        RecommendationRun.objects.filter(access.read_q(actor, RecommendationRun), Exists(decidable))
        .annotate(undecided=Count("proposals", filter=Q(proposals__status=ProposalStatus.PROPOSED)))
        .order_by("created_at", "id")
    )


def run_detail(actor: Actor, pk: int) -> RecommendationRun:
    run = (
        RecommendationRun.objects.filter(access.read_q(actor, RecommendationRun), pk=pk)
        .select_related("region", "job")
        .first()
    )
    if run is None:
        raise NotFound(_not_found())
    return run


def proposals_of(actor: Actor, run: RecommendationRun) -> list[Proposal]:
    """The run's rows, proposals first, with ``actions`` set on each (one query in all)."""
    qs = access.annotate(
        actor,
        Proposal.objects.filter(access.read_q(actor, Proposal), run=run)
        .select_related("school", "school__region", "partner", "partner__region", "partnership")
        .order_by("status", "distance_km", "school__name", "id"),
        read=True,
    )
    return access.with_actions(actor, qs)


def _not_found() -> str:
    from django.utils.translation import gettext

    return gettext("No such recommendation among those you manage.")
