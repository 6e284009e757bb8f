"""The dashboard's reporting-rate table: the progress reports' reporting rate
(``xietong.plan.reports.selectors.reporting_rate``, scoped to the viewer) for the bodies in
the dashboard's area and one quarter — the dashboard's period when it is a quarter of the
plan that has ended, else the plan's latest ended quarter, and then the table says which
quarter it shows instead (:attr:`RateView.note`). Each count links to the reports list
filtered to the reports behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from xietong.core.periods import Period
from xietong.dashboard.scope import Area
from xietong.plan.metrics import scope_paths
from xietong.plan.models import Plan
from xietong.plan.reports import selectors as reports
from xietong.plan.reports.services import plan_periods

COUNTED = ("submitted", "on_time", "accepted")


@dataclass(frozen=True)
class Cell:
    value: int
    url: str


@dataclass(frozen=True)
class Row:
    body: Any
    expected: int
    rate: float | None
    on_time_rate: float | None
    cells: dict[str, Cell]


@dataclass(frozen=True)
class RateView:
    plan: Plan
    period: str
    rows: list[Row]
    note: str = ""  # why the table shows another quarter than the dashboard's period


def _url(plan: Plan, period: str, body: int, counted: str) -> str:
    query = {"plan": plan.pk, "period": period, "body": body, "counted": counted}
    return f"{reverse('plan_reports:list')}?{urlencode(query)}"


def rate_view(actor: Any, area: Area, plan: Plan | None, period: Period) -> RateView | None:
    if plan is None:
        return None
    table = reports.reporting_rate(actor, plan)
    if not table.periods:
        return None
    code = period.code if period.code in table.periods else table.periods[-1]
    note = "" if code == period.code else _instead(plan, period, code)
    paths = scope_paths(area.scope)
    rows = []
    for r in table.rows:
        if r.period != code:
            continue
        if paths is not None and not any(r.body.region_path.startswith(p) for p in paths):
            continue
        cells = {k: Cell(getattr(r, k), _url(plan, code, r.body.pk, k)) for k in COUNTED}
        rows.append(Row(r.body, r.expected, r.rate, r.on_time_rate, cells))
    return RateView(plan, code, rows, note)


def _instead(plan: Plan, period: Period, shown: str) -> str:
    """The sentence saying which quarter the table shows instead of ``period``, and why."""
    last = plan_periods(plan)[-1].code
    if period.starts_on > plan.ends_on and shown == last:
        return _("Showing %(shown)s, the plan's last quarter: %(period)s is after the plan.") % {
            "shown": shown,
            "period": period.code,
        }
    return _("Showing %(shown)s, the plan's latest quarter that has ended.") % {"shown": shown}
