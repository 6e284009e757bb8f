"""Reads of the plan's indicators: the list, one indicator, its history, its projection,
its breakdown by province and region group — the functions the pages, the API and the
dashboard call.

* :func:`value_for` — an indicator's value for a scope and period, computed now;
* :func:`history` / :func:`series` — its stored values (snapshots, approved reported
  values, published figures) for a scope, oldest first;
* :func:`assessment` — progress, projection and the at-risk sentence from that history;
* :func:`breakdown` — the stored values of one period by province and by region group.

Who reads the indicators is the plan's access declaration (``xietong.plan.access``:
``read_q`` over ``Indicator``); the values are read with their indicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xietong import access
from xietong.access.actor import Actor
from xietong.core.errors import NotFound, PermissionDenied
from xietong.core.periods import Period, parse
from xietong.plan.choices import ValueStatus
from xietong.plan.indicators import compute as computing
from xietong.plan.indicators import projection
from xietong.plan.indicators.snapshots import PROVINCES
from xietong.plan.metrics import Scope
from xietong.plan.models import Indicator, IndicatorValue
from xietong.regions.models import Region, RegionGroup


def _gate(actor: Actor) -> None:
    if not access.can(actor, "plan.read"):
        raise PermissionDenied(_("The plan is read by authorities and the bodies of its tasks."))


def indicators_for(actor: Actor) -> QuerySet[Indicator]:
    _gate(actor)
    return (
        Indicator.objects.filter(access.read_q(actor, Indicator))
        .select_related("reporter")
        .distinct()
    )


def indicator_detail(actor: Actor, key: str) -> Indicator:
    found = indicators_for(actor).filter(key=key).prefetch_related("tasks").first()
    if found is None:
        raise NotFound(_("The requested record does not exist or is not visible to you."))
    return found


def value_for(indicator: Indicator, scope: Scope, period: Period | str) -> computing.Computed:
    """The indicator's value for ``scope`` over ``period``, computed now from the records
    (a reported indicator: its approved value)."""
    return computing.compute(indicator, scope, period)


def history(indicator: Indicator, scope: str = "", stage: str = "") -> list[IndicatorValue]:
    """The values that count, oldest first: snapshots, published figures and approved
    reported values of the indicator's period kind, for one scope key."""
    rows = IndicatorValue.objects.filter(
        indicator=indicator, scope=scope, stage=stage, status=ValueStatus.APPROVED
    ).order_by("period")
    kind = indicator.period_kind
    out = []
    for v in rows:
        try:
            if parse(v.period).kind == kind:
                out.append(v)
        except ValueError:
            continue
    return out


def series(indicator: Indicator, scope: str = "", stage: str = "") -> list[tuple[Period, Decimal]]:
    return [(parse(v.period), v.value) for v in history(indicator, scope, stage)]


def assessment(
    indicator: Indicator, scope: str = "", n: int = projection.DEFAULT_N
) -> projection.Assessment:
    """Progress against target, the projection to the target date, the at-risk flag."""
    return projection.assess(
        series(indicator, scope),
        baseline=indicator.baseline,
        target=indicator.target,
        target_date=indicator.target_date,
        n=n,
    )


@dataclass(frozen=True)
class Part:
    scope: str
    label: str
    value: Decimal | None


def breakdown(indicator: Indicator, period: str) -> dict[str, list[Part]]:
    """The stored values of ``period`` by province and by region group."""
    stored = {
        v.scope: v.value
        for v in IndicatorValue.objects.filter(
            indicator=indicator, period=period, stage="", status=ValueStatus.APPROVED
        )
    }
    provinces = Region.objects.filter(code__in=PROVINCES).order_by("code")
    groups = RegionGroup.objects.order_by("key")
    return {
        "provinces": [
            Part(f"region:{p.code}", p.name, stored.get(f"region:{p.code}")) for p in provinces
        ],
        "groups": [Part(f"group:{g.key}", g.name, stored.get(f"group:{g.key}")) for g in groups],
    }


def values_to_review(actor: Actor) -> QuerySet[IndicatorValue]:
    """Submitted reported values the actor may approve or return."""
    return (
        IndicatorValue.objects.filter(
            access.verb_q(actor, IndicatorValue, "approve"), status=ValueStatus.SUBMITTED
        )
        .select_related("indicator")
        .order_by("period", "id")
    )


def reported_values(actor: Actor, indicator: Indicator) -> QuerySet[IndicatorValue]:
    """All reported values of an indicator the actor may read (drafts to the reporter)."""
    return IndicatorValue.objects.filter(
        access.read_q(actor, IndicatorValue), indicator=indicator, origin="reported"
    ).order_by("-period", "scope")
