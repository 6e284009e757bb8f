"""A world for activities: an active and an ended teaching-research community of
Tongzhou No. 1 (lead) and Sanhe Experimental, managed in 三河市 (``sanhe``), each with one
activity logged by ``school_admin`` for Sanhe Experimental; ``tz_admin`` administers
Tongzhou No. 1 (the other member)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xietong.accounts.models import Role
from xietong.conftest import Cast, make_user
from xietong.partnerships.choices import (
    ActivityKind,
    MemberRole,
    PartnershipKind,
    PartnershipStatus,
)
from xietong.partnerships.models import Activity, Partnership
from xietong.partnerships.tests.conftest import make_partnership

DAY = dt.date(2024, 10, 15)


def community(cast: Cast, status: str) -> Partnership:
    return make_partnership(
        f"通州一中—三河实验教研共同体 {status}",
        "131082",
        [(cast.tongzhou_school, MemberRole.LEAD), (cast.sanhe_school, MemberRole.MEMBER)],
        kind=PartnershipKind.RESEARCH_COMMUNITY,
        status=status,
    )


def activity_of(cast: Cast, p: Partnership, title: str = "同课异构") -> Activity:
    a = Activity.objects.create(
        partnership=p,
        kind=ActivityKind.SHARED_LESSON,
        title=title,
        occurred_on=DAY,
        teachers=6,
        students=40,
        hours=3,
        logged_by=cast.users["school_admin"],
        logged_for=p.members.get(institution=cast.sanhe_school),
    )
    a.institutions.set([cast.sanhe_school, cast.tongzhou_school])
    return a


def tz_admin(cast: Cast) -> Any:
    user = make_user("tz_admin", Role.INSTITUTION_ADMIN, institution=cast.tongzhou_school)
    cast.users["tz_admin"] = user
    return user


def world(cast: Cast) -> dict[str, Activity]:
    tz_admin(cast)
    return {s: activity_of(cast, community(cast, s)) for s in ("active", "ended")}


def payload(cast: Cast, **extra: Any) -> dict[str, Any]:
    return {
        "kind": ActivityKind.JOINT_RESEARCH,
        "title": "联合教研：小学数学",
        "occurred_on": "2024-11-05",
        "location": "三河市",
        "hours": "2.5",
        "teachers": 8,
        "students": 0,
        "institutions": [cast.sanhe_school.pk, cast.tongzhou_school.pk],
        **extra,
    }


__all__ = ["DAY", "PartnershipStatus", "activity_of", "community", "payload", "world"]


def term_key_of(day: dt.date) -> int:
    from xietong.core.terms import SchoolTerm

    return SchoolTerm.containing(day).key
