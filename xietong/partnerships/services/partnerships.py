"""Writes to partnerships: create or change one with its members in one call, activate,
end, delete. Every write checks the actor through the declared rules, checks the kind's
rules (:mod:`.rules`) and runs in one transaction with its audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from xietong import access
from xietong.access.transitions import Notify, transition
from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.accounts.models import Role, RoleAssignment
from xietong.core.errors import Conflict, NotFound, PermissionDenied
from xietong.institutions.models import Institution
from xietong.partnerships import access as _declarations  # noqa: F401  (declares the rules)
from xietong.partnerships.choices import MemberRole, PartnershipStatus
from xietong.partnerships.models import Member, Partnership
from xietong.partnerships.services.rules import MEMBERS, Side, check, refuse, sides_of
from xietong.regions.models import Region

FIELDS = (
    "kind",
    "name",
    "alliance_type",
    "aid_round",
    "institute",
    "region",
    "starts_on",
    "ends_on",
    "description",
)


@dataclass(frozen=True)
class MemberIn:
    """A member as given: an institution's id, its role, when it joined (default: the
    partnership's start) and left."""

    institution: int
    role: str = MemberRole.MEMBER
    joined_on: dt.date | None = None
    left_on: dt.date | None = None


@dataclass(frozen=True)
class PartnershipIn:
    """A partnership as given by a form or the API; ``region`` is a region's id, code or row.

    ``members`` None on a change: the members stay as they are.
    """

    kind: str
    name: str
    region: Any
    starts_on: dt.date
    ends_on: dt.date | None = None
    alliance_type: str = ""
    aid_round: str = ""
    institute: int | None = None
    description: str = ""
    members: Sequence[MemberIn] | None = field(default=None)


def _region(value: Any) -> Region:
    if isinstance(value, Region):
        return value
    text = str(value or "").strip()
    region = None
    if len(text) == 6 and text.isdigit():
        region = Region.objects.filter(code=text).first()
    elif text.isdigit() and int(text) < 2**63:
        region = Region.objects.filter(pk=int(text)).first()
    if region is None:
        raise refuse("region", _("Unknown region: %(code)s") % {"code": text or "—"})
    return region


def require_region(actor: Actor, region: Region) -> None:
    """Partnerships are registered in a region the actor administers as an authority."""
    if not Region.objects.filter(access.verb_q(actor, Region, "organise"), pk=region.pk).exists():
        raise PermissionDenied(
            _("You may register partnerships only in a region you administer: %(region)s is not.")
            % {"region": region.name}
        )


def _institution(pk: Any, field_name: str) -> Institution:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        key = 0
    inst = (
        Institution.objects.filter(pk=key).select_related("region").first()
        if 0 < key < 2**63
        else None
    )
    if inst is None:
        raise refuse(field_name, _("Unknown institution: %(id)s") % {"id": pk})
    return inst


def _sides(p: Partnership, members: Sequence[MemberIn]) -> list[Side]:
    return [
        Side(
            _institution(m.institution, MEMBERS),
            m.role,
            m.joined_on or p.starts_on,
            m.left_on,
        )
        for m in members
    ]


def _fill(p: Partnership, data: PartnershipIn) -> None:
    p.kind = data.kind
    p.name = (data.name or "").strip()
    p.alliance_type = data.alliance_type or ""
    p.aid_round = data.aid_round or ""
    p.institute = _institution(data.institute, "institute") if data.institute else None
    p.region = _region(data.region)
    p.starts_on = data.starts_on
    p.ends_on = data.ends_on
    p.description = (data.description or "").strip()
    if len(p.name) > 150:
        raise refuse("name", _("A name has at most 150 characters."))
    if len(p.description) > 4000:
        raise refuse("description", _("A description has at most 4,000 characters."))


def _snapshot(p: Partnership) -> dict[str, Any]:
    return audit.snapshot(p, FIELDS)


def member_admin_users(p: Partnership) -> list[int]:
    """The users who administer a member institution (a branch campus's parent's too)."""
    ids = list(Member.objects.filter(partnership=p).values_list("institution_id", flat=True))
    parents = Institution.objects.filter(pk__in=ids, parent__isnull=False).values_list(
        "parent_id", flat=True
    )
    return list(
        RoleAssignment.objects.filter(
            role=Role.INSTITUTION_ADMIN, institution_id__in=[*ids, *parents]
        ).values_list("user_id", flat=True)
    )


def _write_members(p: Partnership, sides: Sequence[Side]) -> dict[str, list[int]]:
    """Make the members exactly ``sides``: change, add and remove; what changed, by id."""
    existing = {m.institution_id: m for m in Member.objects.filter(partnership=p)}
    wanted = {s.institution.pk: s for s in sides}
    changes: dict[str, list[int]] = {"added": [], "removed": [], "changed": []}
    for inst_id, m in existing.items():
        if inst_id not in wanted:
            try:
                with transaction.atomic():
                    m.delete()
            except ProtectedError:
                raise Conflict(
                    _(
                        "%(name)s has approved agreements or logged activities under this "
                        "partnership; it cannot be removed. Give the date it left instead."
                    )
                    % {"name": m.institution.name}
                ) from None
            changes["removed"].append(inst_id)
    for inst_id, s in wanted.items():
        row = existing.get(inst_id)
        if row is None:
            Member.objects.create(
                partnership=p,
                institution=s.institution,
                role=s.role,
                joined_on=s.joined_on,
                left_on=s.left_on,
            )
            changes["added"].append(inst_id)
        elif (row.role, row.joined_on, row.left_on) != (s.role, s.joined_on, s.left_on):
            row.role, row.joined_on, row.left_on = s.role, s.joined_on, s.left_on
            row.save(update_fields=["role", "joined_on", "left_on"])
            changes["changed"].append(inst_id)
    return changes


def create_partnership(actor: Actor, data: PartnershipIn) -> Partnership:
    """A new draft partnership with its members, in a region the actor administers."""
    if not access.can(actor, "partnerships.manage"):
        raise PermissionDenied(_("Only an authority administrator registers partnerships."))
    p = Partnership(status=PartnershipStatus.DRAFT, created_by_id=actor.user_id)
    _fill(p, data)
    require_region(actor, p.region)
    sides = _sides(p, data.members or [])
    with transaction.atomic():
        check(p, sides)
        p.save()
        _write_members(p, sides)
        audit.record(
            actor,
            "partnerships.partnership.create",
            target=p,
            after={**_snapshot(p), "members": [s.institution.pk for s in sides]},
        )
    return p


def _load(actor: Actor, pk: int, *, lock: bool = False) -> Partnership:
    qs = Partnership.objects.filter(access.read_q(actor, Partnership)).select_related(
        "region", "institute"
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def update_partnership(actor: Actor, pk: int, data: PartnershipIn) -> Partnership:
    """Change a partnership (and, when given, make its members exactly ``data.members``)."""
    with transaction.atomic():
        p = _load(actor, pk, lock=True)
        access.require(actor, "edit", p)
        before = _snapshot(p)
        _fill(p, data)
        if p.region_id != before["region"]:
            require_region(actor, p.region)
        sides = _sides(p, data.members) if data.members is not None else sides_of(p)
        check(p, sides)
        p.save()
        changes = _write_members(p, sides) if data.members is not None else {}
        after = _snapshot(p)
        audit.record(
            actor,
            "partnerships.partnership.update",
            target=p,
            before={k: v for k, v in before.items() if after.get(k) != v},
            after={k: v for k, v in after.items() if before.get(k) != v},
            detail={"members": changes} if any(changes.values()) else None,
        )
    return p


def _notice(p: Partnership, code: str) -> Notify:
    return Notify(member_admin_users(p), code, target=p, params={"name": p.name})


def activate(actor: Actor, pk: int) -> Partnership:
    """Draft → active: the kind's rules are checked on the members as they now stand."""
    with transaction.atomic():
        p = _load(actor, pk, lock=True)
        access.require(actor, "activate", p)
        check(p, sides_of(p))
        return transition(actor, "activate", p, notify=_notice(p, "partnerships.activated"))


def end(actor: Actor, pk: int) -> Partnership:
    """Active → ended; the members' admins are told."""
    with transaction.atomic():
        p = _load(actor, pk, lock=True)
        return transition(actor, "end", p, notify=_notice(p, "partnerships.ended"))


def delete(actor: Actor, pk: int) -> None:
    """Delete a draft partnership with its members, terms and dispatched people."""
    with transaction.atomic():
        p = _load(actor, pk, lock=True)
        access.require(actor, "delete", p)
        audit.record(actor, "partnerships.partnership.delete", target=p, before=_snapshot(p))
        try:
            p.delete()
        except ProtectedError:
            raise Conflict(
                _("This partnership has records that keep it; end it instead.")
            ) from None
