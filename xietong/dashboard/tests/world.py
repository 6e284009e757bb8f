"""A dashboard world of ``size`` partnerships a side: Beijing and Tianjin schools paired
with schools of 三河市, 大厂, 雄县 and a Baoding county, of several kinds, with activities
this term, one ended and one draft partnership, and a small plan with tasks in sections.

Viewers: ``hebei`` (province admin), ``hebei_viewer``, ``langfang`` (city), ``sanhe``
(county), ``beijing``, and ``school_admin`` (no dashboard)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from xietong.accounts.access import Actor, actor_for
from xietong.accounts.models import Role, User
from xietong.conftest import make_institution, make_user, region
from xietong.institutions.models import Institution
from xietong.partnerships.choices import (
    ActivityKind,
    MemberRole,
    PartnershipKind,
    PartnershipStatus,
)
from xietong.partnerships.models import Activity, Partnership
from xietong.partnerships.tests.conftest import make_partnership
from xietong.plan.choices import TaskStatus
from xietong.plan.models import Plan, Section, Task

TODAY = dt.date(2025, 11, 20)
PERIOD = "2025Q4"
HEBEI_CODES = ("131082", "131028", "130638", "130606", "130629")
BJTJ_CODES = ("110112", "110108", "120114")
KINDS = (PartnershipKind.PAIRED, PartnershipKind.GROUP, PartnershipKind.SCHOOL_ALLIANCE)


@dataclass
class World:
    users: dict[str, User]
    partnerships: list[Partnership]
    plan: Plan

    def actor(self, name: str) -> Actor:
        return actor_for(self.users[name])


def build(size: int = 3) -> World:
    bjtj = [
        make_institution(f"京津学校{i}", BJTJ_CODES[i % 3], stages=",primary,junior,")
        for i in range(size)
    ]
    hebei = [
        make_institution(
            f"河北学校{i}",
            HEBEI_CODES[i % len(HEBEI_CODES)],
            kind="senior" if i % 2 else "primary",
            stages=",senior," if i % 2 else ",preschool,primary,",
        )
        for i in range(size + 1)
    ]
    authority = make_institution("河北省教育厅", "130000", kind="authority", stages="")
    make_institution("三河市教体局", "131082", kind="authority", stages="")
    out = []
    for i in range(size):
        p = make_partnership(
            f"协作{i}",
            hebei[i].region.code,
            [
                (bjtj[i], MemberRole.LEAD),
                (hebei[i], MemberRole.SUPPORTED),
                (authority, MemberRole.MEMBER),
            ],
            kind=KINDS[i % 3],
            starts_on=dt.date(2023, 9, 1) + dt.timedelta(days=60 * (i % 5)),
        )
        out.append(p)
        for j in range(1 + i % 2):
            Activity.objects.create(
                partnership=p,
                kind=ActivityKind.VISIT,
                title=f"活动{i}-{j}",
                occurred_on=dt.date(2025, 10, 10) - dt.timedelta(days=40 * j),
                teachers=3,
            )
    # A school on both sides of two partnerships; an ended and a draft partnership.
    out.append(
        make_partnership(
            "多方协作",
            "131082",
            [
                (bjtj[0], MemberRole.LEAD),
                (hebei[-1], MemberRole.SUPPORTED),
                (hebei[0], MemberRole.MEMBER),
            ],
        )
    )
    make_partnership(
        "已结束",
        "131082",
        [(bjtj[-1], MemberRole.LEAD), (hebei[1 % size], MemberRole.SUPPORTED)],
        status=PartnershipStatus.ENDED,
        ends_on=dt.date(2024, 6, 30),
    )
    make_partnership(
        "草案",
        "131082",
        [(bjtj[-1], MemberRole.LEAD), (hebei[-1], MemberRole.SUPPORTED)],
        status=PartnershipStatus.DRAFT,
    )
    plan = Plan.objects.create(
        key="jjj-2023",
        name="行动计划",
        starts_on=dt.date(2023, 10, 8),
        ends_on=dt.date(2025, 12, 31),
    )
    parts = [
        Section.objects.create(plan=plan, number=n, title=t, order=k)
        for k, (n, t) in enumerate((("一", "基础教育"), ("二", "职业教育")))
    ]
    sub = Section.objects.create(plan=plan, parent=parts[0], number="一.1", title="结对", order=5)
    statuses = list(TaskStatus.values)
    for i in range(6):
        Task.objects.create(
            plan=plan,
            section=[parts[0], sub, parts[1]][i % 3],
            code=f"T{i}",
            title=f"任务{i}",
            deadline=dt.date(2025, 12, 31),
            status=statuses[i % 4],
            order=i,
        )
    users = {
        "hebei": make_user("hebei", Role.AUTHORITY_ADMIN, region=region("130000")),
        "hebei_viewer": make_user("hebei_viewer", Role.AUTHORITY_VIEWER, region=region("130000")),
        "langfang": make_user("langfang", Role.AUTHORITY_ADMIN, region=region("131000")),
        "sanhe": make_user("sanhe", Role.AUTHORITY_ADMIN, region=region("131082")),
        "beijing": make_user("beijing", Role.AUTHORITY_ADMIN, region=region("110000")),
        "school_admin": make_user("school_admin", Role.INSTITUTION_ADMIN, institution=hebei[0]),
    }
    return World(users, out, plan)


def institution_ids(qs: Any) -> set[int]:
    return set(Institution.objects.filter(pk__in=qs).values_list("pk", flat=True))
