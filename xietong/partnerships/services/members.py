"""Writes to a partnership's members, yearly terms and dispatched people.

Each is a change of the partnership: its managers do it while the partnership is a draft
or active, and the kind's rules are checked on the members as they would stand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from xietong import access
from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.core.errors import Conflict, NotFound
from xietong.institutions.models import Staff
from xietong.partnerships.models import Dispatch, Member, Partnership, PartnershipTerm
from xietong.partnerships.services.partnerships import MemberIn, _institution, _load
from xietong.partnerships.services.rules import (
    Side,
    check_members,
    check_school_year,
    refuse,
    sides_of,
    within_period,
)

MAX_COUNT = 1_000_000
MAX_BUDGET = Decimal("999999999999.99")


def _child(model: Any, p: Partnership, pk: int, *, lock: bool = True) -> Any:
    qs = model.objects.filter(partnership=p, pk=pk).select_related("partnership")
    if lock:
        qs = qs.select_for_update(of=("self",))
    obj = qs.first()
    if obj is None:
        raise NotFound()
    return obj


def add_member(actor: Actor, partnership_id: int, data: MemberIn) -> Member:
    """Add one member; the kind's rules are checked with it among the others."""
    with transaction.atomic():
        p = _load(actor, partnership_id, lock=True)
        access.require(actor, "edit", p)
        inst = _institution(data.institution, "institution")
        side = Side(inst, data.role, data.joined_on or p.starts_on, data.left_on)
        check_members(p, [*sides_of(p), side])
        m = Member.objects.create(
            partnership=p,
            institution=inst,
            role=side.role,
            joined_on=side.joined_on,
            left_on=side.left_on,
        )
        audit.record(actor, "partnerships.member.add", target=m, after=audit.snapshot(m))
    return m


def remove_member(actor: Actor, partnership_id: int, member_id: int) -> None:
    """Remove a member (refused when the partnership would break its kind's rules)."""
    with transaction.atomic():
        p = _load(actor, partnership_id, lock=True)
        m = _child(Member, p, member_id)
        access.require(actor, "delete", m)
        check_members(p, [s for s in sides_of(p) if s.institution.pk != m.institution_id])
        audit.record(actor, "partnerships.member.remove", target=m, before=audit.snapshot(m))
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


@dataclass(frozen=True)
class TermIn:
    school_year: int
    commitments: str = ""
    quota: int | None = None
    dispatch_planned: int | None = None
    budget_yuan: Decimal | str | None = None


def _count(value: int | None, field: str) -> int | None:
    if value is None:
        return None
    if not 0 <= value <= MAX_COUNT:
        raise refuse(field, _("Enter a whole number from 0 to 1,000,000."))
    return value


def _budget(value: Decimal | str | None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise refuse("budget_yuan", _("Enter the budget in yuan, such as 120000.00.")) from None
    if not Decimal(0) <= amount <= MAX_BUDGET:
        raise refuse("budget_yuan", _("Enter the budget in yuan, such as 120000.00."))
    return amount


def set_term(actor: Actor, partnership_id: int, data: TermIn) -> PartnershipTerm:
    """Write the yearly term of one school year (created, or changed if there is one)."""
    with transaction.atomic():
        p = _load(actor, partnership_id, lock=True)
        access.require(actor, "edit", p)
        if not 2000 <= data.school_year <= 2100:
            raise refuse(
                "school_year", _("Enter the year the school year starts in, such as 2024.")
            )
        check_school_year(p, data.school_year)
        commitments = (data.commitments or "").strip()
        if len(commitments) > 4000:
            raise refuse("commitments", _("The commitments have at most 4,000 characters."))
        values = {
            "commitments": commitments,
            "quota": _count(data.quota, "quota"),
            "dispatch_planned": _count(data.dispatch_planned, "dispatch_planned"),
            "budget_yuan": _budget(data.budget_yuan),
        }
        term = PartnershipTerm.objects.filter(partnership=p, school_year=data.school_year).first()
        before = audit.snapshot(term) if term is not None else None
        if term is None:
            term = PartnershipTerm.objects.create(
                partnership=p, school_year=data.school_year, **values
            )
        else:
            for k, v in values.items():
                setattr(term, k, v)
            term.save()
        audit.record(
            actor, "partnerships.term.set", target=term, before=before, after=audit.snapshot(term)
        )
    return term


def delete_term(actor: Actor, partnership_id: int, term_id: int) -> None:
    with transaction.atomic():
        p = _load(actor, partnership_id, lock=True)
        term = _child(PartnershipTerm, p, term_id)
        access.require(actor, "delete", term)
        audit.record(actor, "partnerships.term.delete", target=term, before=audit.snapshot(term))
        term.delete()


@dataclass(frozen=True)
class DispatchIn:
    staff: int
    host: int
    post: str
    starts_on: dt.date
    ends_on: dt.date | None = None


def add_dispatch(actor: Actor, partnership_id: int, data: DispatchIn) -> Dispatch:
    """Record a person sent to a member: a staff member of another member, with a post."""
    with transaction.atomic():
        p = _load(actor, partnership_id, lock=True)
        access.require(actor, "edit", p)
        members = dict(
            Member.objects.filter(partnership=p).values_list("institution_id", "institution__name")
        )
        staff = Staff.objects.filter(pk=_id(data.staff)).select_related("institution").first()
        if staff is None:
            raise refuse("staff", _("Unknown staff record."))
        home = {staff.institution_id, staff.institution.parent_id} - {None}
        if not home & set(members):
            raise refuse(
                "staff",
                _("%(name)s is not on the staff of a member of this partnership.")
                % {"name": staff.name},
            )
        host = _institution(data.host, "host")
        if host.pk not in members:
            raise refuse("host", _("The host must be a member of this partnership."))
        post = (data.post or "").strip()
        if not post:
            raise refuse("post", _("Give the post the person holds at the host."))
        if len(post) > 60:
            raise refuse("post", _("A post has at most 60 characters."))
        within_period(p, data.starts_on, data.ends_on)
        d = Dispatch.objects.create(
            partnership=p,
            staff=staff,
            host=host,
            post=post,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
        )
        audit.record(actor, "partnerships.dispatch.add", target=d, after=audit.snapshot(d))
    return d


def delete_dispatch(actor: Actor, partnership_id: int, dispatch_id: int) -> None:
    with transaction.atomic():
        p = _load(actor, partnership_id, lock=True)
        d = _child(Dispatch, p, dispatch_id)
        access.require(actor, "delete", d)
        audit.record(actor, "partnerships.dispatch.delete", target=d, before=audit.snapshot(d))
        d.delete()


def _id(value: Any) -> int:
    try:
        key = int(value)
    except (TypeError, ValueError):
        return 0
    return key if 0 < key < 2**63 else 0
