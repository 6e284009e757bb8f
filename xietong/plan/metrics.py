"""The metric registry: named, tested functions over the platform's records.

An indicator's numerator and denominator are metric keys, never formulas typed in. Each
app registers the metrics over its own records (``partnerships.metrics``,
``exchanges.metrics`` …) from its ``AppConfig.ready``, as it registers navigation entries.

A metric answers two questions for a scope and a span of days:

* ``records(scope, span, params)`` — the queryset of the records it counts, which the
  dashboard's drill-down lists, so a number and the list behind it are one query apart;
* ``value(scope, span, params)`` — the number; by default the count of those records;
* optionally ``by_area(stage, span, params, areas)`` — the numbers of several areas (each
  a list of region paths) in one query (a chart's bars); it must give what ``compute``
  gives for each area's scope alone (``dashboard/tests/test_grouped_numbers.py`` holds
  every metric to that).

A *scope* is the whole plan area, a region with everything beneath it, or a region group,
optionally narrowed to one stage of education. A *span* is the period's first and last
day; a stock (schools cooperating *on* a day) is read at ``span.ends_on``, a flow
(activities *during* a quarter) over the whole span.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar, cast

from django.db.models import Count, Model, QuerySet
from django.utils.functional import Promise

from xietong.regions.selectors import under_paths_q

Params = Mapping[str, Any]
T = TypeVar("T")


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


_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("metric_memo", default=None)


@contextmanager
def reading() -> Iterator[None]:
    """Within the block, what :func:`remembered` computes is computed once: a dashboard
    reads dozens of numbers over the same few region groups, and both sides of the
    network from one query."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, once per ``key`` within :func:`reading` (every time outside it)."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return cast(T, memo[key])


def group_paths(key: str) -> list[str]:
    """The paths of a region group's member regions, in order."""
    from xietong.regions.models import Region

    def read() -> list[str]:
        return list(
            Region.objects.filter(groups__key=key).order_by("path").values_list("path", flat=True)
        )

    return list(remembered(("group_paths", key), read))


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
    # The values of several areas (label → region paths) in one query: {label: value}, for
    # the areas it can answer so (the others are computed one by one).
    by_area: (
        Callable[[str, Span, Params, Mapping[int, Sequence[str]]], Mapping[int, int]] | None
    ) = None
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

    def compute_scopes(
        self, scopes: Sequence[Scope], span: Span, params: Params | None = None
    ) -> list[Decimal]:
        """The value for each of ``scopes`` (regions, groups, both), as :meth:`compute`
        gives it for each alone. The scopes of one stage that ``by_area`` answers take one
        query together; any other scope is computed alone."""
        p = params or {}
        found: dict[int, int] = {}
        if self.by_area is not None:
            stages: dict[str, dict[int, Sequence[str]]] = {}
            for i, scope in enumerate(scopes):
                paths = scope_paths(scope)
                if paths is not None:
                    stages.setdefault(scope.stage, {})[i] = paths
            for stage, areas in stages.items():
                found.update(self.by_area(stage, span, p, areas))
        return [
            Decimal(found[i]) if i in found else self.compute(scope, span, p)
            for i, scope in enumerate(scopes)
        ]


def count_by_area(
    qs: QuerySet[Any],
    areas: Mapping[int, Sequence[str]],
    counted: str,
    path_field: str = "region_path",
) -> dict[int, int]:
    """The distinct ``counted`` values of ``qs``'s rows whose ``path_field`` lies in each
    area (a list of region paths; areas may overlap), every area answered: one query of
    filtered counts."""
    if not areas:
        return {}
    row = qs.aggregate(
        **{
            f"a{i}": Count(counted, distinct=True, filter=under_paths_q(list(paths), path_field))
            for i, paths in areas.items()
        }
    )
    return {i: row[f"a{i}"] or 0 for i in areas}


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
