"""The dashboard over JSON (under /api/dashboard): the overview's numbers, and its charts
and map (what the page draws), for an area and a period — scoped to the caller as the
page is."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from xietong import access
from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.dashboard import charts, overview
from xietong.dashboard.scope import Area, area_for
from xietong.partnerships.choices import PartnershipKind
from xietong.plan.api import ERRORS

router = Router(tags=["dashboard"])


def _read(
    request: HttpRequest, scope: str, period: str, kind: str
) -> tuple[Area, Any, dict[str, str]]:
    """The caller's area, the period and the filters — the page's rules, refusals alike."""
    actor = request.actor  # type: ignore[attr-defined]
    if not access.can(actor, "dashboard.view"):
        raise PermissionDenied(_("Your roles do not include the dashboard."))
    kind = kind.strip()
    if kind and kind not in PartnershipKind.values:
        raise InvalidInput(_("“%(value)s” is not a kind of partnership.") % {"value": kind[:40]})
    area = area_for(actor, scope or None)
    return area, overview.read_period(period or None), ({"kind": kind} if kind else {})


def _number(n: overview.Number) -> dict[str, Any]:
    return {"key": n.key, "label": n.label, "value": float(n.value), "link": n.link}


@router.get(
    "/overview",
    response={200: dict[str, Any], **ERRORS},
    summary="The overview's numbers for an area and a period",
)
def get_overview(request: HttpRequest, scope: str = "", period: str = "", kind: str = "") -> Any:
    """KPI cards, active partnerships by kind and the task board, each number with the
    query string of its list (``/dashboard/records/?…``); the charts are ``/charts``."""
    area, p, params = _read(request, scope, period, kind)
    data = overview.build(area, p, params, charts=False)
    return {
        "area": area.token,
        "period": p.code,
        "day": data.day.isoformat(),
        "kpis": [_number(n) for n in data.kpis],
        "partnerships_by_kind": [_number(n) for n in data.partnerships_by_kind],
        "plan": data.plan.key if data.plan else None,
        "tasks": [
            {"section": r.section.number, "counts": [_number(n) for n in r.counts]}
            for r in data.board
        ],
    }


@router.get(
    "/charts",
    response={200: dict[str, Any], **ERRORS},
    summary="The overview's charts and collaboration map",
)
def get_charts(request: HttpRequest, scope: str = "", period: str = "", kind: str = "") -> Any:
    area, p, params = _read(request, scope, period, kind)
    return charts.chart_data(area, p, params)
