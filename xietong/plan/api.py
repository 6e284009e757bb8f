"""The plan over JSON (mounted at /api/plan): plans, tasks (filtered, paged), one task with
its bodies, indicators and linked records, and linking records to tasks.

Other parts of the plan mount their own routers beneath it in ``xietong.api._mount``
(``api.add_router("/plan/indicators", indicators_router)``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from xietong import access
from xietong.core.errors import InvalidInput
from xietong.core.paging import PageOut, page_envelope
from xietong.institutions.schemas import Error
from xietong.plan import linkable, selectors
from xietong.plan.choices import TaskStatus
from xietong.plan.models import Plan, Task, TaskLink
from xietong.plan.services import links, tasks

router = Router(tags=["plan"])


ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
MAX_ID = 2**53


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


class Ref(Schema):
    id: int
    name: str


class PlanOut(Schema):
    id: int
    key: str
    name: str
    name_en: str
    starts_on: dt.date
    ends_on: dt.date
    signed_on: dt.date | None
    predecessor: str | None
    signatories: list[Ref]
    outcomes: str
    actions: list[str]


class BodyOut(Schema):
    institution: Ref
    role: str
    reports: bool


class TaskOut(Schema):
    id: int
    plan: str
    code: str
    section: str
    title: str
    title_en: str
    deadline: dt.date
    target_region: str | None
    target_group: str | None
    status: str
    bodies: list[BodyOut]


class LinkOut(Schema):
    id: int
    task: int
    kind: str
    record: int
    title: str
    url: str


class IndicatorRef(Schema):
    id: int
    key: str
    name: str
    unit: str


class TaskDetailOut(TaskOut):
    description: str
    indicators: list[IndicatorRef]
    links: list[LinkOut]
    actions: list[str]


class TaskPage(PageOut[TaskOut]):
    pass


class TaskQuery(Schema):
    plan: str = Field("", max_length=40, description="the plan's key")
    section: str = Field("", max_length=12, description="a part's or section's number")
    body: int | None = Field(None, ge=1, le=MAX_ID, description="an institution's id")
    status: str = Field("", max_length=12, json_schema_extra={"enum": list(TaskStatus.values)})
    group: str = Field("", max_length=30, description="a region group's key")
    q: str = Field("", max_length=100)
    page: int = Field(1, ge=1, le=MAX_ID)
    page_size: int = Field(settings.XIETONG_PAGE_SIZES[0])


class TaskPatch(Schema):
    title: str | None = Field(None, max_length=250)
    title_en: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=4000)
    deadline: dt.date | None = None
    target_region: str | None = Field(None, max_length=12)
    target_group: str | None = Field(None, max_length=30)


class LinkIn(Schema):
    task: int = Field(..., ge=1, le=MAX_ID)
    kind: str = Field(..., max_length=30)
    record: int = Field(..., ge=1, le=MAX_ID)


def _plan_out(actor: Any, p: Plan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "key": p.key,
        "name": p.name,
        "name_en": p.name_en,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "signed_on": p.signed_on,
        "predecessor": p.predecessor.key if p.predecessor else None,
        "signatories": [{"id": s.pk, "name": s.name} for s in p.signatories.all()],
        "outcomes": p.outcomes,
        "actions": sorted(access.actions(actor, p)),
    }


def _task_out(t: Task) -> dict[str, Any]:
    return {
        "id": t.pk,
        "plan": t.plan.key,
        "code": t.code,
        "section": t.section.number,
        "title": t.title,
        "title_en": t.title_en,
        "deadline": t.deadline,
        "target_region": t.target_region.code if t.target_region else None,
        "target_group": t.target_group.key if t.target_group else None,
        "status": t.status,
        "bodies": [
            {
                "institution": {"id": b.institution_id, "name": b.institution.name},
                "role": b.role,
                "reports": b.reports,
            }
            for b in t.bodies.all()
        ],
    }


def _link_out(x: TaskLink) -> dict[str, Any]:
    kind = x.kind  # type: ignore[attr-defined]
    return {
        "id": x.pk,
        "task": x.task_id,
        "kind": kind.key,
        "record": x.record_id,
        "title": kind.title(x.linked),  # type: ignore[attr-defined]
        "url": kind.url(x.linked),  # type: ignore[attr-defined]
    }


def _task_detail(actor: Any, pk: int) -> dict[str, Any]:
    t = selectors.task_detail(actor, pk)
    return {
        **_task_out(t),
        "description": t.description,
        "indicators": [
            {"id": i.pk, "key": i.key, "name": i.name, "unit": i.unit} for i in t.indicators.all()
        ],
        "links": [_link_out(x) for x in selectors.links_of(actor, t)],
        "actions": sorted(access.actions(actor, t)),
    }


@router.get("/plans", response={200: list[PlanOut], **ERRORS}, summary="The plans")
def list_plans(request: HttpRequest) -> Any:
    actor = _actor(request)
    qs = selectors.plans_for(actor).select_related("predecessor").prefetch_related("signatories")
    return [_plan_out(actor, p) for p in qs]


@router.get("/plans/{key}", response={200: PlanOut, **ERRORS}, summary="One plan")
def get_plan(request: HttpRequest, key: str) -> Any:
    actor = _actor(request)
    return _plan_out(actor, selectors.plan_by_key(actor, key))


def _filters(actor: Any, query: TaskQuery) -> selectors.TaskFilters:
    errors: dict[str, list[str]] = {}
    plan_id = section_id = None
    plan: Plan | None = None
    if query.plan:
        plan = selectors.plans_for(actor).filter(key=query.plan).first()
        if plan is None:
            errors["plan"] = [str(_no("plan", query.plan))]
        else:
            plan_id = plan.pk
    if query.section:
        if plan is None:
            errors.setdefault("section", []).append(str(_section_needs_plan()))
        else:
            section = plan.sections.filter(number=query.section).first()
            if section is None:
                errors["section"] = [str(_no("section", query.section))]
            else:
                section_id = section.pk
    if query.status and query.status not in TaskStatus.values:
        errors["status"] = [str(_no("status", query.status))]
    if errors:
        raise InvalidInput(fields=errors)
    return selectors.TaskFilters(
        plan=plan_id,
        section=section_id,
        body=query.body,
        status=query.status,
        group=query.group,
        q=query.q.strip(),
    )


def _no(what: str, value: str) -> str:
    from django.utils.translation import gettext as _

    names = {"plan": _("plan"), "section": _("section"), "status": _("status")}
    return _("There is no %(what)s “%(value)s”.") % {"what": names[what], "value": value}


def _section_needs_plan() -> str:
    from django.utils.translation import gettext as _

    return _("A section is named within a plan: give the plan too.")


@router.get("/tasks", response={200: TaskPage, **ERRORS}, summary="Tasks (filtered, paged)")
def list_tasks(request: HttpRequest, query: Query[TaskQuery]) -> Any:
    actor = _actor(request)
    qs = selectors.tasks_for(actor, _filters(actor, query))
    return page_envelope(qs, query.page, query.page_size, _task_out)


@router.get("/tasks/{int:pk}", response={200: TaskDetailOut, **ERRORS}, summary="One task")
def get_task(request: HttpRequest, pk: int) -> Any:
    return _task_detail(_actor(request), pk)


@router.patch("/tasks/{int:pk}", response={200: TaskDetailOut, **ERRORS}, summary="Change")
def update_task(request: HttpRequest, pk: int, payload: TaskPatch) -> Any:
    actor = _actor(request)
    tasks.update_task(actor, pk, tasks.TaskIn(**payload.model_dump(exclude_unset=True)))
    return _task_detail(actor, pk)


@router.post("/links", response={201: LinkOut, **ERRORS}, summary="Link a record to a task")
def add_link(request: HttpRequest, payload: LinkIn) -> Any:
    actor = _actor(request)
    row = links.link(actor, payload.task, payload.kind, payload.record)
    kind = linkable.kind(payload.kind)
    row.kind = kind  # type: ignore[attr-defined]
    row.linked = row.record  # type: ignore[attr-defined]
    return 201, _link_out(row)


@router.delete("/links/{int:pk}", response={204: None, **ERRORS}, summary="Unlink")
def remove_link(request: HttpRequest, pk: int) -> Any:
    links.unlink(_actor(request), pk)
    return 204, None
