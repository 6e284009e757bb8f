"""The rules of each kind of partnership, checked on the whole partnership before it is
written: members, roles, the registry's facts about them, and dates in order.

Each refusal is an :class:`InvalidInput` naming the field at fault with a specific message;
the services call :func:`check` inside their transaction, so nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from xietong.core.errors import InvalidInput
from xietong.core.terms import SchoolTerm
from xietong.institutions.choices import Kind
from xietong.institutions.models import Institution
from xietong.partnerships.choices import (
    AidRound,
    AllianceType,
    MemberRole,
    PartnershipKind,
    PartnershipStatus,
)
from xietong.partnerships.models import Member, Partnership

MEMBERS = "members"


@dataclass(frozen=True)
class Side:
    """One member as the rules see it (not yet written, or as it stands)."""

    institution: Institution
    role: str
    joined_on: dt.date
    left_on: dt.date | None = None


def refuse(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


def _names(sides: Sequence[Side]) -> str:
    return "、".join(s.institution.name for s in sides)


def check_fields(p: Partnership) -> None:
    """The partnership's own fields: kind, type or round the kind needs, dates in order."""
    if p.kind not in PartnershipKind.values:
        raise refuse("kind", _("Unknown kind of partnership."))
    if not (p.name or "").strip():
        raise refuse("name", _("Give the partnership a name."))
    if p.ends_on is not None and p.ends_on < p.starts_on:
        raise refuse("ends_on", _("The partnership cannot end before it starts."))
    if p.kind == PartnershipKind.UNIVERSITY_ALLIANCE:
        if p.alliance_type not in AllianceType.values:
            raise refuse(
                "alliance_type",
                _(
                    "Choose the type of the university alliance: high-level, applied and "
                    "technical, or normal universities."
                ),
            )
    elif p.alliance_type:
        raise refuse("alliance_type", _("Only a university alliance has an alliance type."))
    if p.kind == PartnershipKind.AID:
        if p.aid_round not in AidRound.values:
            raise refuse(
                "aid_round", _("Choose the round of the aid program: build three or aid four.")
            )
    elif p.aid_round:
        raise refuse("aid_round", _("Only an aid program has a round."))
    if p.kind == PartnershipKind.INSTITUTE:
        if p.institute_id is None:
            raise refuse("institute", _("Name the institute a co-built institute builds."))
        if p.institute is not None and p.institute.kind != Kind.RESEARCH:
            raise refuse(
                "institute",
                _("%(name)s is not registered as a research institute.")
                % {"name": p.institute.name},
            )
    elif p.institute_id is not None:
        raise refuse("institute", _("Only a co-built institute names an institute."))


def check_members(p: Partnership, sides: Sequence[Side]) -> None:
    """The members the kind allows, and their dates within the partnership's period."""
    if len(sides) < 2:
        raise refuse(MEMBERS, _("A partnership has at least two members."))
    seen: set[int] = set()
    for s in sides:
        if s.institution.pk in seen:
            raise refuse(
                MEMBERS,
                _("%(name)s is named twice; an institution is a member once.")
                % {"name": s.institution.name},
            )
        seen.add(s.institution.pk)
        if s.role not in MemberRole.values:
            raise refuse(MEMBERS, _("Unknown member role."))
        if s.joined_on < p.starts_on:
            raise refuse(
                MEMBERS,
                _("%(name)s cannot join before the partnership starts (%(date)s).")
                % {"name": s.institution.name, "date": p.starts_on.isoformat()},
            )
        if s.left_on is not None and s.left_on < s.joined_on:
            raise refuse(
                MEMBERS,
                _("%(name)s cannot leave before it joins.") % {"name": s.institution.name},
            )
        if p.ends_on is not None and s.joined_on > p.ends_on:
            raise refuse(
                MEMBERS,
                _("%(name)s cannot join after the partnership ends (%(date)s).")
                % {"name": s.institution.name, "date": p.ends_on.isoformat()},
            )
    supported = [s for s in sides if s.role == MemberRole.SUPPORTED]
    if p.kind == PartnershipKind.PAIRED and (len(sides) != 2 or len(supported) != 1):
        raise refuse(
            MEMBERS, _("A paired assistance has exactly two sides, one of them supported.")
        )
    if p.kind == PartnershipKind.UNIVERSITY_ALLIANCE:
        others = [s for s in sides if s.institution.kind != Kind.UNIVERSITY]
        if others:
            raise refuse(
                MEMBERS,
                _("A university alliance has universities only as members; %(names)s is not one.")
                % {"names": _names(others)},
            )
    if p.kind == PartnershipKind.BRANCH:
        _check_branch(sides)
    if p.kind == PartnershipKind.ENTRUSTMENT:
        _check_entrustment(p, supported)


def _check_branch(sides: Sequence[Side]) -> None:
    if len(sides) != 2:
        raise refuse(
            MEMBERS, _("A branch campus partnership has two members: the branch and its parent.")
        )
    a, b = (s.institution for s in sides)
    if a.parent_id != b.pk and b.parent_id != a.pk:
        raise refuse(
            MEMBERS,
            _(
                "Neither %(a)s nor %(b)s is registered as a branch campus of the other; "
                "a branch campus partnership follows the registry's parent campus."
            )
            % {"a": a.name, "b": b.name},
        )


def _check_entrustment(p: Partnership, supported: Sequence[Side]) -> None:
    if not supported:
        raise refuse(
            MEMBERS, _("A management entrustment names the entrusted school as the supported side.")
        )
    overlap = Q(ends_on__isnull=True) | Q(ends_on__gte=p.starts_on)
    if p.ends_on is not None:
        overlap &= Q(starts_on__lte=p.ends_on)
    others = (
        Partnership.objects.filter(overlap, kind=PartnershipKind.ENTRUSTMENT)
        .exclude(status=PartnershipStatus.ENDED, ends_on__isnull=True)
        .filter(
            members__role=MemberRole.SUPPORTED,
            members__institution__in=[s.institution.pk for s in supported],
        )
    )
    if p.pk is not None:
        others = others.exclude(pk=p.pk)
    clash = others.order_by("starts_on").first()
    if clash is not None:
        school = next(
            s.institution.name
            for s in supported
            if Member.objects.filter(
                partnership=clash, institution=s.institution, role=MemberRole.SUPPORTED
            ).exists()
        )
        raise refuse(
            MEMBERS,
            _(
                "%(school)s is already entrusted under “%(other)s” in an overlapping period; "
                "a school is entrusted once at a time."
            )
            % {"school": school, "other": clash.name},
        )


def sides_of(p: Partnership) -> list[Side]:
    """The partnership's members as they stand."""
    return [
        Side(m.institution, m.role, m.joined_on, m.left_on)
        for m in Member.objects.filter(partnership=p).select_related("institution")
    ]


def check(p: Partnership, sides: Sequence[Side]) -> None:
    check_fields(p)
    check_members(p, sides)


def check_school_year(p: Partnership, year: int) -> None:
    """A yearly term's school year lies (at least partly) within the partnership's period."""
    first, second = SchoolTerm.school_year(year)
    if second.ends_on < p.starts_on or (p.ends_on is not None and first.starts_on > p.ends_on):
        raise refuse(
            "school_year",
            _("The school year %(first)d–%(second)d lies outside the partnership's period.")
            % {"first": year, "second": year + 1},
        )


def within_period(p: Partnership, starts_on: dt.date, ends_on: dt.date | None) -> None:
    """A dispatch's dates lie within the partnership's period."""
    if ends_on is not None and ends_on < starts_on:
        raise refuse("ends_on", _("The dispatch cannot end before it starts."))
    if starts_on < p.starts_on or (p.ends_on is not None and starts_on > p.ends_on):
        raise refuse("starts_on", _("The dispatch must start within the partnership's period."))
    if p.ends_on is not None and (ends_on is None or ends_on > p.ends_on):
        raise refuse(
            "ends_on",
            _("The dispatch must end by the end of the partnership (%(date)s).")
            % {"date": p.ends_on.isoformat()},
        )
