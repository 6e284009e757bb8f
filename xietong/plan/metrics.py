"""The metric registry: named, tested functions over the platform's records.

An indicator's numerator and denominator are metric keys, never formulas typed in. Each
app registers the metrics over its own records (``partnerships.metrics``,
``exchanges.metrics`` …) from its ``AppConfig.ready``, as it registers navigation entries.

A metric answers two questions for a scope and a span of days:

* ``records(scope, span, params)`` — the queryset of the records it counts, which the
  dashboard's drill-down lists, so a number and the list behind it are one query apart;
* ``value(scope, span, params)`` — the number; by default the count of those records.

A *scope* is the whole plan area, a region with everything beneath it, or a region group,
optionally narrowed to one stage of education. A *span* is the period's first and last
day; a stock (schools cooperating *on* a day) is read at ``span.ends_on``, a flow
(activities *during* a quarter) over the whole span.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
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


def scope_paths(scope: Scope) -> list[str] | None:
    """The region-path prefixes a scope covers; ``None`` for the whole area (no narrowing).

    A group's member regions, kept to those under ``region_path`` when both are given.
    """
    from xietong.regions.models import Region

    if scope.group:
        paths = list(
            Region.objects.filter(groups__key=scope.group)
            .order_by("path")
            .values_list("path", flat=True)
        )
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

    def compute(self, scope: Scope, span: Span, params: Params | None = None) -> Decimal:
        p = params or {}
        if self.value is not None:
            return Decimal(self.value(scope, span, p))
        return Decimal(self.records(scope, span, p).count())


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
