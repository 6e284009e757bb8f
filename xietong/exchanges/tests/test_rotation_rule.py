"""The national rule's gap: the fewest more teachers who must rotate (backbone first) to
meet ≥10% rotated and ≥20% of them backbone — the same in Python and in SQL, 0 exactly when
the rule is met, and never more than needed."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from xietong.exchanges import rule

pytestmark = pytest.mark.django_db


def _sql(eligible: int, rotated: int, backbone: int) -> int:
    expr = rule.shortfall_sql("e", "r", "b")
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {expr} FROM (SELECT %s AS e, %s AS r, %s AS b) t",
            [eligible, rotated, backbone],
        )
        return int(cur.fetchone()[0])


@pytest.mark.parametrize(
    ("eligible", "rotated", "backbone", "gap"),
    [
        (27, 0, 0, 3),  # ⌈2.7⌉ teachers, the first of them a backbone teacher
        (30, 3, 1, 0),  # exactly 10% and a third of them backbone: met
        (30, 3, 0, 1),  # enough rotate, but none of them backbone: one backbone teacher more
        (10, 6, 0, 2),  # six rotated, none backbone: two backbone more make 2 of 8
        (12, 1, 0, 1),  # one short of ⌈1.2⌉ = 2; that one a backbone teacher
        (2, 2, 0, 1),  # all rotated, none backbone: one more would be needed
        (1, 1, 1, 0),
        (0, 0, 0, 0),  # no eligible teachers: nothing asked
    ],
)
def test_it_counts_the_teachers_short_of_the_rule(eligible, rotated, backbone, gap):
    assert rule.shortfall(eligible, rotated, backbone) == gap
    assert _sql(eligible, rotated, backbone) == gap


counts = st.integers(min_value=1, max_value=3000).flatmap(
    lambda e: st.integers(0, e).flatmap(
        lambda r: st.tuples(st.just(e), st.just(r), st.integers(0, r))
    )
)


@settings(max_examples=150, deadline=None)
@given(counts)
def test_it_computes_the_gap_alike_in_python_and_in_sql(case):
    assert rule.shortfall(*case) == _sql(*case)


@settings(max_examples=300, deadline=None)
@given(counts)
def test_it_is_zero_exactly_when_the_rule_is_met_and_never_more_than_needed(case):
    eligible, rotated, backbone = case
    gap = rule.shortfall(eligible, rotated, backbone)
    met = rule.rotation_ok(eligible, rotated) and rule.backbone_ok(rotated, backbone)
    assert (gap == 0) == met

    def meets_with(k: int) -> bool:  # k more rotate, as many of them backbone as needed
        return any(
            rule.rotation_ok(eligible, rotated + k) and rule.backbone_ok(rotated + k, backbone + b)
            for b in range(k + 1)
        )

    assert meets_with(gap)
    assert gap == 0 or not meets_with(gap - 1)
