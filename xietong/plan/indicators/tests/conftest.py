"""A small plan over the shared cast: 北京市教委 and 河北省教育厅 signed it; one task with
two computed indicators (Hebei schools cooperating; the share of eligible teachers who
completed an exchange) and one reported indicator (Hebei teachers shadowing, reported by
河北省教育厅). Two partnerships: Tongzhou No. 1 with Sanhe Experimental from 2024-03-01,
and with Xiongxian No. 1 from 2025-01-15."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from xietong.accounts.models import Role
from xietong.conftest import Cast, make_institution, make_user, region
from xietong.institutions.models import Institution
from xietong.partnerships.choices import MemberRole
from xietong.partnerships.tests.conftest import make_partnership
from xietong.plan.choices import BodyRole, IndicatorSource, Unit
from xietong.plan.models import Indicator, Plan, Section, Task, TaskBody


@dataclass
class World:
    cast: Cast
    plan: Plan
    task: Task
    cooperating: Indicator
    coverage: Indicator
    shadowing: Indicator
    beijing_bureau: Institution
    hebei_bureau: Institution

    def actor(self, username: str):  # type: ignore[no-untyped-def]
        return self.cast.actor(username)


@pytest.fixture
def world(cast: Cast) -> World:
    bj = make_institution("北京市教育委员会", "110000", kind="authority", stages="")
    hb = make_institution("河北省教育厅", "130000", kind="authority", stages="")
    make_user("hebei", Role.AUTHORITY_ADMIN, region=region("130000"))
    plan = Plan.objects.create(
        key="bth-2023",
        name="京津冀基础教育协同发展行动计划（2023—2025年）",
        starts_on=dt.date(2023, 10, 8),
        ends_on=dt.date(2025, 12, 31),
    )
    plan.signatories.set([bj, hb])
    section = Section.objects.create(plan=plan, number="一", title="深化基础教育合作")
    task = Task.objects.create(
        plan=plan, section=section, code="1.1", title="结对帮扶", deadline=dt.date(2025, 12, 31)
    )
    TaskBody.objects.create(task=task, institution=hb, role=BodyRole.RESPONSIBLE)
    cooperating = Indicator.objects.create(
        key="cooperating-hebei",
        name="与京津学校合作的河北学校",
        source=IndicatorSource.COMPUTED,
        numerator="partnerships.cooperating_hebei",
        unit=Unit.COUNT,
        baseline=0,
        baseline_period="2023Q4",
        target=4,
        target_date=dt.date(2025, 12, 31),
    )
    coverage = Indicator.objects.create(
        key="exchange-coverage",
        name="交流轮岗覆盖率",
        source=IndicatorSource.COMPUTED,
        numerator="exchanges.teachers_exchanged",
        denominator="exchanges.eligible_teachers",
        unit=Unit.PERCENT,
    )
    shadowing = Indicator.objects.create(
        key="hebei-shadowing",
        name="河北教师赴京跟岗",
        source=IndicatorSource.REPORTED,
        reporter=hb,
        unit=Unit.COUNT,
        target=250,
        target_date=dt.date(2025, 12, 31),
    )
    for i in (cooperating, coverage, shadowing):
        i.tasks.set([task])
    c = cast
    make_partnership(
        "通州一中—三河实验",
        "131082",
        [(c.tongzhou_school, MemberRole.LEAD), (c.sanhe_school, MemberRole.SUPPORTED)],
        starts_on=dt.date(2024, 3, 1),
    )
    make_partnership(
        "通州一中—雄县一中",
        "130638",
        [(c.tongzhou_school, MemberRole.LEAD), (c.xiongxian_school, MemberRole.SUPPORTED)],
        starts_on=dt.date(2025, 1, 15),
    )
    return World(cast, plan, task, cooperating, coverage, shadowing, bj, hb)


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """The refusals are read in English here (the catalog's tests check the Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
