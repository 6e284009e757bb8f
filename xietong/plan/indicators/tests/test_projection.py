"""The projection: a least-squares line over the last N periods, progress as the share of
the way from baseline to target, and the at-risk flag that explains itself."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from xietong.core.periods import Period, parse
from xietong.plan.indicators import projection
from xietong.plan.indicators.projection import assess, progress, projected_value, trend

START = parse("2023Q4")


def quarters(values):
    out, p = [], START
    for v in values:
        out.append((p, D(v)))
        p = p.next()
    return out


ints = st.integers(min_value=-10_000, max_value=10_000)


@given(a=ints, b=ints, k=st.integers(min_value=2, max_value=9), ahead=st.integers(0, 12))
def test_a_straight_line_is_projected_exactly(a, b, k, ahead):
    history = quarters([a + b * i for i in range(k)])
    at = history[-1][0]
    for _ in range(ahead):
        at = at.next()
    t = trend(history, n=k)
    assert t is not None and t.exact_slope == b == t.slope
    expected = a + b * (k - 1 + ahead)
    assert projected_value(history, at, n=k) == expected


@given(values=st.lists(ints, min_size=2, max_size=10), shift=ints)
def test_shifting_every_value_shifts_the_projection_and_keeps_the_slope(values, shift):
    history = quarters(values)
    moved = quarters([v + shift for v in values])
    at = parse("2026Q4")
    t, u = trend(history), trend(moved)
    assert t is not None and u is not None
    assert t.exact_slope == u.exact_slope
    assert projected_value(moved, at) - projected_value(history, at) == shift


@given(values=st.lists(ints, min_size=5, max_size=10))
def test_only_the_last_n_values_count(values):
    history = quarters(values)
    assert trend(history, n=4) == trend(history[-4:], n=4)
    assert trend(history, n=4).points == 4


@given(baseline=ints, target=ints, latest=ints)
def test_progress_is_the_share_of_the_way_from_baseline_to_target(baseline, target, latest):
    share = progress(D(baseline), D(target), D(latest))
    if baseline == target:
        assert share is None
        return
    assert progress(D(baseline), D(target), D(baseline)) == 0
    assert progress(D(baseline), D(target), D(target)) == 1
    assert share is not None
    # Rounded to four places: within half a unit of the fourth place of the exact share.
    exact = D(latest - baseline) / D(target - baseline)
    assert abs(share - exact) <= D("0.00005")


@given(values=st.lists(ints, min_size=2, max_size=8), above=st.integers(1, 20_000))
def test_at_risk_exactly_when_the_projection_misses_a_target_above_the_baseline(values, above):
    history = quarters(values)
    baseline = D(min(values))
    target = baseline + above
    a = assess(history, baseline=baseline, target=target, target_date=dt.date(2026, 12, 31))
    assert a.projected is not None
    assert a.at_risk == (a.projected < target)
    assert ("short of" in a.explanation) == a.at_risk


def test_too_few_values_give_no_projection_and_say_so():
    a = assess(quarters([5]), baseline=D(0), target=D(10), target_date=dt.date(2025, 12, 31))
    assert (a.projected, a.at_risk) == (None, None)
    assert "two" in a.explanation


def test_a_reduction_is_at_risk_when_the_projection_stays_above_the_target():
    history = quarters([100, 95, 90])
    a = assess(history, baseline=D(100), target=D(50), target_date=dt.date(2025, 12, 31))
    assert a.projected == 60 and a.at_risk is True  # six quarters on at −5


def test_the_flag_explains_itself_in_one_sentence_in_either_language():
    history = [(Period("quarter", 2024, q), D(v)) for q, v in ((4, "342.5"),)] + [
        (Period("quarter", 2025, q), D(v)) for q, v in ((1, "355"), (2, "367.5"), (3, "380"))
    ]
    kwargs = {"baseline": D(202), "target": D(500), "target_date": dt.date(2025, 12, 31)}
    with translation.override("en"):
        a = assess(history, **kwargs)
        assert a.explanation == (
            "At the trend of the last 4 quarters (+12.5 a quarter) it reaches 392.5 by "
            "2025-12-31, short of the target 500."
        )
    assert a.at_risk is True
    assert a.progress == D("0.5973")
    with translation.override("zh-hans"):
        zh = assess(history, **kwargs).explanation
    assert "392.5" in zh and "500" in zh and "季度" in zh


def test_the_module_doctest_holds():
    import doctest

    assert doctest.testmod(projection).failed == 0
