"""The press's measure, "N Beijing/Tianjin schools cooperating with M Hebei schools", read
live for any date, equals a direct SQL count on the same data (run on SQLite and on
PostgreSQL: DATABASE_URL decides), and its filters narrow it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from xietong.conftest import make_institution
from xietong.institutions.models import Institution
from xietong.partnerships.choices import MemberRole, PartnershipKind, PartnershipStatus
from xietong.partnerships.models import Member, Partnership
from xietong.partnerships.network import NetworkFilters, cooperation_counts
from xietong.partnerships.tests.conftest import make_partnership
from xietong.regions.models import Region

DATES = (dt.date(2023, 10, 8), dt.date(2024, 5, 15), dt.date(2025, 11, 30))

SQL = """
SELECT COUNT(DISTINCT m.institution_id)
FROM {member} m
JOIN {partnership} p ON p.id = m.partnership_id
JOIN {institution} i ON i.id = m.institution_id
WHERE p.status IN ('active', 'ended')
  AND p.starts_on <= %(day)s AND (p.ends_on IS NULL OR p.ends_on >= %(day)s)
  AND m.joined_on <= %(day)s AND (m.left_on IS NULL OR m.left_on >= %(day)s)
  AND i.kind NOT IN ('authority', 'training', 'research')
  AND ({side})
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


def sql_counts(day: dt.date) -> tuple[int, int]:
    tables = {
        "member": Member._meta.db_table,
        "partnership": Partnership._meta.db_table,
        "institution": Institution._meta.db_table,
    }
    out = []
    for side, other in ((BJTJ, HEBEI), (HEBEI, BJTJ)):
        query = SQL.format(**tables, side=side.format(t="i"), other=other.format(t="j"))
        with connection.cursor() as cur:
            cur.execute(query, {"day": day})
            out.append(cur.fetchone()[0])
    return out[0], out[1]


def _school(name: str, code: str, kind: str = "primary", stages: str = ",primary,") -> Institution:
    return make_institution(name, code, kind=kind, stages=stages)


def _pair(name, members, *, starts, status=PartnershipStatus.ACTIVE, ends=None, kind=None):
    p = make_partnership(
        name,
        "130000",
        [(i, MemberRole.MEMBER) for i, _j, _l in members],
        starts_on=starts,
        ends_on=ends,
        status=status,
        kind=kind or PartnershipKind.PAIRED,
    )
    for inst, joined, left in members:
        Member.objects.filter(partnership=p, institution=inst).update(
            joined_on=joined or starts, left_on=left
        )
    return p


@pytest.fixture
def network(db):
    d = dt.date
    bj = [_school(f"北京小学{i}", "110112") for i in range(4)]
    tj = [_school(f"天津中学{i}", "120116", "junior", ",junior,") for i in range(2)]
    hb = [_school(f"三河小学{i}", "131082") for i in range(5)]
    xa = _school("雄县高中", "130638", "senior", ",senior,")
    bureau = make_institution("北京某区教委", "110112", kind="authority")
    hb_bureau = make_institution("三河某教育局", "131082", kind="authority")
    # Counted from 2023-09: one Beijing school with two Hebei schools.
    _pair(
        "结对一",
        [(bj[0], None, None), (hb[0], None, None), (hb[1], None, None)],
        starts=d(2023, 9, 1),
    )
    # Ended 2024-12-31: counts in 2023 and 2024, not in 2025.
    _pair(
        "结对二",
        [(bj[1], None, None), (hb[2], None, None)],
        starts=d(2023, 3, 1),
        ends=d(2024, 12, 31),
        status=PartnershipStatus.ENDED,
    )
    # A draft never counts.
    _pair(
        "草案",
        [(bj[2], None, None), (hb[3], None, None)],
        starts=d(2023, 1, 1),
        status=PartnershipStatus.DRAFT,
    )
    # Tianjin with Xiong'an from 2024-03; the second Tianjin school joins 2025-01.
    _pair(
        "津雄",
        [(tj[0], None, None), (tj[1], d(2025, 1, 1), None), (xa, None, None)],
        starts=d(2024, 3, 1),
        kind=PartnershipKind.COOPERATIVE,
    )
    # Beijing–Beijing only: no Hebei school, not counted.
    _pair("京内", [(bj[2], None, None), (bj[3], None, None)], starts=d(2023, 1, 1))
    # A Hebei school that left 2024-01-31 and authorities as members: neither counts.
    _pair(
        "离开",
        [
            (bj[3], None, None),
            (hb[4], None, d(2024, 1, 31)),
            (bureau, None, None),
            (hb_bureau, None, None),
        ],
        starts=d(2023, 6, 1),
    )
    # Authorities only on the Hebei side: not a cooperation of schools.
    _pair("教委", [(bj[2], None, None), (hb_bureau, None, None)], starts=d(2023, 1, 1))
    return {"bj": bj, "tj": tj, "hb": hb, "xa": xa}


@pytest.mark.parametrize("day", DATES)
def test_the_live_count_equals_a_direct_sql_count_on_the_same_data(network, day):
    c = cooperation_counts(day)
    assert (c.bjtj, c.hebei) == sql_counts(day)


def test_the_count_follows_the_partnerships_and_members_of_each_date(network):
    counts = [cooperation_counts(day) for day in DATES]
    # 2023-10: 结对一 (1 ↔ 2), 结对二 (1 ↔ 1), 离开 (1 ↔ 1)
    # 2024-05: 结对一, 结对二, 津雄 (1 ↔ 1); the leaver is gone
    # 2025-11: 结对一, 津雄 with both Tianjin schools
    assert [(c.bjtj, c.hebei) for c in counts] == [(3, 4), (3, 4), (3, 3)]


def test_the_filters_narrow_the_count_by_kind_stage_and_region_group(network):
    day = DATES[2]
    assert cooperation_counts(day, NetworkFilters(kind=PartnershipKind.COOPERATIVE)).hebei == 1
    assert cooperation_counts(day, NetworkFilters(stage="primary")) == cooperation_counts(
        day, NetworkFilters(kind=PartnershipKind.PAIRED)
    )
    xiongan = cooperation_counts(day, NetworkFilters(group="xiongan"))
    assert (xiongan.bjtj, xiongan.hebei) == (2, 1)
    tongzhou = Region.objects.get(code="110112")
    assert cooperation_counts(day, NetworkFilters(region_id=tongzhou.pk)).bjtj == 1


def test_a_day_before_any_partnership_counts_nothing(network):
    c = cooperation_counts(dt.date(2020, 1, 1))
    assert (c.bjtj, c.hebei) == (0, 0) == sql_counts(dt.date(2020, 1, 1))
