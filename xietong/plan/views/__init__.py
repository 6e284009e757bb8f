"""Pages of the plan: the plans, one plan with its parts, sections and tasks (filtered),
one task with its bodies, linked records and the sections others add (its indicators,
its progress reports), and the forms that edit a task and link records to it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xietong import access
from xietong.core import sections
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.core.views import refusals, through_service
from xietong.plan import linkable, selectors
from xietong.plan.choices import TaskStatus
from xietong.plan.services import links, tasks
from xietong.regions.models import RegionGroup

TASK_PAGE = "plan.task"


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _gate(actor: Any) -> None:
    if not access.can(actor, "plan.read"):
        raise PermissionDenied(_("Your roles do not include the plan."))


@login_required
@refusals
def plan_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _gate(actor)
    plans = list(selectors.plans_for(actor).select_related("predecessor"))
    return render(request, "plan/list.html", {"plans": plans})


class TaskFilterForm(forms.Form):
    section = forms.TypedChoiceField(
        label=gettext_lazy("Section"), required=False, coerce=int, empty_value=None
    )
    body = forms.TypedChoiceField(
        label=gettext_lazy("Responsible body"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    group = forms.ChoiceField(label=gettext_lazy("Target region group"), required=False)
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)

    def __init__(self, data: Any, *, parts: list[Any], bodies: list[Any]) -> None:
        super().__init__(data)
        any_ = [("", _("Any"))]
        section_choices: list[tuple[Any, str]] = []
        for part in parts:
            section_choices.append((part.pk, f"{part.number} {part.display_title}"))
            section_choices += [(s.pk, f"— {s.number} {s.display_title}") for s in part.subsections]
        self.fields["section"].choices = any_ + section_choices  # type: ignore[attr-defined]
        self.fields["body"].choices = any_ + [(b.pk, b.name) for b in bodies]  # type: ignore[attr-defined]
        self.fields["status"].choices = any_ + list(TaskStatus.choices)  # type: ignore[attr-defined]
        self.fields["group"].choices = any_ + [  # type: ignore[attr-defined]
            (g.key, g.name) for g in RegionGroup.objects.order_by("key")
        ]

    def filters(self, plan_id: int) -> selectors.TaskFilters:
        d = self.cleaned_data
        return selectors.TaskFilters(
            plan=plan_id,
            section=d.get("section"),
            body=d.get("body"),
            status=d.get("status") or "",
            group=d.get("group") or "",
            q=(d.get("q") or "").strip(),
        )


@login_required
@refusals
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.plan_detail(actor, pk)
    parts: list[Any] = selectors.sections_of(plan)
    form = TaskFilterForm(request.GET or None, parts=parts, bodies=selectors.bodies_of(plan))
    filters = form.filters(plan.pk) if form.is_valid() else selectors.TaskFilters(plan=plan.pk)
    rows = list(selectors.tasks_for(actor, filters))
    by_section: dict[int, list[Any]] = {}
    for t in rows:
        by_section.setdefault(t.section_id, []).append(t)
    for part in parts:
        part.rows = by_section.get(part.pk, [])
        for s in part.subsections:
            s.rows = by_section.get(s.pk, [])
        part.count = len(part.rows) + sum(len(s.rows) for s in part.subsections)
    context = {
        "plan": plan,
        "parts": parts,
        "form": form,
        "shown": len(rows),
        "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
        "actions": access.actions(actor, plan),
    }
    return render(request, "plan/plan.html", context)


def _link_groups(actor: Any, task: Any) -> list[dict[str, Any]]:
    rows: list[Any] = list(selectors.links_of(actor, task))
    groups: list[dict[str, Any]] = []
    for kind in linkable.kinds():
        mine = [x for x in rows if x.kind is kind]
        if mine:
            for x in mine:
                x.url = kind.url(x.linked)
                x.title = kind.title(x.linked)
                x.removable = links.links_admin(actor, x)
            groups.append({"kind": kind, "links": mine})
    return groups


@login_required
@refusals
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    task = selectors.task_detail(actor, pk)
    actions = access.actions(actor, task)
    context = {
        "task": task,
        "plan": task.plan,
        "actions": actions,
        "bodies": list(task.bodies.all()),
        "link_groups": _link_groups(actor, task),
        "kinds": linkable.kinds(),
        "task_sections": sections.sections_for(TASK_PAGE, actor, task),
    }
    return render(request, "plan/task.html", context)


class TaskForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=250)
    title_en = forms.CharField(label=gettext_lazy("English title"), max_length=300, required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea, required=False, max_length=4000
    )
    deadline = forms.DateField(label=gettext_lazy("Deadline"))
    target_region = forms.CharField(
        label=gettext_lazy("Target region (code)"), required=False, max_length=12
    )
    target_group = forms.ChoiceField(label=gettext_lazy("Target region group"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_group"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (g.key, g.name) for g in RegionGroup.objects.order_by("key")
        ]


@login_required
@refusals
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    task = selectors.task_detail(actor, pk)
    access.require(actor, "edit", task)
    initial = {
        "title": task.title,
        "title_en": task.title_en,
        "description": task.description,
        "deadline": task.deadline,
        "target_region": task.target_region.code if task.target_region else "",
        "target_group": task.target_group.key if task.target_group else "",
    }
    form = TaskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = tasks.TaskIn(**{k: d[k] for k in initial})
        if through_service(form, lambda: tasks.update_task(actor, pk, data)) is not None:
            messages.success(request, _("The task was saved."))
            return redirect("plan:task", pk=pk)
    return render(request, "plan/task_form.html", {"task": task, "form": form})


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else fallback


def _linked(request: HttpRequest, write: Any, done: str, fallback: str) -> HttpResponse:
    try:
        write()
    except (InvalidInput, Conflict) as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, done)
    return redirect(_back(request, fallback))


@login_required
@require_POST
@refusals
def link_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a record to this task (from the task page: kind and record number)."""
    actor = _actor(request)
    kind, record = request.POST.get("kind", ""), request.POST.get("record", "")
    return _linked(
        request,
        lambda: links.link(actor, pk, kind, record),
        _("The record was linked to the task."),
        reverse("plan:task", args=[pk]),
    )


@login_required
@require_POST
@refusals
def link_record(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    """Link this record to a task (from the record's page: the task chosen)."""
    actor = _actor(request)
    try:
        task_id = int(request.POST.get("task", ""))
    except ValueError:
        messages.error(request, _("Choose a task of the plan."))
        return redirect(_back(request, reverse("plan:plans")))
    try:
        selectors.task_detail(actor, task_id)
    except NotFound:
        messages.error(request, _("Choose a task of the plan."))
        return redirect(_back(request, reverse("plan:plans")))
    return _linked(
        request,
        lambda: links.link(actor, task_id, kind, record_id),
        _("The record was linked to the task."),
        reverse("plan:task", args=[task_id]),
    )


@login_required
@require_POST
@refusals
def link_remove(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    row = selectors.link_detail(actor, pk)
    return _linked(
        request,
        lambda: links.unlink(actor, pk),
        _("The link was removed."),
        reverse("plan:task", args=[row.task_id]),
    )
