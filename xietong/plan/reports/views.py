"""Pages of progress reports: the list, one report (its form, evidence, review, history),
starting one, and the reporting-rate table; plus the task page's panel (:func:`task_panel`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong import access
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied
from xietong.core.filters import filter_form
from xietong.core.htmx import list_response
from xietong.core.paging import paginate
from xietong.core.views import apply_errors, refusals
from xietong.jobs import exports
from xietong.plan.models import Plan, ProgressReport, Task
from xietong.plan.reports import selectors as sel
from xietong.plan.reports import services
from xietong.plan.reports.exports import REPORTS
from xietong.plan.reports.forms import ReportForm, ReviewForm

FilterForm = filter_form(sel.Filters)


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _gate(actor: Any) -> None:
    if not access.can(actor, "plan.reports"):
        raise PermissionDenied(_("Your roles do not include progress reports."))


@login_required
@refusals
def report_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _gate(actor)
    form = FilterForm(request.GET, actor=actor)
    page = None
    if form.is_valid():
        try:
            qs = sel.reports_for(actor, form.filters())
        except InvalidInput as e:
            apply_errors(form, e)
        else:
            page = paginate(qs, request.GET.get("page"), form.cleaned_data["page_size"])
            page.object_list = access.with_actions(actor, page.object_list)
    waiting = sel.waiting_for(actor)
    context = {
        "form": form,
        "page": page,
        "to_file": waiting["file"][:10],
        "to_review": waiting["review"][:10],
        **exports.panel(actor, REPORTS, form.filters() if page is not None else None),
    }
    return list_response(request, "plan_reports/list.html", "plan_reports/_results.html", context)


@login_required
@require_POST
@refusals
def report_export(request: HttpRequest) -> HttpResponseBase:
    """The report list's rows for its filters, as xlsx or CSV."""
    return exports.respond(request, REPORTS, "plan_reports:list")


@login_required
@refusals
def report_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    task = get_object_or_404(Task.objects.select_related("plan"), pk=_int(request, "task"))
    bodies = services.filing_bodies(actor, task)
    if not bodies:
        services._body(actor, task, None)  # raises the specific refusal
    body_id = _int(request, "body") or bodies[0].pk
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                report = services.start_report(actor, task.pk, form.service_data(), body_id=body_id)
            except InvalidInput as e:
                apply_errors(form, e)
            except (PermissionDenied, Conflict) as e:
                form.add_error(None, str(e.message))
            else:
                messages.success(
                    request, _("The draft report was saved; add evidence and submit it.")
                )
                return redirect("plan_reports:detail", pk=report.pk)
    else:
        period = request.GET.get("period") or services.default_period().code
        existing = ProgressReport.objects.filter(task=task, body_id=body_id, period=period).first()
        if existing is not None and access.can_read(actor, existing):
            return redirect("plan_reports:detail", pk=existing.pk)
        form = ReportForm(initial={"period": period, "progress": "on_track"})
    body = next((b for b in bodies if b.pk == body_id), bodies[0])
    return render(
        request,
        "plan_reports/form.html",
        {
            "form": form,
            "task": task,
            "body": body,
            "report": None,
            "title": _("New progress report"),
        },
    )


def _int(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name) or request.POST.get(name) or ""
    return int(raw) if raw.isdigit() and len(raw) < 18 else None


@login_required
@refusals
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    report = sel.report_detail(actor, pk)
    return _detail(request, actor, report)


def _detail(
    request: HttpRequest,
    actor: Any,
    report: ProgressReport,
    form: ReportForm | None = None,
    review: ReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actions = access.actions(actor, report)
    if form is None and "edit" in actions:
        form = ReportForm(
            initial={
                "period": report.period,
                "progress": report.progress,
                "narrative": report.narrative,
            }
        )
    if review is None and actions & {"return", "accept"}:
        review = ReviewForm()
    context = {
        "report": report,
        "actions": actions,
        "form": form,
        "review": review,
        "notes": list(sel.notes_of(report)),
        "values": sorted(report.values.items()),
    }
    return render(request, "plan_reports/detail.html", context, status=status)


@login_required
@require_POST
@refusals
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    report = sel.report_detail(actor, pk)
    access.require(actor, "edit", report)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.edit_report(actor, pk, form.service_data())
        except InvalidInput as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("plan_reports:detail", pk=pk)
    return _detail(request, actor, report, form=form, status=422)


def _verb(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    actor = _actor(request)
    report = sel.report_detail(actor, pk)
    access.require(actor, verb, report, now=False)
    review = ReviewForm(request.POST)
    comment = request.POST.get("comment", "")
    try:
        if verb == "submit":
            services.submit_report(actor, pk)
            done = _("The report was submitted for review.")
        elif verb == "return":
            services.return_report(actor, pk, comment)
            done = _("The report was returned to its body with your comment.")
        else:
            services.accept_report(actor, pk, comment)
            done = _("The report was accepted.")
    except InvalidInput as e:
        review.is_valid()
        for message in e.fields.get("comment", []):
            review.add_error("comment", message)
        if "comment" not in e.fields:
            messages.error(request, str(e.message))
        return _detail(request, actor, sel.report_detail(actor, pk), review=review, status=422)
    except Conflict as e:
        messages.error(request, str(e.message))
        return redirect("plan_reports:detail", pk=pk)
    messages.success(request, done)
    return redirect("plan_reports:detail", pk=pk)


@login_required
@require_POST
@refusals
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _verb(request, pk, "submit")


@login_required
@require_POST
@refusals
def report_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _verb(request, pk, "return")


@login_required
@require_POST
@refusals
def report_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _verb(request, pk, "accept")


@login_required
@require_POST
@refusals
def report_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    try:
        services.delete_report(actor, pk)
    except Conflict as e:
        messages.error(request, str(e.message))
        return redirect("plan_reports:detail", pk=pk)
    messages.success(request, _("The draft report was deleted."))
    return redirect("plan_reports:list")


@login_required
@refusals
def rate(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _gate(actor)
    plans = list(Plan.objects.order_by("-starts_on"))
    chosen = _int(request, "plan")
    plan = next((p for p in plans if p.pk == chosen), plans[0] if plans else None)
    table = sel.reporting_rate(actor, plan) if plan is not None else None
    return render(request, "plan_reports/rate.html", {"plans": plans, "plan": plan, "table": table})


def task_panel(actor: Any, task: Task) -> dict[str, Any] | None:
    """The task page's panel of progress reports (``plan_reports/_task_panel.html``; page
    "plan.task"), left out for a reader whose roles do not include progress reports."""
    if not access.can(actor, "plan.reports"):
        return None
    return {
        "task": task,
        "reports": list(sel.reports_of_task(actor, task)[:12]),
        "may_file": bool(services.filing_bodies(actor, task)),
    }
