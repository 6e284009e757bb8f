"""The periodic reports page: request one, see its job's progress, download its files."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xietong import access
from xietong.attachments.models import Attachment
from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.core.views import refusals
from xietong.dashboard import reports
from xietong.dashboard.access import reports_for
from xietong.institutions.choices import Kind
from xietong.institutions.models import Institution
from xietong.plan.models import PeriodicReport
from xietong.regions.selectors import under_paths_q


@login_required
@refusals
def reports_page(request: HttpRequest) -> HttpResponse:
    actor: Any = request.actor  # type: ignore[attr-defined]
    if not access.can(actor, "dashboard.view"):
        raise PermissionDenied(_("Your roles do not include the dashboard."))
    error = ""
    if request.method == "POST":
        try:
            reports.request_report(
                actor, request.POST.get("authority", ""), request.POST.get("period", "")
            )
        except (InvalidInput, PermissionDenied) as e:
            error = str(e.message)
        else:
            messages.success(request, _("The report is being written; it appears below."))
            return redirect("dashboard:reports")
    listed = list(reports_for(actor)[:50])
    files: dict[int, list[Attachment]] = {}
    kind = ContentType.objects.get_for_model(PeriodicReport)
    for att in Attachment.objects.filter(owner_type=kind, owner_id__in=[r.pk for r in listed]):
        files.setdefault(att.owner_id, []).append(att)
    authorities = (
        Institution.objects.filter(kind=Kind.AUTHORITY)
        .filter(under_paths_q(list(actor.authority_region_paths)))
        .select_related("region")
        .order_by("region_path")[:200]
    )
    return render(
        request,
        "dashboard/reports.html",
        {
            "reports": [(r, files.get(r.pk, [])) for r in listed],
            "authorities": authorities,
            "error": error,
            "posted": request.POST,
        },
        status=422 if error else 200,
    )
