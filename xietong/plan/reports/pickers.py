"""Pickers of the progress-report list's filters: tasks, bodies and plans, each over its
scoped selector (``plan.reports.selectors``) and labelled in the page's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xietong.core.pickers import Picker, register
from xietong.institutions.models import Institution
from xietong.plan.models import Plan, Task
from xietong.plan.reports import selectors


def _tasks(actor: Any, q: str, params: Mapping[str, Any]) -> Any:
    return selectors.report_tasks(actor, q, plan=params.get("plan"))


def _task_label(t: Task) -> str:
    return f"{t.code} {t.display_title}"


def _bodies(actor: Any, q: str, params: Mapping[str, Any]) -> Any:
    return selectors.report_bodies(actor, q)


def _body_label(inst: Institution) -> str:
    return f"{inst.name} · {inst.region.name}"


def _plans(actor: Any, q: str, params: Mapping[str, Any]) -> Any:
    return selectors.report_plans(actor, q)


def _plan_label(p: Plan) -> str:
    return p.display_name


TASKS = register(Picker("report_tasks", _tasks, _task_label, params={"plan": int}))
BODIES = register(Picker("report_bodies", _bodies, _body_label))
PLANS = register(Picker("report_plans", _plans, _plan_label))
