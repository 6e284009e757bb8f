"""A world of the plan over the shared cast.

The three provincial authorities (北京市教委, 天津市教委, 河北省教育厅) sign ``plan``; its
task ``T1`` is led by 河北省教育厅 with Sanhe Experimental co-responsible, ``T2`` (in
``other``, the same signatories) has 河北省教育厅 only. So ``beijing`` manages both,
``school_admin`` reads ``plan`` only, the other authorities and viewers read both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from xietong.conftest import Cast, make_institution
from xietong.institutions.models import Institution
from xietong.plan.choices import BodyRole
from xietong.plan.models import Plan, Section, Task, TaskBody


@dataclass
class PlanWorld:
    beijing: Institution
    tianjin: Institution
    hebei: Institution
    plan: Plan
    other: Plan
    task: Task
    other_task: Task


def authorities() -> tuple[Institution, Institution, Institution]:
    def get(name: str, code: str) -> Institution:
        found = Institution.objects.filter(name=name).first()
        return found or make_institution(name, code, kind="authority", stages="")

    return (
        get("北京市教育委员会", "110000"),
        get("天津市教育委员会", "120000"),
        get("河北省教育厅", "130000"),
    )


def make_plan(key: str, signatories: list[Institution], **extra: Any) -> Plan:
    plan = Plan.objects.create(
        key=key,
        name=extra.pop("name", f"规划 {key}"),
        starts_on=extra.pop("starts_on", dt.date(2023, 10, 8)),
        ends_on=extra.pop("ends_on", dt.date(2025, 12, 31)),
        **extra,
    )
    plan.signatories.set(signatories)
    return plan


def make_task(plan: Plan, code: str, bodies: list[tuple[Institution, str]], **extra: Any) -> Task:
    section = Section.objects.get_or_create(plan=plan, number="一", defaults={"title": "第一部分"})[
        0
    ]
    task = Task.objects.create(
        plan=plan,
        section=section,
        code=code,
        title=extra.pop("title", f"任务 {code}"),
        deadline=extra.pop("deadline", dt.date(2025, 12, 31)),
        **extra,
    )
    for inst, role in bodies:
        TaskBody.objects.create(task=task, institution=inst, role=role)
    return task


@pytest.fixture
def plan_world(cast: Cast) -> PlanWorld:
    bj, tj, hb = authorities()
    plan = make_plan("jjj-test", [bj, tj, hb])
    other = make_plan("jjj-other", [bj, tj, hb])
    task = make_task(
        plan,
        "T1",
        [(hb, BodyRole.RESPONSIBLE), (cast.sanhe_school, BodyRole.CO_RESPONSIBLE)],
    )
    other_task = make_task(other, "T2", [(hb, BodyRole.RESPONSIBLE)])
    return PlanWorld(bj, tj, hb, plan, other, task, other_task)


@pytest.fixture
def named(db: Any) -> None:
    """The institutions the plan files name, as the demo's named entities load them."""
    from xietong.demo.named import load_named

    load_named()
