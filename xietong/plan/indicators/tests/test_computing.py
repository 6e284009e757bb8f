"""Computing an indicator for a scope and a period: the metric's count (or the ratio of two,
in the indicator's unit), and a reported indicator's approved value."""

from __future__ import annotations

from decimal import Decimal

from xietong.plan.choices import ValueOrigin, ValueStatus
from xietong.plan.indicators.compute import compute, ratio
from xietong.plan.metrics import WHOLE, Scope
from xietong.plan.models import IndicatorValue
from xietong.regions.models import Region


def test_it_counts_the_numerator_metric_for_the_period(world):
    assert compute(world.cooperating, WHOLE, "2023Q4").value == 0
    assert compute(world.cooperating, WHOLE, "2024Q2").value == 1
    assert compute(world.cooperating, WHOLE, "2025Q1").value == 2
    xiongan = compute(world.cooperating, Scope(group="xiongan"), "2025Q1")
    assert (xiongan.value, xiongan.numerator, xiongan.denominator) == (1, 1, None)


def test_a_ratio_is_the_numerator_over_the_denominator_in_the_unit(world):
    assert ratio(Decimal(1), Decimal(3), "percent") == Decimal("33.3333")
    assert ratio(Decimal(5), Decimal(200), "per_100") == Decimal("2.5000")
    assert ratio(Decimal(7), Decimal(2), "count") == Decimal("3.5000")
    assert ratio(Decimal(7), Decimal(0), "percent") is None
    # Four eligible teachers in the cast, none exchanged.
    c = compute(world.coverage, WHOLE, "2024Q4")
    assert (c.value, c.numerator, c.denominator) == (Decimal(0), 0, 4)
    hebei = Region.objects.get(code="130000").path
    assert compute(world.coverage, Scope(region_path=hebei), "2024Q4").denominator == 3


def test_a_reported_indicator_counts_only_its_approved_value(world):
    assert compute(world.shadowing, WHOLE, "2024Q4").value is None
    row = IndicatorValue.objects.create(
        indicator=world.shadowing,
        period="2024Q4",
        value=Decimal(60),
        origin=ValueOrigin.REPORTED,
        status=ValueStatus.SUBMITTED,
    )
    assert compute(world.shadowing, WHOLE, "2024Q4").value is None
    row.status = ValueStatus.APPROVED
    row.save()
    assert compute(world.shadowing, WHOLE, "2024Q4").value == 60
