"""The audit log's sentences for the plan: plans loaded, tasks changed, records linked.

The other parts of the plan (indicators, reports, the dashboard) describe their own events
from their own packages (``accounts.audit_reading.describe``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.audit_reading import Facts, by_pk, describe, field_names, object_type
from xietong.plan.models import Plan, Task, TaskLink

GROUP = gettext_lazy("The plan")


def _plans(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(Plan.objects.only("name"), lambda p: {"name": p.name}, keys)


def _tasks(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(
        Task.objects.only("code", "title", "title_en"),
        lambda t: {"name": f"{t.code} {t.display_title}"},
        keys,
    )


def _links(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = TaskLink.objects.select_related("task").only("record_id", "task__code")
    return by_pk(qs, lambda x: {"name": f"{x.task.code} ← {x.record_id}"}, keys)


object_type("plan.plan", gettext_lazy("plan"), _plans)
object_type("plan.task", gettext_lazy("task"), _tasks)
object_type("plan.tasklink", gettext_lazy("linked record"), _links)


def _changed(f: Facts) -> str:
    after = f.value("after", {}) or {}
    return _("%(actor)s changed %(fields)s of the task %(object)s") % {
        **f,
        "fields": field_names(Task, list(after)),
    }


def _loaded(f: Facts) -> str:
    counts = f.value("detail.counts", {}) or {}
    return _(
        "%(actor)s loaded the plan %(object)s (%(tasks)s tasks, %(indicators)s indicators)"
    ) % {
        **f,
        "tasks": counts.get("tasks", "—"),
        "indicators": counts.get("indicators", "—"),
    }


EVENTS: list[tuple[str, Any, Any]] = [
    ("plan.plan.load", gettext_lazy("Plan loaded"), _loaded),
    ("plan.task.update", gettext_lazy("Task changed"), _changed),
    (
        "plan.link.add",
        gettext_lazy("Record linked to a task"),
        lambda f: _("%(actor)s linked a record to the task: %(object)s") % f,
    ),
    (
        "plan.link.remove",
        gettext_lazy("Record unlinked from a task"),
        lambda f: _("%(actor)s removed the link %(object)s") % f,
    ),
]

for action, label, text in EVENTS:
    describe(GROUP, action, label, text)
