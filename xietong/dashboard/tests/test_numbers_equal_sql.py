"""The dashboard's numbers equal direct SQL counts on the same data (SQLite and PostgreSQL:
DATABASE_URL decides), and the overview's query count does not grow with the data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from xietong.conftest import PASSWORD, make_staff
from xietong.dashboard.tests import world as w
from xietong.exchanges.choices import PlacementStatus
from xietong.exchanges.models import Application, HostOffer, OfferSlot, Placement, Program
from xietong.institutions.models import Institution
from xietong.partnerships.choices import PartnershipKind
from xietong.partnerships.models import Activity, Member, Partnership
from xietong.plan.models import Section, Task
from xietong.regions.models import RegionGroup

DAY = w.TODAY
TERM_STARTS = dt.date(2025, 9, 1)
QUARTER_STARTS = dt.date(2025, 10, 1)

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
ACTIVE_OF_KIND = ACTIVE + "  AND p.kind = %(kind)s\n"
PLACEMENTS = """
SELECT COUNT(*) FROM {placement} pl
JOIN {institution} h ON h.id = pl.home_id
JOIN {institution} t ON t.id = pl.host_id
WHERE pl.status = 'completed' AND pl.ends_on BETWEEN %(start)s AND %(day)s
  AND (h.region_path LIKE %(area)s OR t.region_path LIKE %(area)s)
"""
# The basic stages taught by a Xiong'an school (a region of the group ``xiongan``, or
# beneath one) that is, on the day, in a partnership with a Beijing or Tianjin school.
XIONGAN_STAGES = """
SELECT COUNT(*) FROM (
  SELECT 'preschool' AS stage UNION ALL SELECT 'primary'
  UNION ALL SELECT 'junior' UNION ALL SELECT 'senior'
) s
WHERE EXISTS (
  SELECT 1 FROM {member} m
  JOIN {partnership} p ON p.id = m.partnership_id
  JOIN {institution} i ON i.id = m.institution_id
  WHERE p.status IN ('active', 'ended')
    AND p.starts_on <= %(day)s AND (p.ends_on IS NULL OR p.ends_on >= %(day)s)
    AND m.joined_on <= %(day)s AND (m.left_on IS NULL OR m.left_on >= %(day)s)
    AND i.kind NOT IN ('authority', 'training', 'research')
    AND i.stages LIKE '%%,' || s.stage || ',%%'
    AND EXISTS (
      SELECT 1 FROM {group_members} gm
      JOIN {group} g ON g.id = gm.{group_fk}
      JOIN {region} r ON r.id = gm.{region_fk}
      WHERE g.key = 'xiongan' AND i.region_path LIKE r.path || '%%'
    )
    AND EXISTS (
      SELECT 1 FROM {member} o JOIN {institution} j ON j.id = o.institution_id
      WHERE o.partnership_id = p.id
        AND o.joined_on <= %(day)s AND (o.left_on IS NULL OR o.left_on >= %(day)s)
        AND j.kind NOT IN ('authority', 'training', 'research')
        AND (j.region_path LIKE '110000/%%' OR j.region_path LIKE '120000/%%')
    )
)
"""
# Tasks per status under each top section (the world nests sections one level deep).
TASKS = """
SELECT top.number, t.status, COUNT(*) FROM {task} t
JOIN {section} s ON s.id = t.section_id
JOIN {section} top ON top.id = COALESCE(s.parent_id, s.id)
WHERE t.plan_id = %(plan)s
GROUP BY top.number, t.status
"""
_GROUP_MEMBERS = RegionGroup.members.through
TABLES = {
    "member": Member._meta.db_table,
    "partnership": Partnership._meta.db_table,
    "institution": Institution._meta.db_table,
    "activity": Activity._meta.db_table,
    "placement": Placement._meta.db_table,
    "task": Task._meta.db_table,
    "section": Section._meta.db_table,
    "group": RegionGroup._meta.db_table,
    "region": RegionGroup._meta.get_field("members").related_model._meta.db_table,
    "group_members": _GROUP_MEMBERS._meta.db_table,
    "group_fk": _GROUP_MEMBERS._meta.get_field("regiongroup").column,
    "region_fk": _GROUP_MEMBERS._meta.get_field("region").column,
}


def sql(query: str, **params: Any) -> int:
    with connection.cursor() as cur:
        cur.execute(query.format(**TABLES, **params.pop("fmt", {})), params)
        return int(cur.fetchone()[0])


def rows(query: str, **params: Any) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(query.format(**TABLES), params)
        return [tuple(r) for r in cur.fetchall()]


def hebei_side(area: str) -> int:
    fmt = {"side": HEBEI.format(t="i"), "other": BJTJ.format(t="j")}
    return sql(COOPERATING, fmt=fmt, day=DAY, area=area + "%")


def bjtj_side(hebei_area: str) -> int:
    """Beijing/Tianjin schools with a partner in a Hebei area (the Hebei viewer's count)."""
    other = "(" + HEBEI.format(t="j") + ") AND j.region_path LIKE '" + hebei_area + "%%'"
    fmt = {"side": BJTJ.format(t="i"), "other": other}
    return sql(COOPERATING, fmt=fmt, day=DAY, area="%")


def overview(name: str, **q: str) -> Any:
    c = Client()
    assert c.login(username=name, password=PASSWORD)
    r = c.get("/dashboard/", {"period": w.PERIOD, **q})
    assert r.status_code == 200
    return r.context["data"]


def kpis(name: str, **q: str) -> dict[str, int]:
    return {n.key: int(n.value) for n in overview(name, **q).kpis}


def placements(world: w.World) -> None:
    """Placements between the world's schools: completed this quarter (from 三河市, 雄县,
    a Baoding county; hosted in Beijing), completed last quarter, completed after "today",
    and one this quarter whose reports are still due (not completed)."""
    hebei = list(Institution.objects.filter(name__startswith="河北学校").order_by("name"))
    bjtj = list(Institution.objects.filter(name__startswith="京津学校").order_by("name"))
    bureau = Institution.objects.get(name="三河市教体局")
    program = Program.objects.create(
        kind="shadowing",
        organiser=bureau,
        region=bureau.region,
        title="跟岗研修",
        school_year="2025-2026",
        term=1,
        starts_on=dt.date(2025, 9, 1),
        ends_on=dt.date(2026, 1, 16),
        opens_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
        closes_at=dt.datetime(2025, 7, 1, tzinfo=dt.UTC),
    )
    cases = [
        (hebei[0], bjtj[0], dt.date(2025, 10, 31), PlacementStatus.COMPLETED),
        (hebei[2], bjtj[1], dt.date(2025, 11, 14), PlacementStatus.COMPLETED),
        (hebei[3], bjtj[2], dt.date(2025, 11, 20), PlacementStatus.COMPLETED),
        (hebei[1], bjtj[0], dt.date(2025, 9, 26), PlacementStatus.COMPLETED),
        (hebei[5], bjtj[1], dt.date(2025, 12, 19), PlacementStatus.COMPLETED),
        (hebei[0], bjtj[2], dt.date(2025, 11, 7), PlacementStatus.ENDED),
    ]
    for n, (home, host, ends_on, status) in enumerate(cases):
        offer = HostOffer.objects.create(program=program, host=host, requirements="")
        slot = OfferSlot.objects.create(offer=offer, stage="primary", subject="数学", capacity=1)
        teacher = make_staff(f"交流教师{n}", home, 200 + n)
        app = Application.objects.create(
            program=program, applicant=teacher, home=home, statement="", matched_slot=slot
        )
        Placement.objects.create(
            application=app,
            slot=slot,
            host=host,
            home=home,
            starts_on=dt.date(2025, 9, 1),
            ends_on=ends_on,
            status=status,
        )


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


@pytest.mark.parametrize(
    ("viewer", "area"),
    [("hebei", "130000/"), ("sanhe", "130000/131000/131082/"), ("beijing", "110000/")],
)
def test_the_other_cards_show_what_direct_sql_counts_give(db: Any, viewer: str, area: str) -> None:
    """Exchanges completed in the quarter, Xiong'an stages covered, partnerships by kind
    and the task board: each against its own SQL, never the metric's queryset."""
    world = w.build(7)
    placements(world)
    data = overview(viewer)
    got = {n.key: int(n.value) for n in data.kpis}
    completed = sql(PLACEMENTS, start=QUARTER_STARTS, day=DAY, area=area + "%")
    assert got["placements"] == completed
    assert completed > 0 or viewer == "beijing"
    stages = sql(XIONGAN_STAGES, day=DAY)
    assert got["xiongan"] == stages > 0
    by_kind = {n.key: int(n.value) for n in data.partnerships_by_kind}
    assert set(by_kind) == set(PartnershipKind.values)
    for kind, shown in by_kind.items():
        assert shown == sql(ACTIVE_OF_KIND, day=DAY, area=area + "%", kind=kind), kind
    assert sum(by_kind.values()) == got["partnerships"]
    board = {r.section.number: {n.key: int(n.value) for n in r.counts} for r in data.board}
    counted: dict[str, dict[str, int]] = {}
    for number, status, n in rows(TASKS, plan=world.plan.pk):
        counted.setdefault(number, {})[status] = int(n)
    assert board == {
        number: {status: counted.get(number, {}).get(status, 0) for status in statuses}
        for number, statuses in board.items()
    }
    assert set(board) == set(counted) and sum(map(sum, map(dict.values, board.values()))) == 6


def test_the_placements_card_counts_the_quarter_up_to_today(db: Any) -> None:
    """2025-11-20: of the six placements, those completed from 1 October to today."""
    world = w.build(7)
    placements(world)
    assert (
        kpis("hebei")["placements"]
        == 3
        == sql(PLACEMENTS, start=QUARTER_STARTS, day=DAY, area="130000/%")
    )


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
