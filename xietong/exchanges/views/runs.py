"""Pages of matching runs: the queue, a run's results and charts, publishing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xietong import access
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied
from xietong.core.htmx import list_response
from xietong.core.paging import paginate
from xietong.core.views import refusals
from xietong.exchanges import forms as f
from xietong.exchanges import selectors, services
from xietong.exchanges.choices import (
    ProgramStatus,
    RunStatus,
)
from xietong.exchanges.explanations import render as render_explanation
from xietong.exchanges.models import Program
from xietong.exchanges.views.common import (
    PROGRAM_ORDER,
    STAGES,
    _actor,
    _refused,
)
from xietong.jobs import selectors as jobs_selectors

# --- matching runs ----------------------------------------------------------------------------

# Why applications are left out of a run, and what to do about each (selectors.left_out).
LEFT_OUT_TEXTS: dict[str, tuple[Any, Any]] = {
    "no_open_choice": (
        gettext_lazy("In the run, but none of their choices had an open place for them"),
        gettext_lazy(
            "Their ranked offers have no free place for their stage and subject. Add places "
            "(or offers) that fit them and start a new run, or place them directly."
        ),
    ),
    "approved_later": (
        gettext_lazy("Approved after this run was made"),
        gettext_lazy("Start a new run to include them."),
    ),
    "awaiting_approval": (
        gettext_lazy("Public notice over, not yet approved"),
        gettext_lazy(
            "The authority over each home school approves them under Reviews (several at "
            "once if you like); then start a new run."
        ),
    ),
    "notice": (
        gettext_lazy("Recommended, public notice still running"),
        gettext_lazy(
            "They can be approved once their notice has ended (the last one ends on "
            "%(date)s); then start a new run."
        ),
    ),
    "submitted": (
        gettext_lazy("Submitted, not yet recommended by the home school"),
        gettext_lazy(
            "The home school recommends them under Reviews; each then needs its public "
            "notice and the authority's approval before it can be matched."
        ),
    ),
    "draft": (
        gettext_lazy("Drafts never submitted"),
        gettext_lazy(
            "Only submitted applications are reviewed. The teacher or the school submits "
            "them while the program is open for applications."
        ),
    ),
    "placed_elsewhere": (
        gettext_lazy("Placed outside this run"),
        gettext_lazy("Placed directly or by another published run: nothing to do."),
    ),
    "withdrawn": (
        gettext_lazy("Withdrawn"),
        gettext_lazy("Withdrawn by the applicant or the school: nothing to do."),
    ),
    "rejected": (
        gettext_lazy("Returned (rejected)"),
        gettext_lazy("Nothing to do; the teacher may apply again while the program is open."),
    ),
}


def _left_out(items: list[selectors.LeftOut]) -> dict[str, Any]:
    rows = []
    for item in items:
        label, advice = LEFT_OUT_TEXTS[item.reason]
        text = str(advice)
        if item.until is not None:
            text = text % {"date": item.until.isoformat()}
        rows.append({"reason": item.reason, "count": item.count, "label": label, "advice": text})
    return {"rows": rows, "total": sum(r["count"] for r in rows)}


@login_required
@refusals
def matching(request: HttpRequest) -> HttpResponse:
    """Programs the actor manages that are ready for, or in, matching."""
    actor = _actor(request)
    if not access.can(actor, "exchanges.matching"):
        raise PermissionDenied(_("Matching runs are seen by the program's authorities only."))
    qs = (
        selectors.programs_for(actor)
        .filter(
            access.verb_q(actor, Program, "repeat"),  # the programs the actor manages
            status__in=[ProgramStatus.CLOSED, ProgramStatus.MATCHING, ProgramStatus.PUBLISHED],
        )
        .annotate(run_count=Count("runs", distinct=True))
        .order_by(*PROGRAM_ORDER)
    )
    page = paginate(qs, request.GET.get("page"), request.GET.get("page_size"))
    return render(request, "exchanges/matching.html", {"page": page})


@login_required
@refusals
def program_runs(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    program = selectors.program_detail(actor, pk)
    filter_form = f.RunFilterForm(request.GET, actor=actor)
    filters = filter_form.filters() if filter_form.is_valid() else selectors.RunFilters()
    runs_page = paginate(selectors.runs_for(actor, pk, filters), request.GET.get("page"), 50)
    if request.method == "POST":
        form = f.RunForm(request.POST)
        if form.is_valid():
            try:
                run = services.start_matching_run(
                    actor, pk, form.cleaned_data["mode"], form.parameters()
                )
            except (InvalidInput, Conflict) as e:
                _refused(form, e)
            else:
                messages.success(request, _("The matching run was started."))
                return redirect("exchanges:run_detail", pk=run.pk)
    else:
        form = f.RunForm()
    actions = access.actions(actor, program)
    context = {
        "program": program,
        "actions": actions,
        "left_out": _left_out(selectors.left_out(actor, pk)) if "match" in actions else None,
        "runs": runs_page.object_list,
        "page": runs_page,
        "form": form,
        "filter_form": filter_form,
    }
    return list_response(
        request,
        "exchanges/runs.html",
        "exchanges/_run_results.html",
        context,
        status=422 if form.errors else 200,
    )


def _chart_data(run: Any) -> dict[str, Any]:
    stats = run.statistics or {}
    dist = stats.get("rank_distribution", {})
    ranks = sorted((k for k in dist if k != "unmatched"), key=int)
    by_region = stats.get("by_region", {})
    return {
        "ranks": {
            "labels": [_("Choice %(n)s") % {"n": k} for k in ranks] + [_("Not matched")],
            "values": [dist[k] for k in ranks] + [dist.get("unmatched", 0)],
        },
        "share": {
            "matched": stats.get("matched", 0),
            "unmatched": stats.get("applicants", 0) - stats.get("matched", 0),
            "labels": [_("Matched"), _("Not matched")],
        },
        "regions": {
            "labels": [r["name"] for r in by_region.values()],
            "applicants": [r["applicants"] for r in by_region.values()],
            "matched": [r["matched"] for r in by_region.values()],
            "names": [_("Applicants"), _("Matched")],
        },
    }


@login_required
@refusals
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    run = selectors.run_detail(actor, pk)
    program = selectors.program_detail(actor, run.program_id)
    job = jobs_selectors.job_detail(actor, run.job_id) if run.job_id else None
    run.job = job  # swept on this read if its worker stopped
    page = None
    if run.status in (RunStatus.DONE, RunStatus.PUBLISHED):
        page = paginate(selectors.run_results(actor, pk), request.GET.get("page"), 50)
        for r in page.object_list:
            r.explanation_text = render_explanation(r.explanation)
            if r.slot_id:
                r.slot.stage_label = STAGES.get(r.slot.stage, r.slot.stage)
    context = {
        "run": run,
        "actions": access.actions(actor, run),
        "program": program,
        "page": page,
        "job": job,
        "job_actions": jobs_selectors.actions(job) if job else [],
        "charts": _chart_data(run),
        "stats": run.statistics or {},
        "left_out": _left_out(selectors.left_out(actor, program.pk, run.pk))
        if run.status in (RunStatus.DONE, RunStatus.PUBLISHED)
        else None,
    }
    return render(request, "exchanges/run_detail.html", context)


@login_required
@require_POST
@refusals
def run_publish(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.publish_run(_actor(request), pk)
    except (Conflict, InvalidInput) as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("The results were published; applicants are notified."))
    return redirect("exchanges:run_detail", pk=pk)
