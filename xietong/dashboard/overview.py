"""The dashboard's numbers for an area and a period: KPI cards, breakdowns, trends, tasks.

Every number is a metric of :mod:`xietong.plan.metrics` computed for a scope and a span,
and carries the query string of its drill-down list (``/dashboard/records/?…``), which
lists ``metric.records(scope, span, params)`` — so a number and its list are one query
apart. The span of a number follows from the period alone (:func:`span_for`), in the card
and in the list alike:

* a stock (schools cooperating, partnerships active, Xiong'an stages) is read on the
  period's last day, or today while the period runs;
* a flow (placements completed) counts over the period up to that day;
* activities count over the school term that day falls in ("this term").

The numbers take a bounded number of queries: one or two per number, one per series of a
breakdown (grouped by area), one per region group and per quarter of a trend not kept as
a snapshot — never per record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import urlencode

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core import periods
from xietong.core.errors import InvalidInput
from xietong.core.periods import Period
from xietong.core.terms import SchoolTerm
from xietong.dashboard.scope import Area, token_of
from xietong.partnerships.choices import PartnershipKind
from xietong.plan import metrics
from xietong.plan.choices import IndicatorSource, TaskStatus
from xietong.plan.metrics import Metric, Scope, Span
from xietong.plan.models import IndicatorValue, Plan, Section, Task
from xietong.regions.models import Region, RegionGroup

SpanKind = Literal["stock", "flow", "term"]
BJTJ_KEY = "partnerships.cooperating_bj_tj"
HEBEI_KEY = "partnerships.cooperating_hebei"
MUNICIPALITIES = ("110000", "120000")


@dataclass(frozen=True)
class Kpi:
    key: str
    metric: str
    label: Any
    span: SpanKind
    params: Mapping[str, str] = field(default_factory=dict)
    # A value metric whose list is not its count (stages covered: the list is the schools).
    counted: bool = True


KPIS: tuple[Kpi, ...] = (
    Kpi("bjtj", BJTJ_KEY, gettext_lazy("Beijing and Tianjin schools cooperating"), "stock"),
    Kpi("hebei", HEBEI_KEY, gettext_lazy("Hebei schools cooperating"), "stock"),
    Kpi("partnerships", "partnerships.active", gettext_lazy("Active partnerships"), "stock"),
    Kpi("activities", "partnerships.activities", gettext_lazy("Activities this term"), "term"),
    Kpi(
        "placements",
        "exchanges.placements_completed",
        gettext_lazy("Exchanges completed in the period"),
        "flow",
    ),
    Kpi(
        "xiongan",
        "partnerships.xiongan_stages_covered",
        gettext_lazy("Xiong'an stages with a partner"),
        "stock",
        counted=False,
    ),
)
SPANS: dict[str, SpanKind] = {k.metric: k.span for k in KPIS} | {
    "dashboard.partnerships_between": "stock",
    "dashboard.tasks": "stock",
}


def current_period(today: dt.date | None = None) -> Period:
    return periods.containing(today or timezone.localdate())


def read_period(value: str | None) -> Period:
    """The period a filter names (the current quarter when empty); refusals as InvalidInput."""
    return periods.read(value) if value else current_period()


def span_for(metric_key: str, period: Period, today: dt.date | None = None) -> Span:
    """The span a metric is read over for a period (see the module's description)."""
    today = today or timezone.localdate()
    day = min(period.ends_on, max(today, period.starts_on))
    kind = SPANS.get(metric_key, "flow")
    if kind == "term":
        term = SchoolTerm.containing(day)
        return Span(term.starts_on, day)
    if kind == "stock":
        return Span(day, day)
    return Span(period.starts_on, day)


def get_metric(key: str) -> Metric:
    metric = metrics.get(key)
    if metric is None:
        raise InvalidInput(_("“%(value)s” is not a metric.") % {"value": key[:60]})
    return metric


@dataclass(frozen=True)
class Number:
    label: str
    value: Decimal
    link: str  # the drill-down list's query string
    key: str = ""

    @property
    def shown(self) -> str:
        v = self.value
        return str(int(v)) if v == v.to_integral_value() else f"{v:.1f}"


def records_query(metric_key: str, scope: Scope, period: Period, params: Mapping[str, str]) -> str:
    q = {"metric": metric_key, "scope": token_of(scope), "period": period.code}
    q.update({k: v for k, v in params.items() if v})
    return urlencode(q)


def number(
    metric_key: str,
    scope: Scope,
    period: Period,
    params: Mapping[str, str],
    label: str,
    key: str = "",
) -> Number:
    metric = get_metric(metric_key)
    p = {k: v for k, v in params.items() if k in metric.params}
    value = metric.compute(scope, span_for(metric_key, period), p)
    return Number(label, value, records_query(metric_key, scope, period, p), key)


@dataclass
class Chart:
    key: str
    title: str
    numbers: list[tuple[str, list[Number]]]  # series label → one number per category
    categories: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "categories": self.categories,
            "series": [
                {"name": name, "data": [{"value": float(n.value), "link": n.link} for n in ns]}
                for name, ns in self.numbers
            ],
        }


def scope_numbers(
    metric_key: str, scopes: list[Scope], period: Period, params: Mapping[str, str]
) -> list[Number]:
    """The metric's number for each of ``scopes`` (one query together where the metric
    can: :meth:`Metric.compute_scopes`)."""
    metric = get_metric(metric_key)
    p = {k: v for k, v in params.items() if k in metric.params}
    values = metric.compute_scopes(scopes, span_for(metric_key, period), p)
    return [
        Number("", v, records_query(metric_key, s, period, p))
        for s, v in zip(scopes, values, strict=True)
    ]


def _cooperating(scopes: list[Scope], period: Period, params: Mapping[str, str]) -> list[Number]:
    """Cooperating schools per region: the side each lies in (Beijing/Tianjin or Hebei)."""
    hebei = [s for s in scopes if s.region_path.startswith("130000/")]
    bjtj = [s for s in scopes if not s.region_path.startswith("130000/")]
    found = dict(zip(hebei, scope_numbers(HEBEI_KEY, hebei, period, params), strict=True)) | dict(
        zip(bjtj, scope_numbers(BJTJ_KEY, bjtj, period, params), strict=True)
    )
    return [found[s] for s in scopes]


def _areas_within(scope: Scope, level: str) -> list[Region]:
    qs = Region.objects.filter(level=level)
    if scope.region_path:
        qs = qs.filter(path__startswith=scope.region_path)
    if level == Region.Level.CITY:
        # Beijing and Tianjin are cities too (their districts sit directly beneath them).
        extra = Region.objects.filter(code__in=MUNICIPALITIES)
        if scope.region_path:
            extra = extra.filter(path__startswith=scope.region_path)
        return sorted([*qs, *extra], key=lambda r: r.code)
    return list(qs.order_by("code"))


def breakdown(scope: Scope, period: Period, params: Mapping[str, str], level: str) -> Chart:
    """Cooperating schools and partnerships per province or city within the scope.

    Each series is one query per metric (:meth:`Metric.compute_scopes`), whatever the
    number of areas.
    """
    areas = _areas_within(scope, level)
    scopes = [Scope(region_path=a.path, group=scope.group, stage=scope.stage) for a in areas]
    title = (
        _("Cooperating schools by province")
        if level == Region.Level.PROVINCE
        else _("Cooperating schools by city")
    )
    partnerships = scope_numbers("partnerships.active", scopes, period, params)
    return Chart(
        f"by_{level}",
        title,
        [
            (_("Cooperating schools"), _cooperating(scopes, period, params)),
            (_("Active partnerships"), partnerships),
        ],
        [a.name for a in areas],
    )


def by_group(
    scope: Scope, period: Period, params: Mapping[str, str], groups: list[RegionGroup]
) -> Chart:
    rows = [Scope(region_path=scope.region_path, group=g.key) for g in groups]
    return Chart(
        "by_group",
        _("By region group"),
        [
            (
                _("Hebei schools cooperating"),
                scope_numbers(HEBEI_KEY, rows, period, params),
            ),
            (
                _("Active partnerships"),
                scope_numbers("partnerships.active", rows, period, params),
            ),
        ],
        [g.name for g in groups],
    )


def quarters_of(plan: Plan | None, period: Period, today: dt.date | None = None) -> list[Period]:
    """The quarters of the trend: from the plan's first to the period's (at most 16)."""
    today = today or timezone.localdate()
    last = periods.containing(min(period.ends_on, today))
    first = periods.containing(plan.starts_on) if plan else last
    qs = periods.between(first, last)
    return qs[-16:]


def trend(scope: Scope, plan: Plan | None, period: Period, params: Mapping[str, str]) -> Chart:
    """Cooperating schools per quarter: the snapshots where kept, else computed.

    A quarter's value is the snapshot of an indicator over the same metric and scope
    (``IndicatorValue``) when one exists and no parameter narrows the count; otherwise it is
    computed now for the quarter's last day (all such quarters in one query per series).
    """
    quarters = quarters_of(plan, period)
    codes = [q.code for q in quarters]
    kept: dict[tuple[str, str], Decimal] = {}
    if not params:
        for key, per, value in IndicatorValue.objects.filter(
            indicator__source=IndicatorSource.COMPUTED,
            indicator__numerator__in=(BJTJ_KEY, HEBEI_KEY),
            indicator__denominator="",
            indicator__params={},
            scope=scope.key,
            stage=scope.stage,
            period__in=codes,
        ).values_list("indicator__numerator", "period", "value"):
            kept[(key, per)] = value
    series = []
    for key, name in (
        (BJTJ_KEY, _("Beijing and Tianjin schools")),
        (HEBEI_KEY, _("Hebei schools")),
    ):
        missing = [q for q in quarters if (key, q.code) not in kept]
        days = {q.code: span_for(key, q).ends_on for q in missing}
        computed = get_metric(key).compute_days(scope, sorted(set(days.values())), params)
        ns = [
            Number(
                "",
                kept[(key, q.code)] if (key, q.code) in kept else computed[days[q.code]],
                records_query(key, scope, q, params),
            )
            for q in quarters
        ]
        series.append((name, ns))
    return Chart(
        "trend", _("Cooperating schools per quarter"), series, [q.label() for q in quarters]
    )


@dataclass
class BoardRow:
    section: Section
    counts: list[Number]
    total: int


def plan_for(period: Period) -> Plan | None:
    """The plan in force during the period (the latest begun, else the latest)."""
    plans = Plan.objects.order_by("-starts_on")
    return (
        plans.filter(starts_on__lte=period.ends_on, ends_on__gte=period.starts_on).first()
        or plans.first()
    )


def task_board(plan: Plan | None, period: Period) -> list[BoardRow]:
    """Tasks by status per top section of the plan (two queries)."""
    if plan is None:
        return []
    sections = list(Section.objects.filter(plan=plan, parent__isnull=True).order_by("order", "id"))
    counts: dict[tuple[int, str], int] = {}
    parent_of = dict(Section.objects.filter(plan=plan).values_list("pk", "parent_id"))
    for sid, status, n in (
        Task.objects.filter(plan=plan)
        .values("section_id", "status")
        .annotate(n=Count("pk"))
        .values_list("section_id", "status", "n")
    ):
        top = sid
        while parent_of.get(top):
            top = parent_of[top]
        counts[(top, status)] = counts.get((top, status), 0) + n
    rows = []
    for s in sections:
        ns = [
            Number(
                str(label),
                Decimal(counts.get((s.pk, status), 0)),
                records_query(
                    "dashboard.tasks",
                    metrics.WHOLE,
                    period,
                    {"plan": plan.key, "section": s.number, "status": status},
                ),
                status,
            )
            for status, label in TaskStatus.choices
        ]
        rows.append(BoardRow(s, ns, sum(int(n.value) for n in ns)))
    return rows


@dataclass
class Overview:
    area: Area
    period: Period
    day: dt.date
    params: dict[str, str]
    kpis: list[Number]
    partnerships_by_kind: list[Number]
    charts: list[Chart]
    plan: Plan | None
    board: list[BoardRow]

    def numbers(self) -> dict[str, Any]:
        """The numbers shown, as plain JSON (what a periodic report fingerprints)."""
        return {
            "area": self.area.token,
            "period": self.period.code,
            "day": self.day.isoformat(),
            "params": self.params,
            "kpis": {n.key: str(n.value) for n in self.kpis},
            "partnerships_by_kind": {n.key: str(n.value) for n in self.partnerships_by_kind},
            "charts": {
                c.key: {
                    "categories": c.categories,
                    "series": {name: [str(n.value) for n in ns] for name, ns in c.numbers},
                }
                for c in self.charts
            },
            "tasks": {
                r.section.number: {n.key: int(n.value) for n in r.counts} for r in self.board
            },
        }


def groups_for(area: Area) -> list[RegionGroup]:
    """The region groups a breakdown shows: all for the whole, those touching a region."""
    return metrics.remembered(("dashboard.groups_for", area.token), lambda: _groups_for(area))


def _groups_for(area: Area) -> list[RegionGroup]:
    groups = list(RegionGroup.objects.prefetch_related("members").order_by("key"))
    if area.scope.group:
        return []
    if not area.scope.region_path:
        return groups
    own = area.scope.region_path
    return [
        g
        for g in groups
        if any(m.path.startswith(own) or own.startswith(m.path) for m in g.members.all())
    ]


def kind_numbers(scope: Scope, period: Period, params: Mapping[str, str]) -> list[Number]:
    """Active partnerships per kind (one grouped query); only the chosen kind if one is."""
    kinds = [
        (value, label)
        for value, label in PartnershipKind.choices
        if not params.get("kind") or params["kind"] == value
    ]
    metric = get_metric("partnerships.active")
    values = metric.compute_split(
        scope, span_for(metric.key, period), {}, "kind", [v for v, _label in kinds]
    )
    return [
        Number(str(label), values[v], records_query(metric.key, scope, period, {"kind": v}), v)
        for v, label in kinds
    ]


@dataclass(frozen=True)
class ChartSlot:
    """A chart the overview draws for an area, known before any number is read."""

    key: str
    title: str


def chart_slots(area: Area) -> list[ChartSlot]:
    """The charts of an area's overview: by province for the whole, by city for the whole
    and a province, by region group where groups touch the area, and the trend."""
    scope = area.scope
    slots = []
    if not scope.region_path:
        slots.append(ChartSlot("by_province", _("Cooperating schools by province")))
    if scope.region_path.count("/") <= 1:  # the whole, or a province: its cities
        slots.append(ChartSlot("by_city", _("Cooperating schools by city")))
    if groups_for(area):
        slots.append(ChartSlot("by_group", _("By region group")))
    slots.append(ChartSlot("trend", _("Cooperating schools per quarter")))
    return slots


def charts_for(area: Area, period: Period, params: Mapping[str, str]) -> list[Chart]:
    """The numbers of :func:`chart_slots`' charts (one query per series)."""
    with metrics.reading():
        return _charts(area, period, {k: v for k, v in params.items() if v}, plan_for(period))


def _charts(
    area: Area, period: Period, params: Mapping[str, str], plan: Plan | None
) -> list[Chart]:
    scope = area.scope
    out = []
    for slot in chart_slots(area):
        if slot.key == "by_province":
            out.append(breakdown(scope, period, params, Region.Level.PROVINCE))
        elif slot.key == "by_city":
            out.append(breakdown(scope, period, params, Region.Level.CITY))
        elif slot.key == "by_group":
            out.append(by_group(scope, period, params, groups_for(area)))
        else:
            out.append(trend(scope, plan, period, params))
    return out


def build(
    area: Area, period: Period, params: Mapping[str, str], *, charts: bool = True
) -> Overview:
    """The overview's numbers (its group lookups read once: :func:`metrics.reading`).

    The page reads the charts apart (``charts=False``, then :func:`charts_for` from the
    dashboard's API), so its cards do not wait for them; a periodic report reads all.
    """
    with metrics.reading():
        return _build(area, period, params, charts)


def _build(area: Area, period: Period, params: Mapping[str, str], charts: bool) -> Overview:
    scope = area.scope
    params = {k: v for k, v in params.items() if v}
    kpis = [number(k.metric, scope, period, params, str(k.label), k.key) for k in KPIS]
    by_kind = kind_numbers(scope, period, params)
    plan = plan_for(period)
    return Overview(
        area=area,
        period=period,
        day=span_for(BJTJ_KEY, period).ends_on,
        params=dict(params),
        kpis=kpis,
        partnerships_by_kind=by_kind,
        charts=_charts(area, period, params, plan) if charts else [],
        plan=plan,
        board=task_board(plan, period),
    )
