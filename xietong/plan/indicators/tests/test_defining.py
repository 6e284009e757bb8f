"""Defining and editing indicators: the plan's managers only; a target in the wrong unit,
an unregistered metric, a parameter the metric does not take, a period that does not parse
are refused with a specific message and change nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.plan.indicators.services import define_indicator, edit_indicator
from xietong.plan.models import Indicator

GOOD = {
    "name": "结对帮扶项目",
    "source": "computed",
    "numerator": "partnerships.active",
    "params": {"kind": "paired"},
    "unit": "count",
    "target": "40",
    "target_date": dt.date(2025, 12, 31),
    "baseline_period": "2023年第4季度",
}


def test_a_manager_defines_an_indicator_for_the_plans_task(world):
    i = define_indicator(world.actor("beijing"), "paired-partnerships", GOOD, tasks=[world.task])
    assert (i.key, i.target, i.baseline_period) == ("paired-partnerships", 40, "2023Q4")
    assert list(i.tasks.all()) == [world.task]


@pytest.mark.parametrize(
    ("over", "words"),
    [
        (
            {"unit": "percent", "denominator": "exchanges.eligible_teachers", "target": "130"},
            "over 100",
        ),
        ({"target": "-4"}, "cannot be negative"),
        ({"target": "12.5"}, "whole number"),
        ({"numerator": "partnerships.nothing"}, "not a registered metric"),
        ({"params": {"kind": "friendship"}}, "not a value of kind"),
        ({"unit": "percent"}, "needs a denominator"),
        ({"baseline_period": "2023Q7"}, "not a period"),
        ({"target_date": None}, "date it is to be reached"),
    ],
)
def test_a_bad_definition_is_refused_with_a_specific_message(world, over, words):
    with pytest.raises(InvalidInput) as e:
        define_indicator(world.actor("beijing"), "bad", {**GOOD, **over}, tasks=[world.task])
    assert words in str(e.value.message)
    assert not Indicator.objects.filter(key="bad").exists()


def test_only_a_manager_defines_or_edits(world):
    with pytest.raises(PermissionDenied):
        define_indicator(world.actor("sanhe"), "x", GOOD, tasks=[world.task])
    with pytest.raises(PermissionDenied):
        edit_indicator(world.actor("hebei_viewer"), world.cooperating, {"target": "9"})
    edited = edit_indicator(world.actor("hebei"), world.cooperating, {"target": "9"})
    assert Indicator.objects.get(pk=edited.pk).target == 9
    with pytest.raises(InvalidInput):
        edit_indicator(world.actor("hebei"), world.coverage, {"target": "101"})
