"""The resources' plan metrics equal hand-written SQL on the same uses, per scope, and
their numbers read together (areas of a chart) equal each read alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from xietong.conftest import Cast
from xietong.institutions.models import Institution
from xietong.partnerships.choices import MemberRole, PartnershipStatus
from xietong.partnerships.models import Member, Partnership
from xietong.partnerships.tests.conftest import make_partnership
from xietong.plan import metrics
from xietong.plan.metrics import Scope, Span
from xietong.regions.models import Region, RegionGroup
from xietong.resources.models import Use
from xietong.resources.tests import flow_world
from xietong.resources.tests.flow_world import FlowWorld

pytestmark = pytest.mark.django_db

YEAR = Span(dt.date(2025, 9, 1), dt.date(2026, 7, 10))
AUTUMN = Span(dt.date(2025, 9, 1), dt.date(2026, 1, 31))

ALONG = """EXISTS (
  SELECT 1 FROM {member} mu JOIN {partnership} p ON p.id = mu.partnership_id
  WHERE mu.institution_id = u.institution_id AND p.status = 'active'
    AND p.starts_on <= u.used_on AND (p.ends_on IS NULL OR p.ends_on >= u.used_on)
    AND mu.joined_on <= u.used_on AND (mu.left_on IS NULL OR mu.left_on >= u.used_on)
    AND EXISTS (
      SELECT 1 FROM {member} mp WHERE mp.partnership_id = p.id
        AND mp.institution_id = u.provider_id
        AND mp.joined_on <= u.used_on AND (mp.left_on IS NULL OR mp.left_on >= u.used_on)))"""
USES = """SELECT COUNT(*) FROM {use} u JOIN {institution} i ON i.id = u.institution_id
WHERE u.used_on BETWEEN %(start)s AND %(end)s AND ({area})"""
HEBEI_SCHOOLS = """SELECT COUNT(DISTINCT u.institution_id) FROM {use} u
JOIN {institution} pr ON pr.id = u.provider_id
WHERE u.used_on BETWEEN %(start)s AND %(end)s AND u.institution_id IS NOT NULL
  AND u.region_path LIKE '130000/%%'
  AND (pr.region_path LIKE '110000/%%' OR pr.region_path LIKE '120000/%%')
  AND ({area})"""


def sql(template: str, **params: Any) -> int:
    tables = {
        "use": Use._meta.db_table,
        "institution": Institution._meta.db_table,
        "member": Member._meta.db_table,
        "partnership": Partnership._meta.db_table,
    }
    area = params.pop("area", "1 = 1")
    text = template.replace("{area}", area).format(**tables)
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        return int(cursor.fetchone()[0])


@pytest.fixture
def fw(world: Cast, monkeypatch: pytest.MonkeyPatch) -> FlowWorld:
    fw = flow_world.build(world, monkeypatch)
    make_partnership(
        "通州一中—三河实验结对帮扶",
        "131082",
        [(world.tongzhou_school, MemberRole.LEAD), (world.sanhe_school, MemberRole.SUPPORTED)],
    )
    make_partnership(
        "和平实验—雄县一中（已结束）",
        "130638",
        [(fw.tianjin, MemberRole.LEAD), (world.xiongxian_school, MemberRole.SUPPORTED)],
        status=PartnershipStatus.ENDED,
        ends_on=dt.date(2026, 6, 30),
    )
    return fw


def _path(code: str) -> str:
    return Region.objects.get(code=code).path


def _scopes() -> list[tuple[Scope, str]]:
    """Scopes and the SQL condition on the user's region path each means."""
    hebei, sanhe = "130000/", _path("131082")
    xiongan = [m.path for m in RegionGroup.objects.get(key="xiongan").members.all()]
    return [
        (metrics.WHOLE, "1 = 1"),
        (Scope(region_path=hebei), f"u.region_path LIKE '{hebei}%%'"),
        (Scope(region_path=sanhe), f"u.region_path LIKE '{sanhe}%%'"),
        (Scope(group="xiongan"), " OR ".join(f"u.region_path LIKE '{p}%%'" for p in xiongan)),
        (Scope(stage="senior"), "i.stages LIKE '%%,senior,%%'"),
    ]


def test_the_use_counts_equal_sql(fw: FlowWorld) -> None:
    uses = metrics.get("resources.uses")
    lessons = metrics.get("resources.lesson_uses")
    along = metrics.get("resources.partnership_uses")
    assert uses and lessons and along
    seen = set()
    for span in (YEAR, AUTUMN):
        window = {"start": span.starts_on, "end": span.ends_on}
        for scope, area in _scopes():
            expected = sql(USES, area=area, **window)
            assert uses.compute(scope, span) == expected, scope
            lesson_area = f"({area}) AND u.kind = 'lesson'"
            assert lessons.compute(scope, span) == sql(USES, area=lesson_area, **window)
            assert uses.compute(scope, span, {"use_kind": "lesson"}) == lessons.compute(scope, span)
            along_area = f"({area}) AND " + ALONG
            assert along.compute(scope, span) == sql(USES, area=along_area, **window), scope
            seen.add((uses.compute(scope, span), along.compute(scope, span)))
    assert (Decimal(9), Decimal(4)) in seen  # the whole year: 9 uses, 4 of them Tina's
    kinds = ["view", "download", "lesson", "feedback"]
    split = uses.compute_split(metrics.WHOLE, YEAR, {}, "use_kind", kinds)
    assert split == {k: uses.compute(metrics.WHOLE, YEAR, {"use_kind": k}) for k in kinds}
    assert split["lesson"] == 6 and sum(split.values()) == 9


def test_the_partnership_share_is_the_two_counts_percentage(fw: FlowWorld) -> None:
    share = metrics.get("resources.partnership_share")
    assert share is not None
    for scope, area in _scopes():
        window = {"start": YEAR.starts_on, "end": YEAR.ends_on}
        total = sql(USES, area=area, **window)
        along = sql(USES, area=f"({area}) AND " + ALONG, **window)
        expected = round(Decimal(100 * along) / total, 1) if total else Decimal(0)
        assert share.compute(scope, YEAR) == expected, scope
    assert share.compute(metrics.WHOLE, YEAR) == Decimal("44.4")  # 4 of 9
    # The ended Tianjin–Xiongxian partnership does not count for Xavier's lesson.
    assert share.compute(Scope(group="xiongan"), YEAR) == Decimal(0)


def test_the_hebei_schools_using_beijing_tianjin_resources_equal_sql(fw: FlowWorld) -> None:
    metric = metrics.get("resources.hebei_schools_using_bjtj")
    assert metric is not None
    window = {"start": YEAR.starts_on, "end": YEAR.ends_on}
    tongzhou = _path("110112")
    cases = [
        (metrics.WHOLE, "1 = 1"),
        (Scope(region_path=_path("131082")), f"u.region_path LIKE '{_path('131082')}%%'"),
        (Scope(group="beisanxian"), "u.region_path LIKE '130000/131000/%%'"),
        (Scope(region_path=tongzhou), f"pr.region_path LIKE '{tongzhou}%%'"),
        (Scope(region_path="120000/"), "pr.region_path LIKE '120000/%%'"),
    ]
    for scope, area in cases:
        assert metric.compute(scope, YEAR) == sql(HEBEI_SCHOOLS, area=area, **window), scope
    assert metric.compute(metrics.WHOLE, YEAR) == 3
    assert metric.compute(Scope(region_path="120000/"), YEAR) == 2  # Sanhe and Xiongxian
    assert metric.compute(Scope(region_path=_path("130102")), YEAR) == 0


def test_the_areas_read_together_equal_each_read_alone(fw: FlowWorld) -> None:
    counties = list(Region.objects.filter(level=Region.Level.COUNTY).values_list("path", flat=True))
    cities = list(Region.objects.filter(level=Region.Level.CITY).values_list("path", flat=True))
    groups = list(RegionGroup.objects.values_list("key", flat=True))
    keys = [m.key for m in metrics.registered() if m.key.startswith("resources.")]
    assert len(keys) == 5
    seen = 0
    for key in keys:
        metric = metrics.get(key)
        assert metric is not None
        for stage in ("", "primary"):
            sets = [
                [Scope(region_path=p, stage=stage) for p in counties],
                [Scope(region_path=p, stage=stage) for p in cities],
                [Scope(group=g, stage=stage) for g in groups],
            ]
            for scopes in sets:
                together = metric.compute_scopes(scopes, YEAR)
                for scope, value in zip(scopes, together, strict=True):
                    assert value == metric.compute(scope, YEAR), (key, scope)
                    seen += bool(value)
    assert seen > 10
