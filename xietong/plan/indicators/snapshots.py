"""Snapshots: computed indicator values written into their history, per period and scope.

:func:`snapshot` computes every computed indicator (or the ones given) for a period over a
bounded set of scopes — the whole plan area, each of the three provinces, each region
group (as far as the indicator's metrics break down by region and group) and, for the
whole area, each basic stage of education (where they break down by stage) — and writes
one ``IndicatorValue`` per (indicator, period, scope, stage) with origin *snapshot*.
Running it again for the same period rewrites the same rows (idempotent); a published
figure or a reported value at the same key is kept, never overwritten by a snapshot.

The nightly job (``plan.snapshot``, :mod:`xietong.plan.indicators.tasks`) snapshots the
current period and, in the first days of a period, the one just ended; ``xietong plan
snapshot --period 2025Q3`` any period on demand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from xietong import access
from xietong.access.actor import Actor, system_actor
from xietong.accounts import audit
from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.core.periods import Period, containing, read
from xietong.institutions.choices import Stage
from xietong.plan import metrics
from xietong.plan.choices import IndicatorSource, ValueOrigin
from xietong.plan.indicators.compute import compute
from xietong.plan.metrics import WHOLE, Scope
from xietong.plan.models import Indicator, IndicatorValue
from xietong.regions.models import Region, RegionGroup

PROVINCES = ("110000", "120000", "130000")
BASIC_STAGES = (Stage.PRESCHOOL, Stage.PRIMARY, Stage.JUNIOR, Stage.SENIOR)
# In the first days of a period the nightly job also snapshots the period just ended.
CLOSING_DAYS = 7


@dataclass
class Result:
    period: str
    written: int = 0
    unchanged: int = 0
    kept: int = 0  # published or reported values at the same key, left as they are
    indicators: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "period": self.period,
            "written": self.written,
            "unchanged": self.unchanged,
            "kept": self.kept,
            "indicators": self.indicators,
        }


def _breakdowns(indicator: Indicator) -> frozenset[str]:
    found = [metrics.get(k) for k in (indicator.numerator, indicator.denominator) if k]
    if not found or any(m is None for m in found):
        return frozenset()
    out = frozenset({"region", "group", "stage"})
    for m in found:
        assert m is not None
        out &= m.breakdowns
    return out


def scopes_for(indicator: Indicator) -> list[Scope]:
    """The scopes a snapshot writes for ``indicator`` (see the module's doc)."""
    can = _breakdowns(indicator)
    out = [WHOLE]
    if "region" in can:
        paths = dict(Region.objects.filter(code__in=PROVINCES).values_list("code", "path"))
        out += [Scope(region_path=paths[c]) for c in PROVINCES if c in paths]
    if "group" in can:
        out += [
            Scope(group=k)
            for k in RegionGroup.objects.order_by("key").values_list("key", flat=True)
        ]
    if "stage" in can:
        out += [Scope(stage=s.value) for s in BASIC_STAGES]
    return out


def _check(actor: Actor | None) -> Actor:
    if actor is None:
        return system_actor("snapshot")
    if actor.is_system_admin or access.can(actor, "plan.manage"):
        return actor
    raise PermissionDenied(_("Only the plan's managers take snapshots of its indicators."))


def snapshot(
    actor: Actor | None,
    period: Period | str,
    indicators: Iterable[Indicator] | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Compute and store the period's values of computed indicators (``actor`` None: the
    system, as the nightly job)."""
    who = _check(actor)
    p = read(period)
    chosen = list(indicators) if indicators is not None else list(Indicator.objects.all())
    chosen = [i for i in chosen if i.source == IndicatorSource.COMPUTED and i.numerator]
    result = Result(p.code)
    # The region groups' paths are read once for the whole period, not once per scope.
    with metrics.reading():
        for n, indicator in enumerate(chosen, 1):
            with transaction.atomic():
                _snapshot_one(indicator, p, result)
            result.indicators.append(indicator.key)
            if progress:
                progress(n, len(chosen))
    if actor is None and not result.written:
        return result  # the system's run found every value as it was: nothing to record
    audit.record(
        who,
        "plan.indicator.snapshot",
        label=p.code,
        detail=result.as_dict(),
    )
    return result


def _snapshot_one(indicator: Indicator, period: Period, result: Result) -> None:
    existing = {
        (v.scope, v.stage): v
        for v in IndicatorValue.objects.filter(indicator=indicator, period=period.code)
    }
    for scope in scopes_for(indicator):
        c = compute(indicator, scope, period)
        if c.value is None:
            continue
        row = existing.get((scope.key, scope.stage))
        if row is not None and row.origin != ValueOrigin.SNAPSHOT:
            result.kept += 1
            continue
        if row is not None:
            if (row.value, row.numerator, row.denominator) == (c.value, c.numerator, c.denominator):
                result.unchanged += 1
                continue
            row.value, row.numerator, row.denominator = c.value, c.numerator, c.denominator
            row.save(update_fields=["value", "numerator", "denominator"])
        else:
            IndicatorValue.objects.create(
                indicator=indicator,
                period=period.code,
                scope=scope.key,
                stage=scope.stage,
                value=c.value,
                numerator=c.numerator,
                denominator=c.denominator,
                origin=ValueOrigin.SNAPSHOT,
            )
        result.written += 1


def due_periods(today: dt.date, kind: str = "quarter") -> list[Period]:
    """What the nightly job snapshots on ``today``: the current period, and the one just
    ended during the first :data:`CLOSING_DAYS` days of a period."""
    current = containing(today, kind)  # type: ignore[arg-type]
    out = [current]
    if (today - current.starts_on).days < CLOSING_DAYS:
        out.insert(0, current.previous())
    return out


def request_snapshot(
    actor: Actor, periods: Iterable[str], indicators: Iterable[str] = (), *, dispatch: bool = True
) -> object:
    """Queue a snapshot job for ``periods`` (parsed and checked now, refused if not)."""
    from xietong.jobs import services as jobs
    from xietong.plan.indicators.tasks import SNAPSHOT_JOB

    _check(actor)
    codes = [read(value).code for value in periods]
    if not codes:
        raise InvalidInput(_("Name at least one period to snapshot, such as 2025Q3."))
    keys = list(indicators)
    if keys and Indicator.objects.filter(key__in=keys).count() != len(set(keys)):
        raise InvalidInput(_("No such indicator."))
    return jobs.enqueue(
        actor, SNAPSHOT_JOB, {"periods": codes, "indicators": keys}, dispatch=dispatch
    )
