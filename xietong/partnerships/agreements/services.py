"""Writes to agreements: a new agreement (its version 1), a new version, an approval.

A version is never changed once written: a change is a new version (its number the next
one), the pending version it replaces becomes superseded at once, the approved one when
the new one is approved by every party. Each write checks the actor through the declared
rules, validates, runs in one transaction and records its audit event (decision 0013).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong import access
from xietong.access.transitions import Notify, move
from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.partnerships.access import CHANGEABLE, member_admin_of
from xietong.partnerships.agreements import access as _declarations
from xietong.partnerships.agreements.access import WRITERS, WRITES
from xietong.partnerships.agreements.fingerprint import clean_clauses, clean_text, fingerprint
from xietong.partnerships.choices import VersionStatus
from xietong.partnerships.models import (
    Agreement,
    AgreementVersion,
    Member,
    Partnership,
    VersionApproval,
)
from xietong.partnerships.services.partnerships import member_admin_users

MAX_CLAUSES = 100
HEADING_LIMIT = 200
TEXT_LIMIT = 20_000


@dataclass(frozen=True)
class VersionIn:
    """A version's content as given; ``clauses`` a list of ``{"heading", "text"}``."""

    title: str
    starts_on: dt.date | None
    ends_on: dt.date | None = None
    clauses: Sequence[Mapping[str, Any]] = field(default_factory=list)
    note: str = ""


def current_members_q(day: dt.date | None = None, prefix: str = "") -> Q:
    """Members who are parties on ``day`` (today): joined, not yet left."""
    day = day or timezone.localdate()
    return Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": day})


def parties(p: Partnership | int) -> list[Member]:
    """The members whose approval a version of ``p``'s agreements needs."""
    pk = p if isinstance(p, int) else p.pk
    return list(
        Member.objects.filter(current_members_q(), partnership_id=pk)
        .select_related("institution")
        .order_by("role", "id")
    )


def _clean(data: VersionIn, *, number: int) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    title = clean_text(data.title)
    if not title:
        errors["title"] = [_("Give the agreement a title.")]
    elif len(title) > 150:
        errors["title"] = [_("A title has at most 150 characters.")]
    if data.starts_on is None:
        errors["starts_on"] = [_("Give the date the agreement is in force from.")]
    elif data.ends_on is not None and data.ends_on < data.starts_on:
        errors["ends_on"] = [_("The agreement cannot end before it is in force.")]
    try:
        clauses = clean_clauses(list(data.clauses or []))
    except (AttributeError, TypeError):
        clauses = []
        errors["clauses"] = [_("Each clause is a heading and a text.")]
    if not clauses and "clauses" not in errors:
        errors["clauses"] = [_("An agreement has at least one clause.")]
    elif len(clauses) > MAX_CLAUSES:
        errors["clauses"] = [_("An agreement has at most 100 clauses.")]
    elif any(len(c["heading"]) > HEADING_LIMIT for c in clauses):
        errors["clauses"] = [_("A clause's heading has at most 200 characters.")]
    elif any(len(c["text"]) > TEXT_LIMIT for c in clauses):
        errors["clauses"] = [_("A clause's text has at most 20,000 characters.")]
    note = clean_text(data.note)
    if len(note) > 300:
        errors["note"] = [_("Say what changed in at most 300 characters.")]
    elif number > 1 and not note:
        errors["note"] = [_("Say what changed in this version.")]
    if errors:
        raise InvalidInput(fields=errors)
    assert data.starts_on is not None
    return {
        "title": title,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "clauses": clauses,
        "note": note,
    }


def _text_of(version: AgreementVersion) -> str:
    """The fingerprint of a version's text without its note (what an edit must change)."""
    return fingerprint(
        title=version.title,
        starts_on=version.starts_on,
        ends_on=version.ends_on,
        clauses=version.clauses,
    )


def _write_version(actor: Actor, agreement: Agreement, data: VersionIn) -> AgreementVersion:
    last = agreement.versions.aggregate(n=Max("number"))["n"] or 0
    content = _clean(data, number=last + 1)
    digest = fingerprint(**content)
    latest = agreement.versions.order_by("-number").first()
    if latest is not None and _text_of(latest) == fingerprint(**{**content, "note": ""}):
        raise InvalidInput(
            _("Nothing changed: this is the text of version %(number)s.")
            % {"number": latest.number}
        )
    for old in agreement.versions.filter(status=VersionStatus.PENDING).order_by("number"):
        move(
            actor,
            old,
            VersionStatus.SUPERSEDED,
            stamp="superseded_at",
            event="partnerships.agreementversion.superseded",
        )
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=last + 1,
        fingerprint=digest,
        status=VersionStatus.PENDING,
        created_by_id=actor.user_id,
        **content,
    )
    audit.record(
        actor,
        "partnerships.agreementversion.create",
        target=version,
        after={
            "agreement": agreement.pk,
            "number": version.number,
            "fingerprint": digest,
            "title": version.title,
        },
    )
    return version


def _partnership(actor: Actor, pk: int) -> Partnership:
    p = Partnership.objects.filter(access.read_q(actor, Partnership), pk=pk).first()
    if p is None:
        raise NotFound()
    return p


def may_create(actor: Actor, p: Partnership) -> bool:
    """Whether the actor may start an agreement of ``p`` (a manager or a member's admin)."""
    return (
        p.status in CHANGEABLE
        and Partnership.objects.filter(
            access.relation_q(actor, Partnership, WRITERS), pk=p.pk
        ).exists()
    )


def create_agreement(actor: Actor, partnership_id: int, data: VersionIn) -> AgreementVersion:
    """A new agreement of the partnership, with its version 1 awaiting every party."""
    with transaction.atomic():
        p = _partnership(actor, partnership_id)
        if not Partnership.objects.filter(
            access.relation_q(actor, Partnership, WRITERS), pk=p.pk
        ).exists():
            raise PermissionDenied(str(WRITES))
        if p.status not in CHANGEABLE:
            raise Conflict(_("The partnership has ended; its agreements can no longer be changed."))
        content = _clean(data, number=1)
        agreement = Agreement.objects.create(
            partnership=p, title=content["title"], created_by_id=actor.user_id
        )
        audit.record(
            actor,
            "partnerships.agreement.create",
            target=agreement,
            after={"partnership": p.pk, "title": agreement.title},
        )
        version = _write_version(actor, agreement, data)
    _notify_parties(version, "partnerships.agreement_pending", exclude=actor.user_id)
    return version


def new_version(actor: Actor, agreement_id: int, data: VersionIn) -> AgreementVersion:
    """Version n+1 of the agreement, pending; a pending version before it is superseded."""
    with transaction.atomic():
        agreement = (
            Agreement.objects.filter(access.read_q(actor, Agreement), pk=agreement_id)
            .select_related("partnership")
            .select_for_update(of=("self",))
            .first()
        )
        if agreement is None:
            raise NotFound()
        access.require(actor, "edit", agreement)
        version = _write_version(actor, agreement, data)
        if agreement.title != version.title:
            agreement.title = version.title
            agreement.save(update_fields=["title"])
    _notify_parties(version, "partnerships.agreement_pending", exclude=actor.user_id)
    return version


def _notify_parties(version: AgreementVersion, code: str, exclude: int | None = None) -> None:
    agreement = version.agreement
    users = [u for u in member_admin_users(agreement.partnership) if u != exclude]
    from xietong.access.transitions import send

    send(
        Notify(
            users,
            code,
            target=agreement,
            params={
                "title": version.title,
                "number": version.number,
                "partnership": agreement.partnership.name,
            },
        )
    )


def _chosen(actor: Actor, version: AgreementVersion, members: Iterable[int] | None) -> list[Member]:
    """The parties the actor approves for: those chosen (each one the actor administers), or
    all the actor administers; only current parties that have not approved yet."""
    mine = {
        m.pk: m
        for m in member_admin_of(actor, version.agreement.partnership)
        if m.left_on is None or m.left_on >= timezone.localdate()
    }
    if members is not None:
        wanted = list(dict.fromkeys(int(m) for m in members))
        if not wanted:
            raise InvalidInput(fields={"members": [_("Choose the party you approve for.")]})
        foreign = [m for m in wanted if m not in mine]
        if foreign:
            raise PermissionDenied(
                _("You may approve only for a member you administer; you chose another.")
            )
        chosen = [mine[m] for m in wanted]
    else:
        chosen = list(mine.values())
    if not chosen:
        raise PermissionDenied(str(_declarations.NOT_PARTY))
    done = set(
        VersionApproval.objects.filter(version=version, member__in=chosen).values_list(
            "member_id", flat=True
        )
    )
    left = [m for m in chosen if m.pk not in done]
    if not left:
        raise Conflict(
            _("You have already approved version %(number)s for %(parties)s.")
            % {"number": version.number, "parties": "、".join(m.institution.name for m in chosen)}
        )
    return left


def approve(
    actor: Actor,
    version_id: int,
    *,
    members: Iterable[int] | None = None,
    comment: str = "",
) -> AgreementVersion:
    """Approve the pending version for the chosen parties (default: every party the actor
    administers that has not approved yet). When every current party has approved, the
    version is approved and the approved version before it superseded; the parties are told.
    """
    comment = clean_text(comment)
    if len(comment) > 300:
        raise InvalidInput(fields={"comment": [_("A comment has at most 300 characters.")]})
    with transaction.atomic():
        version = (
            AgreementVersion.objects.filter(access.read_q(actor, AgreementVersion), pk=version_id)
            .select_related("agreement__partnership")
            .select_for_update(of=("self",))
            .first()
        )
        if version is None:
            raise NotFound()
        access.require(actor, "approve", version)
        chosen = _chosen(actor, version, members)
        assert actor.user_id is not None  # a party's admin is a signed-in user
        now = timezone.now()
        for m in chosen:
            VersionApproval.objects.create(
                version=version,
                member=m,
                approved_by_id=actor.user_id,
                approved_at=now,
                comment=comment,
            )
        audit.record(
            actor,
            "partnerships.agreementversion.approve",
            target=version,
            detail={
                "members": [m.pk for m in chosen],
                "institutions": [m.institution_id for m in chosen],
                "fingerprint": version.fingerprint,
            },
        )
        needed = {m.pk for m in parties(version.agreement.partnership_id)}
        given = set(version.approvals.values_list("member_id", flat=True))
        complete = needed <= given
        if complete:
            for old in version.agreement.versions.filter(
                status=VersionStatus.APPROVED, number__lt=version.number
            ):
                move(
                    actor,
                    old,
                    VersionStatus.SUPERSEDED,
                    stamp="superseded_at",
                    event="partnerships.agreementversion.superseded",
                )
            move(
                actor,
                version,
                VersionStatus.APPROVED,
                stamp="approved_at",
                event="partnerships.agreementversion.approved",
            )
    if complete:
        _notify_parties(version, "partnerships.agreement_approved")
    return version
