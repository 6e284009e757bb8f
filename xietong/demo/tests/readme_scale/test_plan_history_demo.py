"""The demo's indicators: one per meaning, all from the plan's data; the reported outcomes
as published values of reported indicators; a snapshot of every quarter 2023Q4..2025Q4 of
every computed one, following the demo's records; demo figures for the cooperation counts
at the demo's scale; and a second load that changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest

from xietong.accounts.models import AuditEvent
from xietong.demo import plan as demo_plan
from xietong.demo import plan_history
from xietong.partnerships.network import cooperation_counts
from xietong.plan.choices import IndicatorSource, ValueOrigin
from xietong.plan.cli_load import DATA, SHIPPED
from xietong.plan.indicators import selectors
from xietong.plan.models import Indicator, IndicatorValue

# one worker loads the shared demo of these tests (see scripts/run_tests.sh)
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("readme_scale")]


def test_it_has_one_indicator_per_meaning_all_from_the_plans_data(demo):
    shipped = [
        i["key"]
        for name in SHIPPED
        for i in json.loads((DATA / name).read_text(encoding="utf-8")).get("indicators", [])
    ]
    assert sorted(Indicator.objects.values_list("key", flat=True)) == sorted(shipped)
    names = list(Indicator.objects.values_list("name", flat=True))
    assert len(names) == len(set(names))
    computed = Indicator.objects.filter(source=IndicatorSource.COMPUTED)
    measures = [
        (i.numerator, i.denominator, json.dumps(i.params, sort_keys=True)) for i in computed
    ]
    assert len(measures) == len(set(measures))


def test_every_computed_indicator_has_a_snapshot_of_each_quarter_and_nothing_else(demo):
    quarters = [p.code for p in plan_history.quarters()]
    assert len(quarters) == 9
    computed = Indicator.objects.filter(source=IndicatorSource.COMPUTED)
    assert computed.count() == 10  # activities per partnership among them
    for i in computed:
        rows = IndicatorValue.objects.filter(indicator=i, scope="", stage="").order_by("period")
        assert [v.period for v in rows] == quarters, i.key
        assert {v.origin for v in IndicatorValue.objects.filter(indicator=i)} == {
            ValueOrigin.SNAPSHOT
        }, i.key


def test_the_reported_outcomes_are_published_history_of_reported_indicators(demo):
    i = Indicator.objects.get(key="jjj23-cooperating-hebei-reported")
    assert i.source == IndicatorSource.REPORTED
    assert [(v.period, int(v.value)) for v in selectors.history(i)] == [
        ("2023Q4", 273),
        ("2024Q2", 370),
        ("2025Q4", 496),
    ]
    assert all(v.origin == ValueOrigin.PUBLISHED for v in selectors.history(i))
    a = selectors.assessment(i)
    assert a.at_risk is False and a.progress == 1
    shadowing = Indicator.objects.get(key="jjj23-hebei-shadowing")
    assert [(v.period, int(v.value)) for v in selectors.history(shadowing)] == [
        ("2024", 100),
        ("2025", 250),
    ]
    published = IndicatorValue.objects.filter(origin=ValueOrigin.PUBLISHED)
    assert set(published.values_list("indicator__source", flat=True)) == {IndicatorSource.REPORTED}
    assert published.filter(indicator__key="jjj23-beisanxian-shadowing-schools").get().value == 38


def test_the_cooperation_counts_follow_the_records_with_demo_figures(demo):
    i = Indicator.objects.get(key="jjj23-cooperating-hebei")
    rows = selectors.history(i)
    assert [v.period for v in rows] == [p.code for p in plan_history.quarters()]
    assert rows[0].value == cooperation_counts(dt.date(2023, 12, 31)).hebei
    assert rows[-1].value == cooperation_counts(dt.date(2025, 12, 31)).hebei
    assert rows[0].value < rows[2].value < rows[-1].value
    assert rows[-1].value < 496  # the demo is at scale 0.02
    # Below scale 1.0: the baseline is the 2023Q4 snapshot, the target grown as 273 → 496.
    grown = (rows[0].value * 496 / 273).quantize(Decimal(1), ROUND_HALF_UP)
    assert (i.baseline, i.baseline_period, i.target) == (rows[0].value, "2023Q4", grown)
    assert "演示数据" in i.description and "不是规划" in i.description
    provinces = IndicatorValue.objects.filter(indicator=i, period="2025Q4", scope="region:130000")
    assert provinces.get().value == rows[-1].value  # every Hebei school is in Hebei
    stages = Indicator.objects.get(key="jjj23-xiongan-stages")
    assert stages.target == 4 and "演示数据" not in stages.description  # not a scaled count


def test_a_second_load_writes_nothing_new(demo):
    fields = ("key", "baseline", "baseline_period", "target", "description")
    indicators = list(Indicator.objects.order_by("key").values_list(*fields))
    values = list(IndicatorValue.objects.order_by("pk").values_list("pk", "value"))
    events = AuditEvent.objects.count()
    demo_plan.load()
    again = plan_history.load()
    assert (again.written, again.scaled) == (0, 0) and again.unchanged > 0
    assert list(Indicator.objects.order_by("key").values_list(*fields)) == indicators
    assert list(IndicatorValue.objects.order_by("pk").values_list("pk", "value")) == values
    assert AuditEvent.objects.count() == events
