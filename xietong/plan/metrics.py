"""The metric registry: named, tested functions over the platform's records.

An indicator's numerator and denominator are metric keys, never formulas typed in. Each
app registers the metrics over its own records (``partnerships.metrics``,
``exchanges.metrics`` …) from its ``AppConfig.ready``, as it registers navigation entries.

A metric answers two questions for a scope and a span of days:

* ``records(scope, span, params)`` — the queryset of the records it counts, which the
  dashboard's drill-down lists, so a number and the list behind it are one query apart;
* ``value(scope, span, params)`` — the number; by default the count of those records;
* optionally ``by_area(scope, span, params, areas)`` — the numbers of several disjoint
  regions at once, in one grouped query (a chart's bars); it must give what ``compute``
  gives for each area alone (``tests/test_metric_areas.py`` holds every metric to that).

A *scope* is the whole plan area, a region with everything beneath it, or a region group,
optionally narrowed to one stage of education. A *span* is the period's first and last
day; a stock (schools cooperating *on* a day) is read at ``span.ends_on``, a flow
(activities *during* a quarter) over the whole span.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Count, Model, Q, QuerySet, Value, When
from django.utils.functional import Promise

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Scope:
    """Where a metric counts: ``region_path`` (``130000/131000/``), a group key, a stage."""

    region_path: str = ""
    group: str = ""
    stage: str = ""

    @property
    def key(self) -> str:
        """What ``IndicatorValue.scope`` stores (the stage is kept in its own column)."""
        if self.group:
            return f"group:{self.group}"
        if self.region_path:
            return "region:" + self.region_path.rstrip("/").rsplit("/", 1)[-1]
        return ""


WHOLE = Scope()


_group_paths: ContextVar[dict[str, list[str]] | None] = ContextVar("group_paths", default=None)


@contextmanager
def reading() -> Iterator[None]:
    """Within the block, each region group's regions are read once (a dashboard reads
    dozens of numbers over the same few groups)."""
    token = _group_paths.set({})
    try:
        yield
    finally:
        _group_paths.reset(token)


def group_paths(key: str) -> list[str]:
    """The paths of a region group's member regions, in order."""
    from xietong.regions.models import Region

    memo = _group_paths.get()
    if memo is not None and key in memo:
        return list(memo[key])
    paths = list(
        Region.objects.filter(groups__key=key).order_by("path").values_list("path", flat=True)
    )
    if memo is not None:
        memo[key] = paths
    return list(paths)


def scope_paths(scope: Scope) -> list[str] | None:
    """The region-path prefixes a scope covers; ``None`` for the whole area (no narrowing).

    A group's member regions, kept to those under ``region_path`` when both are given.
    """
    if scope.group:
        paths = group_paths(scope.group)
        if scope.region_path:
            paths = [p for p in paths if p.startswith(scope.region_path)] or (
                [scope.region_path] if any(scope.region_path.startswith(p) for p in paths) else []
            )
        return paths
    if scope.region_path:
        return [scope.region_path]
    return None


def scope_of(key: str, stage: str = "") -> Scope:
    """The scope ``Scope.key`` wrote: ``""``, ``"region:130000"`` or ``"group:xiongan"``."""
    from xietong.regions.models import Region

    if key.startswith("group:"):
        return Scope(group=key[6:], stage=stage)
    if key.startswith("region:"):
        region = Region.objects.filter(code=key[7:]).only("path").first()
        if region is None:
            raise ValueError(f"unknown region in scope {key!r}")
        return Scope(region_path=region.path, stage=stage)
    return Scope(stage=stage)


@dataclass(frozen=True)
class Span:
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class Metric:
    key: str
    label: str | Promise
    records: Callable[[Scope, Span, Params], QuerySet[Any]]
    # The registry model of the records, for the drill-down list's columns and links.
    model: type[Model]
    description: str | Promise = ""
    value: Callable[[Scope, Span, Params], Decimal | int] | None = None
    # Which scopes the metric can be broken down by: "region", "group", "stage".
    breakdowns: frozenset[str] = field(default_factory=lambda: frozenset({"region", "group"}))
    # Parameters the metric accepts, with their allowed values (None: free text).
    params: Mapping[str, tuple[str, ...] | None] = field(default_factory=dict)
    # The values of several disjoint areas (region paths) in one query: {path: value}, for
    # the areas it can answer so (the others are computed one by one).
    by_area: Callable[[Scope, Span, Params, Sequence[str]], Mapping[str, int]] | None = None
    # A stock's values on several days in one query: {day: value}.
    by_day: Callable[[Scope, Sequence[dt.date], Params], Mapping[dt.date, int]] | None = None
    # Parameters whose values split the count in one grouped query: {param: records' field}.
    split_by: Mapping[str, str] = field(default_factory=dict)

    def compute(self, scope: Scope, span: Span, params: Params | None = None) -> Decimal:
        p = params or {}
        if self.value is not None:
            return Decimal(self.value(scope, span, p))
        return Decimal(self.records(scope, span, p).count())

    def compute_days(
        self, scope: Scope, days: Sequence[dt.date], params: Params | None = None
    ) -> dict[dt.date, Decimal]:
        """The value read on each of ``days`` (a stock: the span of one day each), in one
        query when the metric has ``by_day``."""
        p = params or {}
        if self.by_day is not None:
            found = self.by_day(scope, days, p)
            return {d: Decimal(found.get(d, 0)) for d in days}
        return {d: self.compute(scope, Span(d, d), p) for d in days}

    def compute_split(
        self, scope: Scope, span: Span, params: Params | None, name: str, values: Sequence[str]
    ) -> dict[str, Decimal]:
        """The value for each of ``values`` of the parameter ``name``: one grouped count
        when the metric splits by it (``split_by``), else one computation per value."""
        p = dict(params or {})
        field_name = self.split_by.get(name)
        if field_name is not None and self.value is None:
            p.pop(name, None)
            rows = (
                self.records(scope, span, p)
                .order_by()
                .values(field_name)
                .annotate(n=Count("pk", distinct=True))
                .values_list(field_name, "n")
            )
            found = dict(rows)
            return {v: Decimal(found.get(v, 0)) for v in values}
        return {v: self.compute(scope, span, {**p, name: v}) for v in values}

    def compute_areas(
        self, scope: Scope, span: Span, params: Params | None, areas: Sequence[str]
    ) -> dict[str, Decimal]:
        """The value for each of ``areas`` (disjoint region paths; ``scope`` gives the stage
        and the group): what :meth:`compute` gives for each area alone. The areas the
        metric's ``by_area`` answers take one query together (when no group narrows); any
        other area is computed alone."""
        p = params or {}
        found: Mapping[str, int] = {}
        if self.by_area is not None and not scope.group:
            found = self.by_area(Scope(stage=scope.stage), span, p, areas)
        return {
            a: Decimal(found[a])
            if a in found
            else self.compute(Scope(region_path=a, group=scope.group, stage=scope.stage), span, p)
            for a in areas
        }


def count_by_area(
    qs: QuerySet[Any], areas: Sequence[str], counted: str, path_field: str = "region_path"
) -> dict[str, int]:
    """The distinct ``counted`` values of ``qs``'s rows per area its ``path_field`` lies in
    (every area, zero included).

    ``areas`` are disjoint region paths; one grouped query (the area as a ``CASE``).
    """
    if not areas:
        return {}
    inside = Q(pk__in=[])
    for a in areas:
        inside |= Q(**{f"{path_field}__startswith": a})
    area = Case(
        *(When(**{f"{path_field}__startswith": a}, then=Value(a)) for a in areas),
        default=Value(""),
        output_field=CharField(),
    )
    rows = (
        qs.filter(inside)
        .annotate(xt_area=area)
        .order_by()
        .values("xt_area")
        .annotate(n=Count(counted, distinct=True))
        .values_list("xt_area", "n")
    )
    found = dict(rows)
    return {a: found.get(a, 0) for a in areas}


_registry: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    if metric.key in _registry and _registry[metric.key] is not metric:
        raise ValueError(f"metric {metric.key!r} is registered twice")
    _registry[metric.key] = metric
    return metric


def get(key: str) -> Metric | None:
    return _registry.get(key)


def registered() -> list[Metric]:
    return sorted(_registry.values(), key=lambda m: m.key)
