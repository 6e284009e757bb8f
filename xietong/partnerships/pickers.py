"""Pickers of partnerships: partnerships one reads, a partnership's members, and the staff
of its members (the people its managers may record as dispatched)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q

from xietong import access
from xietong.core.pickers import Picker, register
from xietong.institutions.models import Institution, Staff
from xietong.partnerships import selectors
from xietong.partnerships.models import Member, Partnership


def _partnerships(actor: Any, q: str, params: Mapping[str, Any]) -> Any:
    qs = selectors.partnerships_for(actor, selectors.PartnershipFilters(q=q))
    return qs.order_by("name", "id")


def _partnership_label(p: Partnership) -> str:
    return f"{p.name} · {p.get_kind_display()}"


def _readable(actor: Any, params: Mapping[str, Any]) -> Partnership | None:
    pk = params.get("partnership")
    if pk is None:
        return None
    return Partnership.objects.filter(access.read_q(actor, Partnership), pk=pk).first()


def _members(actor: Any, q: str, params: Mapping[str, Any]) -> Any:
    """The member institutions of a partnership the actor reads."""
    p = _readable(actor, params)
    if p is None:
        return Institution.objects.none()
    qs = Institution.objects.filter(
        pk__in=Member.objects.filter(partnership=p).values("institution_id")
    ).select_related("region")
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("name", "id")


def _member_staff(actor: Any, q: str, params: Mapping[str, Any]) -> Any:
    """Staff of a partnership's members (a branch campus's too), for its managers only."""
    p = _readable(actor, params)
    if p is None or "edit" not in access.actions(actor, p):
        return Staff.objects.none()
    ids = Member.objects.filter(partnership=p).values("institution_id")
    qs = Staff.objects.filter(
        Q(institution_id__in=ids) | Q(institution__parent_id__in=ids)
    ).select_related("institution")
    if q:
        qs = qs.filter(name__startswith=q) if len(q) < 3 else qs.filter(name__contains=q)
    return qs.order_by("name", "id")


def _institution_label(inst: Institution) -> str:
    return f"{inst.name} · {inst.region.name}"


def _staff_label(s: Staff) -> str:
    return f"{s.name} · {s.institution.name}"


PARTNERSHIPS = register(Picker("partnerships", _partnerships, _partnership_label))
MEMBERS = register(
    Picker("partnership_members", _members, _institution_label, params={"partnership": int})
)
MEMBER_STAFF = register(
    Picker("partnership_staff", _member_staff, _staff_label, params={"partnership": int})
)
