"""The dashboard's numbers equal direct SQL counts on the same data (SQLite and PostgreSQL:
DATABASE_URL decides), and the overview's query count does not grow with the data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from xietong.conftest import PASSWORD
from xietong.dashboard.tests import world as w
from xietong.institutions.models import Institution
from xietong.partnerships.models import Activity, Member, Partnership

DAY = w.TODAY
TERM_STARTS = dt.date(2025, 9, 1)

COOPERATING = """
SELECT COUNT(DISTINCT m.institution_id)
FROM {member} m
JOIN {partnership} p ON p.id = m.partnership_id
JOIN {institution} i ON i.id = m.institution_id
WHERE p.status IN ('active', 'ended')
  AND p.starts_on <= %(day)s AND (p.ends_on IS NULL OR p.ends_on >= %(day)s)
  AND m.joined_on <= %(day)s AND (m.left_on IS NULL OR m.left_on >= %(day)s)
  AND i.kind NOT IN ('authority', 'training', 'research')
  AND ({side}) AND i.region_path LIKE %(area)s
  AND EXISTS (
    SELECT 1 FROM {member} o JOIN {institution} j ON j.id = o.institution_id
    WHERE o.partnership_id = p.id
      AND o.joined_on <= %(day)s AND (o.left_on IS NULL OR o.left_on >= %(day)s)
      AND j.kind NOT IN ('authority', 'training', 'research')
      AND ({other})
  )
"""
BJTJ = "{t}.region_path LIKE '110000/%%' OR {t}.region_path LIKE '120000/%%'"
HEBEI = "{t}.region_path LIKE '130000/%%'"
ACTIVE = """
SELECT COUNT(*) FROM {partnership} p
WHERE p.status IN ('active', 'ended')
  AND p.starts_on <= %(day)s AND (p.ends_on IS NULL OR p.ends_on >= %(day)s)
  AND EXISTS (SELECT 1 FROM {member} m WHERE m.partnership_id = p.id
              AND m.region_path LIKE %(area)s)
"""
ACTIVITIES = """
SELECT COUNT(*) FROM {activity} a
WHERE a.occurred_on BETWEEN %(start)s AND %(day)s
  AND EXISTS (SELECT 1 FROM {member} m WHERE m.partnership_id = a.partnership_id
              AND m.region_path LIKE %(area)s)
"""
TABLES = {
    "member": Member._meta.db_table,
    "partnership": Partnership._meta.db_table,
    "institution": Institution._meta.db_table,
    "activity": Activity._meta.db_table,
}


def sql(query: str, **params: Any) -> int:
    with connection.cursor() as cur:
        cur.execute(query.format(**TABLES, **params.pop("fmt", {})), params)
        return int(cur.fetchone()[0])


def hebei_side(area: str) -> int:
    fmt = {"side": HEBEI.format(t="i"), "other": BJTJ.format(t="j")}
    return sql(COOPERATING, fmt=fmt, day=DAY, area=area + "%")


def bjtj_side(hebei_area: str) -> int:
    """Beijing/Tianjin schools with a partner in a Hebei area (the Hebei viewer's count)."""
    other = "(" + HEBEI.format(t="j") + ") AND j.region_path LIKE '" + hebei_area + "%%'"
    fmt = {"side": BJTJ.format(t="i"), "other": other}
    return sql(COOPERATING, fmt=fmt, day=DAY, area="%")


def kpis(name: str, **q: str) -> dict[str, int]:
    c = Client()
    assert c.login(username=name, password=PASSWORD)
    r = c.get("/dashboard/", {"period": w.PERIOD, **q})
    assert r.status_code == 200
    return {n.key: int(n.value) for n in r.context["data"].kpis}


@pytest.mark.parametrize(
    ("viewer", "area"),
    [("hebei", "130000/"), ("sanhe", "130000/131000/131082/"), ("langfang", "130000/131000/")],
)
def test_it_shows_the_numbers_a_direct_sql_count_gives(db: Any, viewer: str, area: str) -> None:
    w.build(7)
    got = kpis(viewer)
    assert got["hebei"] == hebei_side(area) > 0 or viewer == "langfang"
    assert got["hebei"] == hebei_side(area)
    assert got["bjtj"] == bjtj_side(area)
    assert got["partnerships"] == sql(ACTIVE, day=DAY, area=area + "%")
    assert got["activities"] == sql(ACTIVITIES, day=DAY, start=TERM_STARTS, area=area + "%")


def test_it_counts_the_whole_as_sql_does(db: Any) -> None:
    w.build(7)
    got = kpis("hebei", scope="all")
    fmt = {"side": BJTJ.format(t="i"), "other": HEBEI.format(t="j")}
    assert got["bjtj"] == sql(COOPERATING, fmt=fmt, day=DAY, area="%") > 0
    assert got["hebei"] == hebei_side("130000/")
    assert got["partnerships"] == sql(ACTIVE, day=DAY, area="%")


@pytest.mark.parametrize("size", [3, 15])
@pytest.mark.parametrize("page", ["overview", "province", "records"])
def test_it_reads_the_pages_in_a_bounded_number_of_queries(
    db: Any, django_assert_max_num_queries: Any, size: int, page: str
) -> None:
    w.build(size)
    c = Client()
    assert c.login(username="hebei", password=PASSWORD)
    url = "/dashboard/records/" if page == "records" else "/dashboard/"
    q = {"period": w.PERIOD, "scope": "all" if page != "province" else "region:130000"}
    if page == "records":
        q["metric"] = "partnerships.active"
    # Per number and per series of a chart (test_grouped_numbers): never per record.
    with django_assert_max_num_queries(20 if page == "records" else 70):
        assert c.get(url, q).status_code == 200
