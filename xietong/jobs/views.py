"""Pages of jobs: my jobs, one job, the polling status partial, retry and cancel."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong.accounts.access import Actor
from xietong.core.errors import Conflict, NotFound
from xietong.core.paging import paginate
from xietong.core.views import refusals
from xietong.jobs import registry, selectors, services
from xietong.jobs.choices import JobStatus
from xietong.jobs.exports import file_response


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined,no-any-return]


def _back(request: HttpRequest, pk: int) -> HttpResponse:
    """Back to the page the form was on (a run page …), else the job's page."""
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        return redirect(nxt)
    return redirect("jobs:detail", pk=pk)


@login_required
@refusals
def job_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in JobStatus.values else ""
    qs = selectors.my_jobs(_actor(request), status=status).select_related("target_type")
    page = paginate(qs, request.GET.get("page"), request.GET.get("page_size"))
    context = {"page": page, "status": status, "statuses": JobStatus.choices}
    return render(request, "jobs/list.html", context)


@login_required
@refusals
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_detail(_actor(request), pk)
    context = {
        "job": job,
        "actions": selectors.actions(job),
        "target_url": registry.link_of(job),
        "result_text": json.dumps(job.result, ensure_ascii=False, indent=2),
    }
    return render(request, "jobs/detail.html", context)


@login_required
@refusals
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The fragment htmx polls every 2 s; with ``reload=1`` a finished job reloads the page."""
    job = selectors.job_detail(_actor(request), pk)
    reload = request.GET.get("reload") == "1"
    page_url = request.headers.get("HX-Current-URL", "")
    if not url_has_allowed_host_and_scheme(page_url, {request.get_host()}):
        page_url = reverse("jobs:detail", args=[pk])
    context = {
        "job": job,
        "actions": selectors.actions(job),
        "reload_on_finish": reload,
        "page_url": page_url,
    }
    response = render(request, "jobs/_job_status.html", context)
    if job.finished and reload and getattr(request, "htmx", None):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
@refusals
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.retry(_actor(request), pk)
    except Conflict as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("The job was queued again."))
    return _back(request, pk)


@login_required
@require_POST
@refusals
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.cancel(_actor(request), pk)
    except Conflict as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("The job was cancelled."))
    return _back(request, pk)


@login_required
def job_result_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The result file, scoped like its job, sent as an attachment that is never cached."""
    try:
        found = services.open_result(_actor(request), pk)
    except NotFound as e:
        raise Http404(str(e.message)) from None
    return file_response(found.handle, found.name, found.content_type)
