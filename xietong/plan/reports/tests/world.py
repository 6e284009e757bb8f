"""A small plan world for progress reports.

The plan (2023-10-08..2025-12-31) is signed by 北京市教委, 天津市教委 and 河北省教育厅.
Task T1 is the responsibility of 河北省教育厅 and 三河市教育局 (both file reports) and of
Sanhe Experimental (co-responsible, files none). Users beyond the shared cast: ``hebei``
(河北省 authority admin) and ``tianjin`` (天津市 authority admin).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from xietong.accounts.models import Role
from xietong.conftest import Cast, make_institution, make_user, region
from xietong.institutions.models import Institution
from xietong.plan.choices import BodyRole, ReportStatus
from xietong.plan.models import Plan, ProgressReport, Section, Task, TaskBody

NARRATIVE = "本季度完成了两校结对帮扶的师资交流安排。"


@dataclass
class PlanWorld:
    plan: Plan
    task: Task
    other_task: Task
    bodies: dict[str, Institution]
    reports: dict[str, ProgressReport] = field(default_factory=dict)


def authority(name: str, code: str) -> Institution:
    return make_institution(name, code, kind="authority", stages="")


def plan_world(cast: Cast) -> PlanWorld:
    bodies = {
        "beijing": authority("北京市教育委员会", "110000"),
        "tianjin": authority("天津市教育委员会", "120000"),
        "hebei": authority("河北省教育厅", "130000"),
        "sanhe": authority("三河市教育局", "131082"),
        "tongzhou": authority("北京市通州区教育委员会", "110112"),
    }
    cast.users["hebei"] = make_user("hebei", Role.AUTHORITY_ADMIN, region=region("130000"))
    cast.users["tianjin"] = make_user("tianjin", Role.AUTHORITY_ADMIN, region=region("120000"))
    plan = Plan.objects.create(
        key="jjj-2023",
        name="京津冀基础教育协同发展行动计划（2023—2025年）",
        starts_on=dt.date(2023, 10, 8),
        ends_on=dt.date(2025, 12, 31),
    )
    plan.signatories.set([bodies["beijing"], bodies["tianjin"], bodies["hebei"]])
    section = Section.objects.create(plan=plan, number="一", title="推进优质资源共享")
    task = Task.objects.create(
        plan=plan, section=section, code="T1", title="开展结对帮扶", deadline=dt.date(2025, 12, 31)
    )
    other = Task.objects.create(
        plan=plan, section=section, code="T2", title="共建研修平台", deadline=dt.date(2025, 12, 31)
    )
    TaskBody.objects.create(task=task, institution=bodies["hebei"], role=BodyRole.RESPONSIBLE)
    TaskBody.objects.create(task=task, institution=bodies["sanhe"], role=BodyRole.RESPONSIBLE)
    TaskBody.objects.create(
        task=task, institution=cast.sanhe_school, role=BodyRole.CO_RESPONSIBLE, reports=False
    )
    TaskBody.objects.create(task=other, institution=bodies["beijing"], role=BodyRole.RESPONSIBLE)
    return PlanWorld(plan, task, other, bodies)


def report(
    world: PlanWorld, body: str, period: str, state: str = ReportStatus.DRAFT, **extra: Any
) -> ProgressReport:
    from xietong.core.periods import parse
    from xietong.plan.reports.services import due_on

    task = extra.pop("task", world.task)
    now = timezone.now()
    stamps: dict[str, Any] = {}
    if state != ReportStatus.DRAFT:
        stamps["submitted_at"] = extra.pop("submitted_at", now)
    if state == ReportStatus.RETURNED:
        stamps["returned_at"] = now
        stamps["review_comment"] = "请补充帮扶学校名单。"
    if state == ReportStatus.ACCEPTED:
        stamps["accepted_at"] = now
    return ProgressReport.objects.create(
        task=task,
        body=world.bodies.get(body) or Institution.objects.get(name=body),
        period=period,
        due_on=due_on(parse(period)),
        state=state,
        narrative=NARRATIVE,
        **stamps,
        **extra,
    )
