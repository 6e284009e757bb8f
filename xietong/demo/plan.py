"""The plan in the demo: the shipped plans loaded (the 2023–2025 Action Plan and its
predecessors), and the named partnerships and exchange programs linked to the tasks they
serve, as the sources tie them:

* 建三 / 援四 aid partnerships → 1.1.2 / 1.1.3; 天津一中—雄县第一高级中学 → 1.1.4, the other
  Tianjin–Xiong'an pairs → 1.1.5;
* the 通州–北三县 communities, alliances and the Beijing schools' Sanhe campuses → 1.2.1;
  北京学校—三河市赵河沟小学 → 1.2.5;
* 北京交通大学唐山研究院 → 2.2.1; the university alliances → 2.2.2;
* the 容东 shadowing program → 1.1.6; the other teacher exchange programs → 2.1.1; the
  higher-education secondment → 2.2.3.

Below demo scale 1.0 the 2023–2025 plan is loaded with the demo figures that
:mod:`xietong.demo.plan_history` gave its cooperation counts (``scaled_plan``), so that
loading the demo again does not undo them.

Idempotent: plans are upserted by key, a link that exists is left alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from xietong.demo.named import demo_actor
from xietong.demo.plan_history import PLAN, scaled_plan
from xietong.exchanges.choices import ProgramKind
from xietong.exchanges.models import Program
from xietong.partnerships.choices import PartnershipKind
from xietong.partnerships.models import Partnership
from xietong.plan.cli_load import DATA, SHIPPED
from xietong.plan.loader import load_plan
from xietong.plan.models import Task, TaskLink
from xietong.plan.services import links


@dataclass
class PlanResult:
    plans: int = 0
    tasks: int = 0
    linked: int = 0

    def summary(self) -> str:
        return f"Plans: {self.plans} loaded ({self.tasks} tasks); {self.linked} records linked"


def task_for_partnership(p: Partnership) -> str | None:
    name = p.name
    if name.startswith("建三："):
        return "1.1.2"
    if name.startswith("援四："):
        return "1.1.3"
    if name == "天津市第一中学—雄县第一高级中学合作办学":
        return "1.1.4"
    if name.startswith("天津市") and name.endswith("合作办学"):
        return "1.1.5"
    if name.startswith("通州—") or "三河校区合作办学" in name:
        return "1.2.1"
    if name == "北京学校—三河市赵河沟小学结对帮扶":
        return "1.2.5"
    if name == "北京交通大学唐山研究院":
        return "2.2.1"
    if p.kind == PartnershipKind.UNIVERSITY_ALLIANCE:
        return "2.2.2"
    return None


def task_for_program(p: Program) -> str | None:
    if "容东" in p.title:
        return "1.1.6"
    if p.kind == ProgramKind.HIGHER_ED_SECONDMENT:
        return "2.2.3"
    return "2.1.1"


def load() -> PlanResult:
    actor = demo_actor()
    result = PlanResult()
    for name in SHIPPED:
        data = scaled_plan(json.loads((DATA / name).read_text(encoding="utf-8")))
        plan = load_plan(actor, data)
        result.plans += 1
        result.tasks += plan.tasks.count()
    tasks = {t.code: t for t in Task.objects.filter(plan__key=PLAN)}
    pairs: list[tuple[str, str, int]] = []
    for p in Partnership.objects.order_by("id"):
        code = task_for_partnership(p)
        if code:
            pairs.append((code, "partnership", p.pk))
    for prog in Program.objects.order_by("id"):
        code = task_for_program(prog)
        if code:
            pairs.append((code, "program", prog.pk))
    existing = {
        (x.task_id, x.record_type.model, x.record_id)
        for x in TaskLink.objects.filter(task__plan__key=PLAN).select_related("record_type")
    }
    models = {"partnership": ContentType.objects.get_for_model(Partnership).model}
    models["program"] = ContentType.objects.get_for_model(Program).model
    for code, kind, pk in pairs:
        task = tasks[code]
        if (task.pk, models[kind], pk) in existing:
            continue
        links.link(actor, task.pk, kind, pk)
        result.linked += 1
    return result
