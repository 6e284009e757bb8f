"""On track or not: an indicator's progress against its target and its projection.

Pure functions over an indicator's history (no database).

**Method.** The projection is the ordinary least-squares linear trend over the last ``n``
values of the history (default 4; every value when there are fewer), with the periods
numbered consecutively (``2025Q1`` → ``2025Q2`` is one step; a missing period leaves a gap
in the numbering, not in the fit). The trend line ``value = a + b · t`` minimises the sum
of squared residuals: ``b = Σ(t − t̄)(v − v̄) / Σ(t − t̄)²``, ``a = v̄ − b · t̄``. It is
evaluated at the period containing the target date. Two values are the least that give a
trend; with one or none there is no projection.

* **Progress** is the share of the way from the baseline to the target that the latest
  value has come: ``(latest − baseline) / (target − baseline)``, not clamped (above 1:
  beyond the target; below 0: further away than the baseline).
* **At risk** when the projection at the target date falls short of the target (below it
  when the target lies above the baseline, above it when the target is a reduction).
* The flag explains itself in one sentence, e.g. "At the trend of the last 4 quarters
  (+12.5 a quarter) it reaches 430 by 2025-12-31, short of the target 500."

**Complexity.** ``O(k)`` time and memory for a history of ``k`` values (the fit reads the
last ``n``).

>>> from decimal import Decimal as D
>>> from xietong.core.periods import parse
>>> h = [(parse(p), D(v)) for p, v in [("2024Q1", "380"), ("2024Q2", "390"),
...                                      ("2024Q3", "405"), ("2024Q4", "417.5")]]
>>> t = trend(h)
>>> (t.slope, t.points)
(Decimal('12.75'), 4)
>>> projected_value(h, parse("2025Q4"))
Decimal('468.25')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xietong.core.periods import Period, containing

DEFAULT_N = 4
History = Sequence[tuple[Period, Decimal]]
PLACES = Decimal("0.01")


def plain(d: Decimal) -> Decimal:
    """``d`` without trailing zeros and never in exponent notation (``60``, not ``6E+1``)."""
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def ordinal(p: Period) -> int:
    """The period's position on a line of periods of its kind (consecutive periods: +1)."""
    if p.kind == "quarter":
        return p.year * 4 + p.number - 1
    if p.kind == "month":
        return p.year * 12 + p.number - 1
    return p.year


def _decimal(f: Fraction, places: Decimal = Decimal("0.0001")) -> Decimal:
    return plain((Decimal(f.numerator) / Decimal(f.denominator)).quantize(places, ROUND_HALF_UP))


@dataclass(frozen=True)
class Trend:
    """The fitted line, exact (fractions); ``slope`` is the change per period, to 4 places."""

    exact_slope: Fraction
    exact_intercept: Fraction  # at ordinal 0
    points: int  # values fitted

    @property
    def slope(self) -> Decimal:
        return _decimal(self.exact_slope)

    def at(self, p: Period) -> Decimal:
        return _decimal(self.exact_intercept + self.exact_slope * ordinal(p), PLACES)


def _last(history: History, n: int) -> list[tuple[Period, Decimal]]:
    ordered = sorted(history, key=lambda pv: ordinal(pv[0]))
    return ordered[-n:] if n > 0 else ordered


def trend(history: History, n: int = DEFAULT_N) -> Trend | None:
    """The least-squares line through the last ``n`` values (None: fewer than two)."""
    pts = _last(history, n)
    if len(pts) < 2:
        return None
    ts = [Fraction(ordinal(p)) for p, _v in pts]
    vs = [Fraction(Decimal(v)) for _p, v in pts]
    k = len(pts)
    t_bar: Fraction = sum(ts, Fraction(0)) / k
    v_bar: Fraction = sum(vs, Fraction(0)) / k
    sxx: Fraction = sum(((t - t_bar) ** 2 for t in ts), Fraction(0))
    if sxx == 0:  # the same period twice: no direction
        return None
    sxy: Fraction = sum(
        ((t - t_bar) * (v - v_bar) for t, v in zip(ts, vs, strict=True)), Fraction(0)
    )
    slope: Fraction = sxy / sxx
    return Trend(slope, v_bar - slope * t_bar, k)


def projected_value(history: History, at: Period, n: int = DEFAULT_N) -> Decimal | None:
    """The trend's value at period ``at`` (None: no trend), to two places."""
    t = trend(history, n)
    if t is None:
        return None
    return t.at(at)


def progress(
    baseline: Decimal | None, target: Decimal | None, latest: Decimal | None
) -> Decimal | None:
    """The share of the way from ``baseline`` to ``target`` that ``latest`` has come."""
    if baseline is None or target is None or latest is None or target == baseline:
        return None
    return ((Decimal(latest) - baseline) / (target - baseline)).quantize(Decimal("0.0001"))


def misses(target: Decimal, projected: Decimal, baseline: Decimal | None) -> bool:
    """Whether ``projected`` falls short of ``target`` (a reduction when below baseline)."""
    if baseline is not None and target < baseline:
        return projected > target
    return projected < target


@dataclass(frozen=True)
class Assessment:
    latest: Decimal | None
    progress: Decimal | None
    trend: Trend | None
    projected: Decimal | None
    target_period: Period | None
    at_risk: bool | None  # None: no target or no trend to judge by
    explanation: str


def _number(d: Decimal) -> str:
    return f"{plain(d.quantize(PLACES, rounding=ROUND_HALF_UP)):f}"


def _signed(d: Decimal) -> str:
    return ("+" if d >= 0 else "−") + _number(abs(d))


def _per(kind: str, n: int) -> tuple[str, str]:
    """("the last 4 quarters", "a quarter") in the reader's language."""
    if kind == "month":
        return (
            ngettext("the last %(n)s month", "the last %(n)s months", n) % {"n": n},
            _("a month"),
        )
    if kind == "year":
        return ngettext("the last %(n)s year", "the last %(n)s years", n) % {"n": n}, _("a year")
    return (
        ngettext("the last %(n)s quarter", "the last %(n)s quarters", n) % {"n": n},
        _("a quarter"),
    )


def assess(
    history: History,
    *,
    baseline: Decimal | None,
    target: Decimal | None,
    target_date: dt.date | None,
    n: int = DEFAULT_N,
) -> Assessment:
    """Progress, projection and the at-risk flag with its sentence (see the module's doc)."""
    pts = _last(history, 0)
    latest = pts[-1][1] if pts else None
    kind = pts[-1][0].kind if pts else "quarter"
    share = progress(baseline, target, latest)
    if target is None or target_date is None:
        return Assessment(latest, share, trend(history, n), None, None, None, _("No target set."))
    at = containing(target_date, kind)
    t = trend(history, n)
    if t is None:
        return Assessment(
            latest,
            share,
            None,
            None,
            at,
            None,
            _("Too few values to project a trend: at least two periods are needed."),
        )
    projected = projected_value(history, at, n)
    assert projected is not None
    risk = misses(target, projected, baseline)
    last, per = _per(kind, t.points)
    values = {
        "last": last,
        "slope": _signed(t.slope),
        "per": per,
        "projected": _number(projected),
        "date": target_date.isoformat(),
        "target": _number(target),
    }
    if risk:
        sentence = (
            _(
                "At the trend of %(last)s (%(slope)s %(per)s) it reaches %(projected)s by "
                "%(date)s, short of the target %(target)s."
            )
            % values
        )
    else:
        sentence = (
            _(
                "At the trend of %(last)s (%(slope)s %(per)s) it reaches %(projected)s by "
                "%(date)s, meeting the target %(target)s."
            )
            % values
        )
    return Assessment(latest, share, t, projected, at, risk, sentence)
