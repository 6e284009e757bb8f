"""Pages of placements: logs, reports, evaluation, completion, return duties."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong import access
from xietong.core.errors import Conflict, InvalidInput
from xietong.core.htmx import list_response
from xietong.core.paging import paginate
from xietong.core.views import refusals
from xietong.exchanges import forms as f
from xietong.exchanges import selectors, services
from xietong.exchanges.choices import (
    PlacementStatus,
    ReportKind,
)
from xietong.exchanges.exports import PLACEMENTS
from xietong.exchanges.timeline import placement_steps
from xietong.exchanges.views.common import (
    STAGES,
    _actor,
    _refused,
)
from xietong.jobs import exports

# --- placements -------------------------------------------------------------------------------


@login_required
@refusals
def placement_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = f.PlacementFilterForm(request.GET, actor=actor)
    page = None
    if form.is_valid():
        qs = selectors.placements_for(actor, form.filters()).select_related("slot")
        page = paginate(qs, request.GET.get("page"), form.cleaned_data["page_size"])
    context = {
        "form": form,
        "page": page,
        **exports.panel(actor, PLACEMENTS, form.filters() if page is not None else None),
    }
    return list_response(
        request, "exchanges/placement_list.html", "exchanges/_placement_results.html", context
    )


@login_required
@require_POST
@refusals
def placement_export(request: HttpRequest) -> HttpResponseBase:
    """The placement list's rows for its filters, as xlsx or CSV."""
    return exports.respond(request, PLACEMENTS, "exchanges:placement_list")


PLACEMENT_FORMS = {
    "log_form": f.LogForm,
    "report_form": f.ReportForm,
    "evaluate_form": f.EvaluateForm,
    "complete_form": f.CompletePlacementForm,
    "duty_form": f.DutyForm,
}


def _placement_page(request: HttpRequest, pk: int, status: int = 200, **bound: Any) -> HttpResponse:
    actor = _actor(request)
    p = selectors.placement_detail(actor, pk)
    reports = {(r.kind, r.side): r for r in p.reports.all()}
    duties = list(p.duties.all())
    today = timezone.localdate()
    context: dict[str, Any] = {
        "p": p,
        "app": p.application,
        "actions": access.actions(actor, p),
        "app_actions": access.actions(actor, p.application),
        "logs": list(p.logs.all()),
        "reports": [
            {
                "kind": ReportKind(k).label,
                "side_label": label,
                "report": reports.get((k, side)),
            }
            for k in ReportKind.values
            for side, label in (("teacher", _("Teacher")), ("host", _("Host")))
        ],
        "hours_logged": sum(log.hours for log in p.logs.all()),
        "duties": [
            (d, bound.get(f"done_form_{d.pk}") or f.DutyDoneForm(initial={"done_on": today}))
            for d in duties
        ],
        "stage_label": STAGES.get(p.slot.stage, p.slot.stage) if p.slot_id else "",
        "timeline": placement_steps(p),
        # The exchange is ready to close: the placement done and every return duty done.
        "completable": p.status == PlacementStatus.COMPLETED
        and bool(duties)
        and all(d.done_on for d in duties),
    }
    week = today - dt.timedelta(days=today.weekday())
    defaults: dict[str, dict[str, Any]] = {
        "log_form": {"week_starting": week, "hours": 0},
        "complete_form": {
            "hours_credited": sum(log.hours for log in p.logs.all()) or 0,
        },
    }
    for name, cls in PLACEMENT_FORMS.items():
        context[name] = bound.get(name) or cls(initial=defaults.get(name))
    return render(request, "exchanges/placement_detail.html", context, status=status)


@login_required
@refusals
def placement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _placement_page(request, pk)


def _placement_post(request: HttpRequest, pk: int, name: str, call: Any, done: str) -> HttpResponse:
    form = PLACEMENT_FORMS[name](request.POST)
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except (InvalidInput, Conflict) as e:
            _refused(form, e)
        else:
            messages.success(request, done)
            return redirect("exchanges:placement_detail", pk=pk)
    return _placement_page(request, pk, status=422, **{name: form})


@login_required
@require_POST
@refusals
def placement_start(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.start_placement(_actor(request), pk)
    except Conflict as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("The placement has started."))
    return redirect("exchanges:placement_detail", pk=pk)


@login_required
@require_POST
@refusals
def placement_log(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _placement_post(
        request,
        pk,
        "log_form",
        lambda d: services.add_log(actor, pk, **d),
        _("The weekly log was added."),
    )


@login_required
@require_POST
@refusals
def placement_report(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _placement_post(
        request,
        pk,
        "report_form",
        lambda d: services.submit_report(actor, pk, **d),
        _("The report was submitted."),
    )


@login_required
@require_POST
@refusals
def placement_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _placement_post(
        request,
        pk,
        "evaluate_form",
        lambda d: services.evaluate_placement(actor, pk, score=float(d["score"]), grade=d["grade"]),
        _("The evaluation was saved."),
    )


@login_required
@require_POST
@refusals
def placement_complete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _placement_post(
        request,
        pk,
        "complete_form",
        lambda d: services.complete_placement(actor, pk, **d),
        _("The placement is complete; the return duty at home follows."),
    )


@login_required
@require_POST
@refusals
def duty_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _placement_post(
        request,
        pk,
        "duty_form",
        lambda d: services.add_return_duty(actor, pk, **d),
        _("The return duty was recorded."),
    )


@login_required
@require_POST
@refusals
def duty_done(request: HttpRequest, pk: int, duty_pk: int) -> HttpResponse:
    actor = _actor(request)
    form = f.DutyDoneForm(request.POST)
    if form.is_valid():
        try:
            duty = services.complete_return_duty(actor, duty_pk, **form.cleaned_data)
        except (InvalidInput, Conflict) as e:
            _refused(form, e)
        else:
            messages.success(request, _("The return duty is done."))
            return redirect("exchanges:placement_detail", pk=duty.placement_id)
    return _placement_page(request, pk, status=422, **{f"done_form_{duty_pk}": form})
