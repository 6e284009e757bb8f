"""Teacher training's plan metrics equal hand-written SQL on the same enrollments (SQLite
and PostgreSQL: DATABASE_URL decides), per scope, stage, provider and period; and the
areas of a chart read together equal each read alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from xietong.conftest import Cast
from xietong.institutions.models import Institution
from xietong.plan import metrics
from xietong.plan.metrics import Scope, Span
from xietong.regions.models import Region, RegionGroup
from xietong.training.metrics import bounds
from xietong.training.models import Enrollment, Program
from xietong.training.tests import reach_world
from xietong.training.tests.reach_world import T2024_2, T2025_1, T2025_2, ReachWorld

pytestmark = pytest.mark.django_db

TERMS = {
    "2024-2": Span(T2024_2.starts_on, T2024_2.ends_on),
    "2025-1": Span(T2025_1.starts_on, T2025_1.ends_on),
    # The term with its holiday: up to the day before the next term.
    "2025-1+": Span(T2025_1.starts_on, T2025_2.starts_on - dt.timedelta(days=1)),
    "2025-2": Span(T2025_2.starts_on, T2025_2.ends_on),
    "year": Span(T2025_1.starts_on, T2025_2.ends_on),
    "all": Span(T2024_2.starts_on, T2025_2.ends_on),
}

COMPLETED = """FROM {enrollment} e
JOIN {institution} i ON i.id = e.institution_id
JOIN {program} p ON p.id = e.program_id
WHERE e.status = 'completed' AND e.completed_at >= %(start)s AND e.completed_at < %(end)s
  AND ({area})"""
TEACHERS = "SELECT COUNT(DISTINCT e.staff_id) " + COMPLETED
HOURS = "SELECT COALESCE(SUM(e.hours_credited), 0) " + COMPLETED


def sql(template: str, span: Span, area: str) -> Any:
    tables = {
        "enrollment": Enrollment._meta.db_table,
        "institution": Institution._meta.db_table,
        "program": Program._meta.db_table,
    }
    # The bounds as the backend stores a datetime (SQLite: UTC text; PostgreSQL: as is).
    start, end = (connection.ops.adapt_datetimefield_value(x) for x in bounds(span))
    text = template.replace("{area}", area).format(**tables)
    with connection.cursor() as cursor:
        cursor.execute(text, {"start": start, "end": end})
        return cursor.fetchone()[0]


def _path(code: str) -> str:
    return Region.objects.get(code=code).path


@pytest.fixture
def rw(world: Cast) -> ReachWorld:
    return reach_world.build(world)


def _cases(rw: ReachWorld) -> list[tuple[Scope, dict[str, str], str]]:
    """Scopes with parameters, and the SQL condition each means."""
    sanhe = _path("131082")
    xiongan = [m.path for m in RegionGroup.objects.get(key="xiongan").members.all()]
    in_xiongan = " OR ".join(f"e.region_path LIKE '{p}%%'" for p in xiongan)
    return [
        (metrics.WHOLE, {}, "1 = 1"),
        (Scope(region_path="130000/"), {}, "e.region_path LIKE '130000/%%'"),
        (Scope(region_path="110000/"), {}, "e.region_path LIKE '110000/%%'"),
        (Scope(region_path=sanhe), {}, f"e.region_path LIKE '{sanhe}%%'"),
        (Scope(group="xiongan"), {}, in_xiongan),
        (Scope(group="beisanxian"), {}, "e.region_path LIKE '130000/131000/%%'"),
        (Scope(stage="senior"), {}, "i.stages LIKE '%%,senior,%%'"),
        (
            Scope(region_path="130000/", stage="primary"),
            {},
            "e.region_path LIKE '130000/%%' AND i.stages LIKE '%%,primary,%%'",
        ),
        (metrics.WHOLE, {"provider": str(rw.tjnu.pk)}, f"p.provider_id = {rw.tjnu.pk}"),
        (
            Scope(region_path="130000/"),
            {"provider": str(rw.bie.pk)},
            f"e.region_path LIKE '130000/%%' AND p.provider_id = {rw.bie.pk}",
        ),
        (metrics.WHOLE, {"provider": "not-a-number"}, "1 = 0"),
    ]


def test_teachers_trained_and_hours_equal_sql(rw: ReachWorld) -> None:
    teachers = metrics.get("training.teachers_trained")
    hours = metrics.get("training.credited_hours")
    assert teachers and hours
    seen = set()
    for name, span in TERMS.items():
        for scope, params, area in _cases(rw):
            expected = sql(TEACHERS, span, area)
            assert teachers.compute(scope, span, params) == expected, (name, scope, params)
            assert teachers.records(scope, span, params).count() == expected
            total = Decimal(str(sql(HOURS, span, area))).quantize(Decimal("0.1"))
            assert hours.compute(scope, span, params) == total, (name, scope, params)
            seen.add((name, scope, str(params), int(expected), total))
    whole = {(n, t, h) for n, s, p, t, h in seen if s == metrics.WHOLE and p == "{}"}
    # The autumn term with its holiday: 李三河, 赵雄安, 刘大厂 (a minute before midnight),
    # 王北京 — 24 + 8 + 24 + 8 + 24 hours; 赵雄安's midnight completion is the spring's.
    assert ("2025-1+", 4, Decimal("88.0")) in whole
    assert ("2025-2", 2, Decimal("18.5")) in whole
    assert ("all", 4, Decimal("118.5")) in whole
    assert teachers.compute(Scope(region_path="130000/"), TERMS["all"]) == 3


def test_the_areas_read_together_equal_each_read_alone(rw: ReachWorld) -> None:
    counties = list(Region.objects.filter(level=Region.Level.COUNTY).values_list("path", flat=True))
    cities = list(Region.objects.filter(level=Region.Level.CITY).values_list("path", flat=True))
    provinces = list(
        Region.objects.filter(level=Region.Level.PROVINCE).values_list("path", flat=True)
    )
    groups = list(RegionGroup.objects.values_list("key", flat=True))
    keys = [m.key for m in metrics.registered() if m.key.startswith("training.")]
    assert keys == ["training.credited_hours", "training.teachers_trained"]
    seen = 0
    for key in keys:
        metric = metrics.get(key)
        assert metric is not None
        for params in ({}, {"provider": str(rw.bie.pk)}):
            for stage in ("", "primary"):
                sets = [
                    [Scope(region_path=p, stage=stage) for p in paths]
                    for paths in (counties, cities, provinces)
                ] + [[Scope(group=g, stage=stage) for g in groups]]
                for scopes in sets:
                    together = metric.compute_scopes(scopes, TERMS["all"], params)
                    for scope, value in zip(scopes, together, strict=True):
                        alone = metric.compute(scope, TERMS["all"], params)
                        assert value == alone, (key, scope, params)
                        seen += bool(alone)
    assert seen > 10
