"""The demo's indicator history: the reported outcomes as published values, a snapshot of
every quarter 2023Q4..2025Q4 that follows the demo's records, and a second load that
changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from xietong.demo import plan_history
from xietong.partnerships.network import cooperation_counts
from xietong.plan.choices import ValueOrigin
from xietong.plan.indicators import selectors
from xietong.plan.models import Indicator, IndicatorValue

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", "--scale", "0.02", stdout=StringIO(), stderr=StringIO())
        yield
        transaction.set_rollback(True)


def test_the_reported_outcomes_are_published_history(demo):
    i = Indicator.objects.get(key="cooperating-hebei-schools-reported")
    assert [(v.period, int(v.value)) for v in selectors.history(i)] == [
        ("2023Q4", 273),
        ("2024Q2", 370),
        ("2025Q4", 496),
    ]
    assert all(v.origin == ValueOrigin.PUBLISHED for v in selectors.history(i))
    a = selectors.assessment(i)
    assert a.at_risk is False and a.progress == 1
    shadowing = Indicator.objects.get(key="hebei-teachers-shadowing")
    assert [v.period for v in selectors.history(shadowing)] == ["2024", "2025"]


def test_every_quarter_is_snapshotted_and_follows_the_records(demo):
    i = Indicator.objects.get(key="cooperating-hebei-schools")
    rows = selectors.history(i)
    assert [v.period for v in rows] == [p.code for p in plan_history.quarters()]
    assert all(v.origin == ValueOrigin.SNAPSHOT for v in rows)
    assert rows[0].value == cooperation_counts(dt.date(2023, 12, 31)).hebei
    assert rows[-1].value == cooperation_counts(dt.date(2025, 12, 31)).hebei
    assert rows[0].value < rows[2].value < rows[-1].value
    i.refresh_from_db()
    assert i.baseline == rows[0].value and i.target is not None and i.target > i.baseline
    provinces = IndicatorValue.objects.filter(indicator=i, period="2025Q4", scope="region:130000")
    assert provinces.get().value == rows[-1].value  # every Hebei school is in Hebei


def test_a_second_load_writes_nothing_new(demo):
    before = IndicatorValue.objects.count()
    again = plan_history.load()
    assert (again.defined, again.published, again.written) == (0, 0, 0)
    assert IndicatorValue.objects.count() == before
