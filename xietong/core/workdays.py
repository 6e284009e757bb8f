"""Working days: Monday to Friday, less the configured public holidays, plus make-up days.

Periods counted in working days (the public notice of a recommendation, 公示) read one
rule: ``settings.XIETONG_HOLIDAYS`` lists the public holidays that fall on weekdays and
``settings.XIETONG_WORKDAYS`` the weekend days worked instead (调休); both are ISO dates.
They are read on each call, so ``override_settings`` works in tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings


def _dates(values: Iterable[object]) -> frozenset[dt.date]:
    out: set[dt.date] = set()
    for v in values:
        if isinstance(v, dt.datetime):
            out.add(v.date())
        elif isinstance(v, dt.date):
            out.add(v)
        elif str(v).strip():
            out.add(dt.date.fromisoformat(str(v).strip()))
    return frozenset(out)


def holidays() -> frozenset[dt.date]:
    return _dates(getattr(settings, "XIETONG_HOLIDAYS", ()))


def makeup_workdays() -> frozenset[dt.date]:
    return _dates(getattr(settings, "XIETONG_WORKDAYS", ()))


def is_working_day(day: dt.date) -> bool:
    if day in makeup_workdays():
        return True
    return day.weekday() < 5 and day not in holidays()


def count(first: dt.date, last: dt.date) -> int:
    """Working days from ``first`` to ``last``, both included (0 if ``last`` is earlier)."""
    off, extra = holidays(), makeup_workdays()
    n, day = 0, first
    while day <= last:
        if day in extra or (day.weekday() < 5 and day not in off):
            n += 1
        day += dt.timedelta(days=1)
    return n


def last_of(first: dt.date, n: int) -> dt.date:
    """The day on which a period of ``n`` working days starting on ``first`` ends.

    ``last_of(Monday, 5)`` is that Friday; a period starting on a Saturday counts from
    the Monday after. ``n`` below 1 is taken as 1.
    """
    off, extra = holidays(), makeup_workdays()
    left, day = max(1, n), first
    while True:
        if day in extra or (day.weekday() < 5 and day not in off):
            left -= 1
            if left == 0:
                return day
        day += dt.timedelta(days=1)
