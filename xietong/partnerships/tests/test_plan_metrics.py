"""The partnerships' metrics of the plan's indicators equal direct SQL counts on a small
world (SQLite and PostgreSQL: DATABASE_URL decides), and each value is the count of the
records it lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from xietong.core.terms import SchoolTerm
from xietong.partnerships.choices import ActivityKind, PartnershipKind
from xietong.partnerships.models import Activity, Member, Partnership
from xietong.partnerships.tests.test_cooperation_counts import (  # noqa: F401  (fixture)
    DATES,
    network,
    sql_counts,
)
from xietong.plan import metrics
from xietong.plan.metrics import WHOLE, Scope, Span
from xietong.regions.models import Region

KEYS = (
    "partnerships.cooperating_bj_tj",
    "partnerships.cooperating_hebei",
    "partnerships.active",
    "partnerships.xiongan_stages_covered",
    "partnerships.activities",
)


def span_to(day: dt.date) -> Span:
    return Span(dt.date(day.year, 1, 1), day)


def sql(query: str, **params: object) -> int:
    tables = {
        "member": Member._meta.db_table,
        "partnership": Partnership._meta.db_table,
        "activity": Activity._meta.db_table,
        "region": Region._meta.db_table,
    }
    with connection.cursor() as cur:
        cur.execute(query.format(**tables), params)
        return int(cur.fetchone()[0])


ACTIVE_SQL = """
SELECT COUNT(*) FROM {partnership} p
WHERE p.status IN ('active', 'ended') AND p.starts_on <= %(day)s
  AND (p.ends_on IS NULL OR p.ends_on >= %(day)s)
  AND EXISTS (SELECT 1 FROM {member} m WHERE m.partnership_id = p.id
              AND m.region_path LIKE %(path)s)
"""


def test_it_registers_every_metric_the_plan_names():
    assert all(metrics.get(k) is not None for k in KEYS)


@pytest.mark.parametrize("day", DATES)
def test_the_cooperating_schools_equal_the_press_measure_in_sql(network, day):  # noqa: F811
    bjtj = metrics.get("partnerships.cooperating_bj_tj")
    hebei = metrics.get("partnerships.cooperating_hebei")
    assert bjtj and hebei
    span = span_to(day)
    assert (int(bjtj.compute(WHOLE, span)), int(hebei.compute(WHOLE, span))) == sql_counts(day)
    assert bjtj.records(WHOLE, span, {}).count() == sql_counts(day)[0]


def test_a_scope_narrows_the_side_that_lies_in_it(network):  # noqa: F811
    span = span_to(DATES[2])
    hebei = metrics.get("partnerships.cooperating_hebei")
    bjtj = metrics.get("partnerships.cooperating_bj_tj")
    assert hebei and bjtj
    assert hebei.compute(Scope(group="xiongan"), span) == 1
    assert bjtj.compute(Scope(group="xiongan"), span) == 2
    sanhe = Region.objects.get(code="131082").path
    assert hebei.compute(Scope(region_path=sanhe), span) == 2
    # A stage narrows both sides (the network's filter): 津雄 pairs junior with senior.
    assert hebei.compute(Scope(stage="senior"), span) == 0
    assert set(hebei.records(Scope(stage="primary"), span, {})) == set(network["hb"][:2])


@pytest.mark.parametrize("day", DATES)
def test_active_partnerships_equal_a_direct_sql_count(network, day):  # noqa: F811
    metric = metrics.get("partnerships.active")
    assert metric
    for code in ("130000", "110000", "130638"):
        path = Region.objects.get(code=code).path
        scope = Scope(region_path=path)
        expected = sql(ACTIVE_SQL, day=day, path=path + "%")
        assert metric.compute(scope, span_to(day)) == expected
        assert metric.records(scope, span_to(day), {}).count() == expected
    whole = metric.compute(WHOLE, span_to(day))
    assert whole == sql(ACTIVE_SQL, day=day, path="%")


def test_active_partnerships_by_kind(network):  # noqa: F811
    metric = metrics.get("partnerships.active")
    assert metric
    span = span_to(DATES[2])
    assert metric.compute(WHOLE, span, {"kind": PartnershipKind.COOPERATIVE}) == 1
    assert metric.compute(Scope(group="xiongan"), span) == 1


def test_xiongan_stages_count_the_stages_of_the_partner_schools(network):  # noqa: F811
    metric = metrics.get("partnerships.xiongan_stages_covered")
    assert metric
    assert metric.compute(WHOLE, span_to(DATES[0])) == 0  # 津雄 starts in 2024
    assert metric.compute(WHOLE, span_to(DATES[2])) == 1  # senior only
    assert list(metric.records(WHOLE, span_to(DATES[2]), {})) == [network["xa"]]


def test_activities_in_the_span_equal_a_direct_sql_count(network):  # noqa: F811
    jie = Partnership.objects.get(name="结对一")
    jin = Partnership.objects.get(name="津雄")
    for p, day in (
        (jie, dt.date(2025, 3, 5)),
        (jie, dt.date(2025, 5, 6)),
        (jin, dt.date(2025, 5, 7)),
    ):
        Activity.objects.create(
            partnership=p,
            kind=ActivityKind.SHARED_LESSON,
            title="同课异构",
            occurred_on=day,
            term_key=SchoolTerm.containing(day).key,
        )
    metric = metrics.get("partnerships.activities")
    assert metric
    q2 = Span(dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    query = """
        SELECT COUNT(*) FROM {activity} a WHERE a.occurred_on BETWEEN %(a)s AND %(b)s
        AND EXISTS (SELECT 1 FROM {member} m WHERE m.partnership_id = a.partnership_id
                    AND m.region_path LIKE %(path)s)
    """
    for code, expected in (("130000", 2), ("130638", 1), ("131082", 1)):
        path = Region.objects.get(code=code).path
        assert metric.compute(Scope(region_path=path), q2) == expected
        assert sql(query, a=q2.starts_on, b=q2.ends_on, path=path + "%") == expected
    assert metric.compute(WHOLE, Span(dt.date(2025, 1, 1), dt.date(2025, 6, 30))) == 3
