"""The exchanges' metrics of the plan's indicators equal direct SQL counts on a small
population (SQLite and PostgreSQL: DATABASE_URL decides) and the coverage page's own
numbers; each value is the count of the records it lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from xietong.conftest import make_institution, make_staff
from xietong.exchanges import selectors
from xietong.exchanges.models import Application, Placement
from xietong.exchanges.tests.test_coverage import YEAR, _exchange
from xietong.institutions.models import Institution, Staff
from xietong.plan import metrics
from xietong.plan.metrics import WHOLE, Scope, Span
from xietong.regions.models import Region

# The 2024–2025 school year's first term is under way in 2024Q4.
Q4 = Span(dt.date(2024, 10, 1), dt.date(2024, 12, 31))
Y2025Q1 = Span(dt.date(2025, 1, 1), dt.date(2025, 3, 31))


def sql(query: str, **params: object) -> int:
    tables = {
        "app": Application._meta.db_table,
        "staff": Staff._meta.db_table,
        "inst": Institution._meta.db_table,
        "placement": Placement._meta.db_table,
    }
    with connection.cursor() as cur:
        cur.execute(query.format(**tables), params)
        return int(cur.fetchone()[0])


ELIGIBLE = """
SELECT COUNT(*) FROM {staff} s JOIN {inst} i ON i.id = s.institution_id
WHERE s.position IN ('teacher', 'principal', 'vice_principal') AND i.region_path LIKE %(path)s
"""
EXCHANGED = """
SELECT COUNT(DISTINCT a.applicant_id) FROM {app} a
JOIN {staff} s ON s.id = a.applicant_id JOIN {inst} i ON i.id = s.institution_id
WHERE a.status = 'completed' AND i.region_path LIKE %(path)s
  AND s.position IN ('teacher', 'principal', 'vice_principal')
"""
PLACEMENTS = """
SELECT COUNT(*) FROM {placement} p
JOIN {inst} h ON h.id = p.home_id JOIN {inst} o ON o.id = p.host_id
WHERE p.status = 'completed' AND p.ends_on BETWEEN %(a)s AND %(b)s
  AND (h.region_path LIKE %(path)s OR o.region_path LIKE %(path)s)
"""


@pytest.fixture
def population(ex):
    """As the coverage tests' population: Sanhe Experimental has 10 eligible teachers, two
    completed in 2024–2025 (one a backbone teacher) and one is in progress; Sanhe No. 2's
    lone teacher completed; 王北京 of Tongzhou completed in Sanhe."""
    c = ex.cast
    others = [make_staff(f"三河{i}", c.sanhe_school, 60 + i) for i in range(9)]
    others[0].honours = ",backbone,"
    others[0].save()
    make_staff("干部", c.sanhe_school, 80, position="cadre")
    small = make_institution("Sanhe No. 2", "131082")
    lone = make_staff("独苗", small, 81)
    apps = [
        _exchange(ex, c.sanhe_teacher, "completed", c.tongzhou_school),
        _exchange(ex, others[0], "completed", c.tongzhou_school),
        _exchange(ex, others[1], "in_progress", c.tongzhou_school),
        _exchange(ex, others[2], "completed", c.tongzhou_school, school_year="2023-2024"),
        _exchange(ex, lone, "completed", c.tongzhou_school),
        _exchange(ex, c.beijing_teacher, "completed", c.sanhe_school),
    ]
    done = [a for a in apps if a.status == "completed"]
    Placement.objects.filter(application__in=done).update(status="completed")
    return {"small": small, "apps": apps}


def _path(code: str) -> str:
    return Region.objects.get(code=code).path


def test_eligible_teachers_equal_the_staff_in_sql_and_the_coverage_total(ex, population):
    metric = metrics.get("exchanges.eligible_teachers")
    assert metric
    sanhe = _path("131082")
    for path in (sanhe, _path("130000"), _path("110000")):
        scope = Scope(region_path=path)
        expected = sql(ELIGIBLE, path=path + "%")
        assert metric.compute(scope, Q4) == expected
        assert metric.records(scope, Q4, {}).count() == expected
    assert metric.compute(WHOLE, Q4) == sql(ELIGIBLE, path="%")
    f = selectors.CoverageFilters(terms=YEAR, area="131082")
    assert (
        metric.compute(Scope(region_path=sanhe), Q4)
        == selectors.coverage_total(ex.actor("sanhe"), f)["eligible"]
    )


def test_teachers_exchanged_count_those_who_completed_in_the_terms_of_the_span(ex, population):
    metric = metrics.get("exchanges.teachers_exchanged")
    assert metric
    sanhe = Scope(region_path=_path("131082"))
    # The program is of 2024–2025 term 1: under way in 2024Q4 and (holidays) in 2025Q1 too.
    assert metric.compute(sanhe, Q4) == 3
    assert metric.records(sanhe, Q4, {}).count() == 3
    f = selectors.CoverageFilters(terms=YEAR, area="131082")
    assert metric.compute(sanhe, Q4) == selectors.coverage_total(ex.actor("sanhe"), f)["completed"]
    # The 2023–2024 completion is the only one in that year's terms.
    assert metric.compute(sanhe, Span(dt.date(2024, 1, 1), dt.date(2024, 3, 31))) == 1
    # Everything, all time: the direct count.
    assert metric.compute(WHOLE, Span(dt.date(2023, 9, 1), dt.date(2025, 8, 31))) == sql(
        EXCHANGED, path="%"
    )


def test_placements_completed_count_either_side_in_the_scope(ex, population):
    metric = metrics.get("exchanges.placements_completed")
    assert metric
    span = Span(dt.date(2025, 1, 1), dt.date(2025, 3, 31))  # the program ends 2025-01-17
    for code in ("131082", "110112", "130000"):
        path = _path(code)
        expected = sql(PLACEMENTS, a=span.starts_on, b=span.ends_on, path=path + "%")
        assert metric.compute(Scope(region_path=path), span) == expected
        assert metric.records(Scope(region_path=path), span, {}).count() == expected
    # Four sent from Sanhe (the 2023–2024 copy keeps the dates), one hosted there.
    assert metric.compute(Scope(region_path=_path("131082")), span) == 5
    assert metric.compute(WHOLE, Q4) == 0


def test_the_rotation_rule_counts_schools_meeting_it(ex, population):
    meeting = metrics.get("exchanges.rotation_schools_meeting")
    schools = metrics.get("exchanges.rotation_schools")
    assert meeting and schools
    sanhe = Scope(region_path=_path("131082"))
    # Sanhe Experimental: 3 of 10 rotated, 1 backbone (1 × 5 ≥ 3): met. Sanhe No. 2: 1 of 1,
    # not backbone: not met. The Dachang campus lies in another county.
    c = ex.cast
    assert set(meeting.records(sanhe, Q4, {})) == {c.sanhe_school}
    assert meeting.compute(sanhe, Q4) == 1
    assert schools.compute(sanhe, Q4) == sql(
        "SELECT COUNT(*) FROM {inst} i WHERE i.teaching_staff > 0 AND i.region_path LIKE %(p)s",
        p=_path("131082") + "%",
    )
    rows = selectors.national_rule(
        ex.actor("sanhe"), selectors.CoverageFilters(terms=YEAR, area="131082")
    )
    ok = {r["institution_id"] for r in rows if r["rotation_ok"] and r["backbone_ok"]}
    assert ok == {i.pk for i in meeting.records(sanhe, Q4, {})}
    # Beijing: 王北京 alone rotated, a backbone teacher: Tongzhou No. 1 meets the rule.
    assert set(meeting.records(Scope(region_path=_path("110000")), Y2025Q1, {})) == {
        c.tongzhou_school
    }
