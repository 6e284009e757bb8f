"""Coverage numbers on a small hand-made population, computed in SQL."""

from __future__ import annotations

import pytest

from xietong.conftest import make_institution, make_staff
from xietong.core.errors import PermissionDenied
from xietong.core.terms import TermSpan
from xietong.exchanges import selectors
from xietong.exchanges.models import Application, HostOffer, OfferSlot, Placement

YEAR = TermSpan.school_year(2024)


def _exchange(ex, staff, status, host, school_year="2024-2025"):
    program = ex.program
    if school_year != program.school_year:
        program = type(program).objects.get(pk=program.pk)
        program.pk = None
        program.school_year = school_year
        program.save()
    offer = HostOffer.objects.create(program=program, host=host)
    slot = OfferSlot.objects.create(offer=offer, stage="primary", subject="数学", capacity=1)
    app = Application.objects.create(
        program=program, applicant=staff, home=staff.institution, status=status, matched_slot=slot
    )
    Placement.objects.create(
        application=app,
        slot=slot,
        host=host,
        home=staff.institution,
        starts_on=program.starts_on,
        ends_on=program.ends_on,
    )
    return app


@pytest.fixture
def population(ex):
    """Sanhe Experimental: Tina + 9 teachers (one backbone) + a cadre (not eligible).

    Completed in 2024-2025: Tina and the backbone teacher; one more in progress; one
    completed only in 2023-2024. A second Sanhe school with one teacher who completed.
    """
    c = ex.cast
    others = [make_staff(f"三河{i}", c.sanhe_school, 60 + i) for i in range(9)]
    others[0].honours = ",backbone,"
    others[0].save()
    make_staff("干部", c.sanhe_school, 80, position="cadre")
    small = make_institution("Sanhe No. 2", "131082")
    lone = make_staff("独苗", small, 81)
    _exchange(ex, c.sanhe_teacher, "completed", c.tongzhou_school)
    _exchange(ex, others[0], "completed", c.tongzhou_school)
    _exchange(ex, others[1], "in_progress", c.tongzhou_school)
    _exchange(ex, others[2], "completed", c.tongzhou_school, school_year="2023-2024")
    _exchange(ex, lone, "completed", c.tongzhou_school)
    _exchange(ex, c.beijing_teacher, "completed", c.sanhe_school)
    return small


def test_it_counts_coverage_per_school_and_flags_full_coverage(
    ex, population, django_assert_max_num_queries
):
    f = selectors.CoverageFilters(terms=YEAR, area="131082")
    sanhe = ex.actor("sanhe")
    # The area's path, the tallies by institution, the year's applications by institution.
    with django_assert_max_num_queries(3):
        rows = {r["institution"]: r for r in selectors.coverage_by_institution(sanhe, f)}
    assert (rows["Sanhe Experimental"]["eligible"], rows["Sanhe Experimental"]["completed"]) == (
        10,
        2,
    )
    assert rows["Sanhe Experimental"]["share"] == 0.2
    assert rows["Sanhe Experimental"]["full_coverage"] is False
    assert rows["Sanhe No. 2"]["full_coverage"] is True
    total = selectors.coverage_total(ex.actor("sanhe"), f)
    assert (total["eligible"], total["completed"]) == (11, 3)


def test_it_checks_the_national_rotation_rule(ex, population):
    f = selectors.CoverageFilters(terms=YEAR, institution_id=ex.cast.sanhe_school.pk)
    (row,) = selectors.national_rule(ex.actor("sanhe"), f)
    # 3 of 10 rotated (2 completed + 1 in progress); 1 of those 3 is a backbone teacher.
    assert (row["rotated"], row["backbone_rotated"]) == (3, 1)
    assert row["rotation_ok"] and row["backbone_ok"]


def test_it_measures_reciprocity_between_two_schools(ex, population):
    c = ex.cast
    r = selectors.reciprocity(ex.actor("sanhe"), c.sanhe_school.pk, c.tongzhou_school.pk, YEAR)
    assert r == {"a_to_b": 3, "b_to_a": 1, "balance": 2}


def test_it_limits_coverage_to_the_readers_scope(ex, population):
    f = selectors.CoverageFilters(terms=YEAR)
    names = {
        r["institution"] for r in selectors.coverage_by_institution(ex.actor("school_admin"), f)
    }
    assert names == {"Sanhe Experimental", "Sanhe Experimental Dachang campus"}
    with pytest.raises(PermissionDenied):
        selectors.coverage_total(ex.actor("teacher"), f)
