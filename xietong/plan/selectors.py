"""Reading the plan: plans, their parts and sections, tasks with their bodies, and the
records linked to a task — each scoped by the declared rules (``plan.access``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from xietong import access
from xietong.access.actor import Actor
from xietong.core.errors import NotFound
from xietong.plan.models import Plan, Section, Task, TaskBody, TaskLink


def plans_for(actor: Actor) -> QuerySet[Plan]:
    return Plan.objects.filter(access.read_q(actor, Plan)).order_by("-starts_on", "id")


def plan_detail(actor: Actor, pk: int) -> Plan:
    obj = (
        plans_for(actor)
        .filter(pk=pk)
        .select_related("predecessor")
        .prefetch_related("signatories", "successors")
        .first()
    )
    if obj is None:
        raise NotFound()
    return obj


def plan_by_key(actor: Actor, key: str) -> Plan:
    obj = plans_for(actor).filter(key=key).first()
    if obj is None:
        raise NotFound()
    return obj


@dataclass(frozen=True)
class TaskFilters:
    """What the plan page and ``GET /api/plan/tasks`` narrow tasks by."""

    plan: int | None = None
    section: int | None = None  # a part takes its sections' tasks too
    body: int | None = None  # an institution responsible or co-responsible
    status: str = ""
    group: str = ""  # a region group key the task targets
    q: str = ""


def _bodies() -> Prefetch[Any]:
    return Prefetch(
        "bodies",
        queryset=TaskBody.objects.select_related("institution").order_by("role", "id"),
    )


def tasks_for(actor: Actor, filters: TaskFilters | None = None) -> QuerySet[Task]:
    f = filters or TaskFilters()
    qs = Task.objects.filter(access.read_q(actor, Task))
    if f.plan is not None:
        qs = qs.filter(plan_id=f.plan)
    if f.section is not None:
        qs = qs.filter(Q(section_id=f.section) | Q(section__parent_id=f.section))
    if f.body is not None:
        qs = qs.filter(bodies__institution_id=f.body)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.group:
        qs = qs.filter(target_group__key=f.group)
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(title_en__icontains=f.q) | Q(code=f.q))
    return (
        qs.distinct()
        .select_related("section", "section__parent", "target_region", "target_group", "plan")
        .prefetch_related(_bodies())
        .order_by("plan_id", "order", "id")
    )


def task_detail(actor: Actor, pk: int) -> Task:
    obj = (
        Task.objects.filter(access.read_q(actor, Task), pk=pk)
        .select_related("plan", "section", "section__parent", "target_region", "target_group")
        .prefetch_related(_bodies())
        .first()
    )
    if obj is None:
        raise NotFound()
    return obj


def sections_of(plan: Plan) -> list[Section]:
    """The plan's parts, each with ``.subsections`` (its sections), in order."""
    rows = list(Section.objects.filter(plan=plan).order_by("order", "id"))
    parts = [s for s in rows if s.parent_id is None]
    for part in parts:
        part.subsections = [s for s in rows if s.parent_id == part.pk]  # type: ignore[attr-defined]
    return parts


def bodies_of(plan: Plan) -> list[Any]:
    """The institutions named as bodies of the plan's tasks (for the body filter)."""
    from xietong.institutions.models import Institution

    return list(
        Institution.objects.filter(plan_tasks__task__plan=plan)
        .distinct()
        .order_by("region_path", "name")
    )


def links_of(actor: Actor, task: Task) -> list[TaskLink]:
    """The task's linked records the actor may read, each with ``.record`` loaded."""
    from xietong.plan import linkable

    out: list[TaskLink] = []
    links = list(TaskLink.objects.filter(task=task).select_related("record_type"))
    by_type: dict[int, list[TaskLink]] = {}
    for link in links:
        by_type.setdefault(link.record_type_id, []).append(link)
    for rows in by_type.values():
        kind = linkable.kind_of_type(rows[0].record_type)
        if kind is None:
            continue
        readable = {
            r.pk: r
            for r in kind.model._default_manager.filter(
                access.read_q(actor, kind.model), pk__in=[x.record_id for x in rows]
            )
        }
        for link in rows:
            record = readable.get(link.record_id)
            if record is not None:
                link.kind = kind  # type: ignore[attr-defined]
                link.linked = record  # type: ignore[attr-defined]
                out.append(link)
    return out


def tasks_of_record(actor: Actor, record: Any) -> list[TaskLink]:
    """The links of a record to the tasks it serves, for the tasks the actor reads."""
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(type(record))
    return list(
        TaskLink.objects.filter(
            access.read_q(actor, Task, "task__"), record_type=ct, record_id=record.pk
        )
        .select_related("task", "task__plan")
        .order_by("task__plan_id", "task__order", "task__id")
    )


def link_detail(actor: Actor, pk: int) -> TaskLink:
    row = TaskLink.objects.filter(access.read_q(actor, TaskLink), pk=pk).first()
    if row is None:
        raise NotFound()
    return row
