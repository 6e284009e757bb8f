"""Working days: Monday to Friday, less the configured holidays, plus the make-up days."""

from __future__ import annotations

import datetime as dt

from xietong.core import workdays

MONDAY = dt.date(2026, 9, 21)
FRIDAY = MONDAY + dt.timedelta(days=4)
SATURDAY = MONDAY + dt.timedelta(days=5)


def test_it_counts_monday_to_friday_as_five_working_days():
    assert workdays.count(MONDAY, FRIDAY) == 5
    assert workdays.count(MONDAY, SATURDAY + dt.timedelta(days=1)) == 5
    assert workdays.count(FRIDAY, MONDAY) == 0


def test_it_ends_a_five_day_period_on_the_friday_or_after_a_weekend():
    assert workdays.last_of(MONDAY, 5) == FRIDAY
    assert workdays.last_of(SATURDAY, 5) == FRIDAY + dt.timedelta(days=7)
    assert workdays.last_of(FRIDAY, 2) == MONDAY + dt.timedelta(days=7)


def test_it_leaves_out_holidays_and_counts_make_up_days(settings):
    settings.XIETONG_HOLIDAYS = ("2026-10-01", "2026-10-02")
    settings.XIETONG_WORKDAYS = ("2026-10-10",)  # a Saturday worked instead
    thursday = dt.date(2026, 10, 1)
    assert not workdays.is_working_day(thursday)
    assert workdays.is_working_day(dt.date(2026, 10, 10))
    assert workdays.count(dt.date(2026, 9, 28), dt.date(2026, 10, 2)) == 3
    # From Thursday the holiday: Mon 5, Tue 6, Wed 7, Thu 8, Fri 9.
    assert workdays.last_of(thursday, 5) == dt.date(2026, 10, 9)
    assert workdays.last_of(thursday, 6) == dt.date(2026, 10, 10)
