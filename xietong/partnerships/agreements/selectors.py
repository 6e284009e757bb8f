"""Reads of agreements: a partnership's agreements with their versions and approvals, one
agreement, one version, and the versions waiting for the actor's approval."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from xietong import access
from xietong.accounts.access import Actor
from xietong.core.errors import InvalidInput, NotFound
from xietong.partnerships.access import member_admin_q
from xietong.partnerships.agreements.services import current_members_q, parties
from xietong.partnerships.choices import VersionStatus
from xietong.partnerships.models import Agreement, AgreementVersion, Member, VersionApproval


def _versions() -> Prefetch:
    approvals = VersionApproval.objects.select_related("member__institution", "approved_by")
    return Prefetch(
        "versions",
        queryset=AgreementVersion.objects.order_by("-number").prefetch_related(
            Prefetch("approvals", queryset=approvals)
        ),
    )


def agreements_of(actor: Actor, partnership_id: int) -> QuerySet[Agreement]:
    """The agreements of a partnership the actor reads, newest versions first in each."""
    return (
        Agreement.objects.filter(access.read_q(actor, Agreement), partnership_id=partnership_id)
        .select_related("partnership")
        .prefetch_related(_versions())
        .order_by("created_at", "id")
    )


def agreement_detail(actor: Actor, pk: int) -> Agreement:
    obj = (
        Agreement.objects.filter(access.read_q(actor, Agreement), pk=pk)
        .select_related("partnership", "partnership__region")
        .prefetch_related(_versions())
        .first()
    )
    if obj is None:
        raise NotFound()
    return obj


@dataclass
class VersionView:
    """A version as a reader sees it: its approvals, who is still to approve, what the
    actor may do on it and for which of its parties."""

    version: AgreementVersion
    approvals: list[VersionApproval]
    waiting: list[Member]  # parties that have not approved (pending versions only)
    actions: frozenset[str]
    mine_waiting: list[Member]  # of those, the ones the actor approves for


def version_views(actor: Actor, agreement: Agreement) -> list[VersionView]:
    """The agreement's versions, newest first, each with its approvals and waiting parties.

    One query for the parties and one for the actor's own members, whatever the number of
    versions (the versions and approvals come prefetched).
    """
    members = parties(agreement.partnership_id)
    mine = {
        m.pk
        for m in Member.objects.filter(
            member_admin_q(actor), current_members_q(), partnership_id=agreement.partnership_id
        )
    }
    out = []
    for v in agreement.versions.all():
        v.agreement = agreement
        approvals = list(v.approvals.all())
        done = {a.member_id for a in approvals}
        waiting = [m for m in members if m.pk not in done] if v.status == "pending" else []
        acts = access.actions(actor, v) if v.status == VersionStatus.PENDING else frozenset()
        mine_waiting = [m for m in waiting if m.pk in mine]
        if not mine_waiting:
            acts = acts - {"approve"}
        out.append(VersionView(v, approvals, waiting, acts, mine_waiting))
    return out


def version_detail(actor: Actor, pk: int) -> AgreementVersion:
    obj = (
        AgreementVersion.objects.filter(access.read_q(actor, AgreementVersion), pk=pk)
        .select_related("agreement__partnership")
        .first()
    )
    if obj is None:
        raise NotFound()
    return obj


def version_pair(actor: Actor, agreement: Agreement, left: Any, right: Any) -> tuple[Any, Any]:
    """The two versions of ``agreement`` numbered ``left`` and ``right`` (defaults: the two
    newest); a number the agreement does not have is refused by name."""
    versions = {v.number: v for v in agreement.versions.all()}
    numbers = sorted(versions)

    def pick(value: Any, default: int, name: str) -> AgreementVersion:
        if value in (None, ""):
            return versions[default]
        try:
            n = int(value)
        except (TypeError, ValueError):
            n = -1
        if n not in versions:
            from django.utils.translation import gettext as _

            raise InvalidInput(
                fields={name: [_("This agreement has no version %(number)s.") % {"number": value}]}
            )
        return versions[n]

    newest = numbers[-1]
    older = numbers[-2] if len(numbers) > 1 else newest
    return pick(left, older, "left"), pick(right, newest, "right")


def inbox_for(actor: Actor) -> QuerySet[AgreementVersion]:
    """Pending versions one of whose current parties the actor administers and that party
    has not approved: the actor's approval inbox, oldest first."""
    mine_waiting = Member.objects.filter(
        member_admin_q(actor),
        current_members_q(),
        partnership_id=OuterRef("agreement__partnership_id"),
    ).exclude(
        Exists(
            VersionApproval.objects.filter(
                version_id=OuterRef(OuterRef("pk")), member_id=OuterRef("pk")
            )
        )
    )
    return (
        AgreementVersion.objects.filter(
            access.read_q(actor, AgreementVersion),
            Exists(mine_waiting),
            status=VersionStatus.PENDING,
            agreement__partnership__status="active",
        )
        .select_related("agreement__partnership")
        .order_by("created_at", "id")
    )
