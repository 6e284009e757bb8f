"""An indicator's value for a scope and a period.

A *computed* indicator is its numerator metric over its denominator metric (when it has
one), times its unit's factor — 100 for a percent and for "per 100 teachers", 1 for a
count (a count over a denominator is a plain ratio, e.g. activities per partnership). A
*reported* indicator's value is the approved value its body reported for the period and
scope; until one is approved it has none. Values are :class:`~decimal.Decimal`, rounded to
four places as ``IndicatorValue.value`` keeps them.

>>> from xietong.plan.models import Indicator
>>> compute(Indicator.objects.get(key="cooperating-schools-hebei"), WHOLE, parse("2025Q4"))
... # doctest: +SKIP
Computed(value=Decimal('496'), numerator=Decimal('496'), denominator=None)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from xietong.core.errors import InvalidInput
from xietong.core.periods import Period, parse
from xietong.plan import metrics
from xietong.plan.choices import IndicatorSource, Unit, ValueOrigin, ValueStatus
from xietong.plan.metrics import WHOLE, Scope, Span
from xietong.plan.models import Indicator, IndicatorValue

__all__ = ["WHOLE", "Computed", "compute", "factor", "parse", "span_of"]

FACTORS = {Unit.COUNT: Decimal(1), Unit.PERCENT: Decimal(100), Unit.PER_100_TEACHERS: Decimal(100)}
PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Computed:
    value: Decimal | None  # None: nothing to show (no approved report, a zero denominator)
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def factor(unit: str) -> Decimal:
    return FACTORS.get(Unit(unit), Decimal(1)) if unit in Unit.values else Decimal(1)


def span_of(period: Period) -> Span:
    return Span(period.starts_on, period.ends_on)


def ratio(numerator: Decimal, denominator: Decimal | None, unit: str) -> Decimal | None:
    """``numerator`` (over ``denominator``) in ``unit``, rounded to four places."""
    if denominator is None:
        value = numerator
    elif denominator == 0:
        return None
    else:
        value = numerator * factor(unit) / denominator
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def metric_of(key: str) -> metrics.Metric:
    metric = metrics.get(key)
    if metric is None:
        raise InvalidInput(_("“%(key)s” is not a registered metric.") % {"key": key})
    return metric


def compute(indicator: Indicator, scope: Scope, period: Period | str) -> Computed:
    """The indicator's value for ``scope`` over ``period`` (see the module's doc)."""
    p = parse(period)
    if indicator.source == IndicatorSource.REPORTED:
        return reported(indicator, scope, p)
    span = span_of(p)
    params = indicator.params or {}
    num = metric_of(indicator.numerator).compute(scope, span, params)
    den = None
    if indicator.denominator:
        den = metric_of(indicator.denominator).compute(scope, span, params)
    return Computed(ratio(num, den, indicator.unit), num, den)


def reported(indicator: Indicator, scope: Scope, period: Period) -> Computed:
    row = (
        IndicatorValue.objects.filter(
            indicator=indicator,
            period=period.code,
            scope=scope.key,
            stage=scope.stage,
            status=ValueStatus.APPROVED,
            origin__in=[ValueOrigin.REPORTED, ValueOrigin.PUBLISHED],
        )
        .only("value", "numerator", "denominator")
        .first()
    )
    if row is None:
        return Computed(None)
    return Computed(row.value, row.numerator, row.denominator)
