"""Staff tallies: kept by the services, equal to direct counts, rebuilt and checked by hand."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from xietong.conftest import make_id_number, region
from xietong.core.delimited import pack
from xietong.institutions import selectors, services, tallies
from xietong.institutions.choices import TEACHING_POSITIONS
from xietong.institutions.models import Institution, RegionMix, RegionTally, Staff, StaffTally

ACTORS = ["beijing", "tongzhou", "sanhe", "hebei_viewer", "school_admin", "teacher", "sysadmin"]


def _direct() -> tuple[Counter, Counter, Counter]:
    """Per (institution, position), per (region, position) and per (region, position set)."""
    per_inst = Counter(
        {
            (i, p): n
            for i, p, n in Staff.objects.order_by()
            .values_list("institution_id", "position")
            .annotate(n=Count("pk"))
        }
    )
    region_of = dict(Institution.objects.values_list("pk", "region_id"))
    per_region: Counter = Counter()
    held: dict[int, set[str]] = defaultdict(set)
    for (i, p), n in per_inst.items():
        per_region[(region_of[i], p)] += n
        held[i].add(p)
    mixes = Counter((region_of[i], pack(sorted(ps))) for i, ps in held.items())
    return per_inst, per_region, mixes


def assert_tallies_are_direct_counts() -> None:
    per_inst, per_region, mixes = _direct()
    tallied = Counter(
        {
            (i, p): n
            for i, p, n in StaffTally.objects.values_list("institution_id", "position", "staff")
        }
    )
    regional = Counter(
        {(r, p): n for r, p, n in RegionTally.objects.values_list("region_id", "position", "staff")}
    )
    mixed = Counter(
        {
            (r, k): n
            for r, k, n in RegionMix.objects.values_list("region_id", "positions", "institutions")
        }
    )
    assert (tallied, regional, mixed) == (per_inst, per_region, mixes)
    paths = dict(Institution.objects.values_list("pk", "region_path"))
    assert all(paths[t.institution_id] == t.region_path for t in StaffTally.objects.all())
    teaching: Counter = Counter()
    for (i, p), n in per_inst.items():
        if p in TEACHING_POSITIONS:
            teaching[i] += n
    kept = Counter(dict(Institution.objects.values_list("pk", "teaching_staff")))
    assert +kept == teaching
    assert tallies.drift() == []


def _new_staff(cast, serial: int, as_: str = "school_admin", **extra):
    data = {
        "name": f"新教师{serial}",
        "id_number": make_id_number("131082", dt.date(1988, 5, 1), serial),
        "institution": cast.sanhe_school.pk,
        "joined_on": dt.date(2015, 9, 1),
        "stages": ["primary"],
        "subjects": "数学",
    }
    data.update(extra)
    return services.create_staff(cast.actor(as_), data)


def test_it_starts_from_the_cast_with_tallies_equal_to_direct_counts(cast):
    assert StaffTally.objects.count() == 4
    assert_tallies_are_direct_counts()


def test_it_keeps_the_tallies_through_creates_updates_moves_and_deletes(cast):
    sanhe = cast.actor("sanhe")
    first = _new_staff(cast, 200)
    principal = _new_staff(cast, 201, position="principal")
    assert StaffTally.objects.get(institution=cast.sanhe_school, position="teacher").staff == 2
    assert_tallies_are_direct_counts()

    services.update_staff(sanhe, first.pk, {"position": "cadre"})
    assert_tallies_are_direct_counts()
    # Into the branch campus in 大厂: another institution and another region.
    school = cast.actor("school_admin")
    services.update_staff(school, principal.pk, {"institution": cast.sanhe_branch.pk})
    assert (
        StaffTally.objects.filter(institution=cast.sanhe_school, position="principal").count() == 0
    )
    assert_tallies_are_direct_counts()
    services.update_staff(sanhe, first.pk, {"name": "改名"})  # neither institution nor position
    assert_tallies_are_direct_counts()

    services.delete_staff(sanhe, first.pk)
    services.delete_staff(school, principal.pk)
    assert_tallies_are_direct_counts()


def test_it_finds_a_school_whose_teaching_staff_disagrees_with_its_tallies(cast):
    Institution.objects.filter(pk=cast.sanhe_school.pk).update(teaching_staff=99)
    assert (cast.sanhe_school.pk, "teaching_staff", 99, 1) in tallies.drift()
    call_command("refresh_counts", stdout=StringIO())
    assert Institution.objects.get(pk=cast.sanhe_school.pk).teaching_staff == 1
    assert_tallies_are_direct_counts()


def test_it_moves_the_tallies_with_an_institution_that_changes_region(cast):
    services.update_institution(cast.actor("sysadmin"), cast.sanhe_branch.pk, {"region": "131024"})
    tally = StaffTally.objects.get(institution=cast.sanhe_branch)
    assert (tally.region_id, tally.region_path) == (region("131024").pk, region("131024").path)
    assert not RegionTally.objects.filter(region=region("131028")).exists()
    assert_tallies_are_direct_counts()


def test_it_keeps_no_tallies_for_an_institution_without_staff(cast):
    inst = services.create_institution(
        cast.actor("sanhe"), {"name": "三河市新学校", "kind": "primary", "region": "131082"}
    )
    assert not StaffTally.objects.filter(institution=inst).exists()
    services.delete_institution(cast.actor("sanhe"), inst.pk)
    assert_tallies_are_direct_counts()


def test_it_finds_drift_after_a_bulk_write_and_rebuilds_it_away(cast):
    Staff.objects.filter(pk=cast.sanhe_teacher.pk).update(position="cadre")
    assert tallies.drift()
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("refresh_counts", "--check", stderr=out)
    assert refused.value.returncode == 1
    assert "tallied 1, counted 0" in out.getvalue()
    call_command("refresh_counts", stdout=StringIO())
    assert_tallies_are_direct_counts()
    done = StringIO()
    call_command("refresh_counts", "--check", stdout=done)
    assert "OK: the tallies agree with the staff (4 staff)" in done.getvalue()


def _old_counts(actor) -> dict[str, int]:
    """The home page's numbers as they were computed before the tallies: direct counts."""
    inst = selectors.institutions_for(actor)
    staff = selectors.staff_for(actor)
    return {
        "institutions": inst.count(),
        "my_institutions": inst.filter(selectors.institution_write_q(actor)).count(),
        "staff": staff.count(),
        "my_staff": staff.filter(selectors.staff_owning_q(actor)).count(),
    }


def _old_by_region(actor) -> dict[int, dict[str, int]]:
    from xietong.regions.models import Region

    out = {}
    for r in Region.objects.all():
        out[r.id] = {
            "institutions": selectors.institutions_for(actor)
            .filter(region_path__startswith=r.path)
            .count(),
            "staff": selectors.staff_for(actor)
            .filter(institution__region_path__startswith=r.path)
            .count(),
        }
    return out


@pytest.mark.parametrize("username", ACTORS)
def test_it_answers_the_home_page_and_region_counts_as_direct_counts_would(cast, username):
    _new_staff(cast, 210)
    _new_staff(cast, 211, position="vice_principal", institution=cast.sanhe_branch.pk)
    actor = cast.actor(username)
    assert selectors.institution_counts(actor) == _old_counts(actor)
    assert selectors.counts_by_region(actor) == _old_by_region(actor)


@pytest.mark.parametrize("username", ACTORS)
@pytest.mark.parametrize(
    "filters",
    [
        selectors.StaffFilters(),
        selectors.StaffFilters(area="131082"),
        selectors.StaffFilters(area="beisanxian", position="teacher"),
        selectors.StaffFilters(mine=True),
        selectors.StaffFilters(institution_id=-1),
        selectors.StaffFilters(title="first"),
        selectors.StaffFilters(q="李"),
    ],
    ids=["all", "area", "group-position", "mine", "institution", "title", "search"],
)
def test_it_totals_the_staff_list_as_a_count_would(cast, username, filters):
    actor = cast.actor(username)
    if filters.institution_id == -1:
        filters = selectors.StaffFilters(institution_id=cast.sanhe_school.pk)
    total = selectors.staff_total(actor, filters)
    person_level = bool(filters.title or filters.q)
    if connection.vendor == "postgresql" and person_level:
        assert not total.exact  # the planner's estimate, shown as "about"
    else:
        assert total.exact  # SQLite, or a filter the tallies answer
        assert total.n == selectors.staff_for(actor, filters).count()


def test_it_counts_the_home_page_in_a_bounded_number_of_queries(
    cast, django_assert_max_num_queries
):
    for serial in range(220, 230):
        _new_staff(cast, serial)
    sanhe, viewer = cast.actor("sanhe"), cast.actor("hebei_viewer")
    # institutions; staff read and owned: the tallies, and the few people beyond them
    with django_assert_max_num_queries(5):
        selectors.institution_counts(sanhe)
    with django_assert_max_num_queries(4):  # institutions, staff by region (two), regions
        selectors.counts_by_region(viewer)
