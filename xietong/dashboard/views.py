"""The dashboard's pages: the overview, the drill-down lists, the map's boundary file."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from xietong import access
from xietong.core.errors import PermissionDenied
from xietong.core.paging import paginate
from xietong.core.views import refusals
from xietong.dashboard import map as collab_map
from xietong.dashboard import overview, rates, records, sources
from xietong.dashboard.scope import area_for, areas_for
from xietong.partnerships.choices import PartnershipKind


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _gate(actor: Any) -> None:
    if not access.can(actor, "dashboard.view"):
        raise PermissionDenied(_("Your roles do not include the dashboard."))


def _kind(request: HttpRequest) -> dict[str, str]:
    kind = request.GET.get("kind", "").strip()
    if kind and kind not in PartnershipKind.values:
        from xietong.core.errors import InvalidInput

        raise InvalidInput(_("“%(value)s” is not a kind of partnership.") % {"value": kind[:40]})
    return {"kind": kind} if kind else {}


@login_required
@refusals
def overview_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _gate(actor)
    area = area_for(actor, request.GET.get("scope"))
    period = overview.read_period(request.GET.get("period"))
    params = _kind(request)
    data = overview.build(area, period, params, charts=False)
    return render(
        request,
        "dashboard/overview.html",
        {
            "data": data,
            "areas": areas_for(actor),
            "kinds": PartnershipKind.choices,
            "chart_slots": overview.chart_slots(area),
            "statuses": overview.TaskStatus.choices,
            "rates": rates.rate_view(actor, area, data.plan, period),
        },
    )


@login_required
@refusals
def records_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _gate(actor)
    metric = overview.get_metric(request.GET.get("metric", ""))
    area = area_for(actor, request.GET.get("scope"))
    period = overview.read_period(request.GET.get("period"))
    params = sources.param_values(metric, request.GET)
    listed = records.listing(metric, area, period, params)
    page = paginate(listed.records, request.GET.get("page"), request.GET.get("size"))
    rows = [[c.cell(r) for c in listed.columns] for r in page.object_list]
    return render(
        request,
        "dashboard/records.html",
        {
            "listed": listed,
            "page": page,
            "headers": [c.label() for c in listed.columns],
            "rows": rows,
            "span": overview.span_for(metric.key, period),
        },
    )


@login_required
def boundary(request: HttpRequest) -> FileResponse:
    """The configured boundary GeoJSON (404 when none is configured)."""
    if not access.can(_actor(request), "dashboard.view"):
        raise Http404()
    path = collab_map.boundary_path()
    if path is None:
        raise Http404()
    return FileResponse(path.open("rb"), content_type="application/geo+json")
