"""Changing a task of the plan: its titles, description, deadline and target area.

A task's status is the one its latest accepted progress report gave it (``plan.reports``);
its bodies and indicators come from the plan's data file (``plan.loader``) and from the
indicator services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from django.db import transaction
from django.utils.translation import gettext as _

from xietong import access
from xietong.access.actor import Actor
from xietong.accounts import audit
from xietong.core.errors import InvalidInput, NotFound
from xietong.plan.models import Plan, Task
from xietong.regions.models import Region, RegionGroup


@dataclass(frozen=True)
class TaskIn:
    """The fields of a task an editor changes (None: keep as it is)."""

    title: str | None = None
    title_en: str | None = None
    description: str | None = None
    deadline: dt.date | None = None
    target_region: str | None = None  # a region code; "" for none
    target_group: str | None = None  # a region group key; "" for none


def deadline_error(plan: Plan, deadline: dt.date) -> str | None:
    """The refusal of a deadline outside the plan's period (None when it is inside)."""
    if plan.starts_on <= deadline <= plan.ends_on:
        return None
    return _("The deadline %(deadline)s is outside the plan's period %(starts)s – %(ends)s.") % {
        "deadline": deadline.isoformat(),
        "starts": plan.starts_on.isoformat(),
        "ends": plan.ends_on.isoformat(),
    }


def _snapshot(t: Task) -> dict[str, object]:
    return {
        "title": t.title,
        "title_en": t.title_en,
        "description": t.description,
        "deadline": t.deadline.isoformat(),
        "target_region": t.target_region.code if t.target_region else "",
        "target_group": t.target_group.key if t.target_group else "",
    }


def update_task(actor: Actor, pk: int, data: TaskIn) -> Task:
    with transaction.atomic():
        task = (
            Task.objects.filter(access.read_q(actor, Task), pk=pk)
            .select_for_update(of=("self",))
            .select_related("plan", "target_region", "target_group")
            .first()
        )
        if task is None:
            raise NotFound()
        access.require(actor, "edit", task)
        before = _snapshot(task)
        errors: dict[str, list[str]] = {}
        for f in fields(TaskIn):
            value = getattr(data, f.name)
            if value is None:
                continue
            if f.name == "title" and not str(value).strip():
                errors["title"] = [_("A task needs a title.")]
            elif f.name == "deadline":
                problem = deadline_error(task.plan, value)
                if problem:
                    errors["deadline"] = [problem]
                task.deadline = value
            elif f.name == "target_region":
                region = Region.objects.filter(code=value).first() if value else None
                if value and region is None:
                    errors["target_region"] = [
                        _("No region has the code %(code)s.") % {"code": value}
                    ]
                task.target_region = region
            elif f.name == "target_group":
                group = RegionGroup.objects.filter(key=value).first() if value else None
                if value and group is None:
                    errors["target_group"] = [
                        _("No region group has the key %(key)s.") % {"key": value}
                    ]
                task.target_group = group
            else:
                setattr(task, f.name, str(value).strip())
        if errors:
            raise InvalidInput(_("The task was not changed."), fields=errors)
        task.save()
        after = _snapshot(task)
        audit.record(
            actor,
            "plan.task.update",
            target=task,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return task
