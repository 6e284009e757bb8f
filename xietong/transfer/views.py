"""Pages of imports: the templates and the upload, one import's check and write."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong.accounts.access import Actor
from xietong.core.errors import Conflict, InvalidInput
from xietong.core.paging import paginate
from xietong.core.views import apply_errors, refusals
from xietong.jobs import selectors as jobs_selectors
from xietong.jobs.exports import file_response
from xietong.transfer import selectors, services
from xietong.transfer.forms import UploadForm
from xietong.transfer.template import write_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined,no-any-return]


@login_required
@refusals
def imports(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    services.require_importer(actor)
    rosters = selectors.importable(actor)
    form = UploadForm(rosters=rosters, initial={"roster": request.GET.get("roster", "")})
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, rosters=rosters)
        if form.is_valid():
            try:
                imp = services.start_import(
                    actor, form.cleaned_data["roster"], form.cleaned_data["file"]
                )
            except InvalidInput as e:
                apply_errors(form, e)
            else:
                messages.success(request, _("The file was uploaded; its rows are being checked."))
                return redirect("transfer:import", pk=imp.pk)
        status = 422
    page = paginate(selectors.my_imports(actor), request.GET.get("page"), 20)
    context = {"form": form, "rosters": rosters, "page": page}
    return render(request, "transfer/imports.html", context, status=status)


@login_required
@refusals
def template(request: HttpRequest, roster: str) -> HttpResponseBase:
    actor = _actor(request)
    found = services.roster_for(actor, roster)
    out = io.BytesIO()
    write_template(actor, found, out)
    out.seek(0)
    name = f"{found.label}导入模板_{timezone.localdate():%Y%m%d}.xlsx"
    return file_response(out, name, XLSX)


@login_required
@refusals
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    imp = selectors.import_detail(actor, pk)
    job = jobs_selectors.job_detail(actor, imp.job_id) if imp.job_id else None
    context = {
        "imp": imp,
        "job": job,
        "job_actions": jobs_selectors.actions(job) if job else [],
        "state": selectors.summary(imp),
        "roster": services.roster_for(actor, imp.roster),
    }
    return render(request, "transfer/import.html", context)


@login_required
@require_POST
@refusals
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.apply(_actor(request), pk, request.POST.get("mode", ""))
    except (InvalidInput, Conflict) as e:
        messages.error(
            request,
            str(e.fields.get("mode", [e.message])[0])
            if isinstance(e, InvalidInput)
            else str(e.message),
        )
    else:
        messages.success(request, _("The rows are being imported."))
    return redirect("transfer:import", pk=pk)


@login_required
@refusals
def error_report(request: HttpRequest, pk: int) -> HttpResponseBase:
    handle, name = services.open_error_report(_actor(request), pk)
    return file_response(handle, name, XLSX)
