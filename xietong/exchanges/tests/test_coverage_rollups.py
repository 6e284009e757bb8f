"""Coverage from the tallies and the year's applications equals the direct computation."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count, Exists, OuterRef, Q

from xietong.core.delimited import needle
from xietong.core.terms import SchoolTerm, TermSpan
from xietong.exchanges import selectors
from xietong.exchanges.choices import BACKBONE_HONOURS, ELIGIBLE_POSITIONS, ROTATED_STATES
from xietong.exchanges.models import Application
from xietong.exchanges.tests.test_coverage import _exchange, population  # noqa: F401
from xietong.institutions.models import Staff
from xietong.regions.selectors import path_prefixes_for

ACTORS = ["sanhe", "tongzhou", "beijing", "hebei_viewer", "school_admin"]


def _direct(actor: Any, f: selectors.CoverageFilters) -> list[dict[str, Any]]:
    """The computation coverage used before the tallies: staff scanned with LIKE filters."""
    # The scope written out from the grants, independently of the access mechanism.
    paths = [
        g.region_path
        for g in actor.grants
        if g.role in ("authority_admin", "authority_viewer") and g.region_path
    ]
    ids = [g.institution_id for g in actor.grants if g.role == "institution_admin"]
    scope = Q(pk__in=[])
    for path in paths:
        scope |= Q(institution__region_path__startswith=path)
    if ids:
        scope |= Q(institution_id__in=ids) | Q(institution__parent_id__in=ids)
    qs = Staff.objects.filter(scope, position__in=ELIGIBLE_POSITIONS)
    if f.area:
        paths = path_prefixes_for(f.area)
        area = Q(pk__in=[])
        for p in paths:
            area |= Q(institution__region_path__startswith=p)
        qs = qs.filter(area)
    if f.institution_id is not None:
        qs = qs.filter(institution_id=f.institution_id)
    if f.program_id is not None:
        program = selectors.program_detail(actor, f.program_id)
        for field, lookup in (("elig_stages", "stages"), ("elig_subjects", "subjects")):
            codes = program.codes(field)
            if codes:
                any_q = Q(pk__in=[])
                for c in codes:
                    any_q |= Q(**{f"{lookup}__contains": needle(c)})
                qs = qs.filter(any_q)
        if program.codes("elig_titles"):
            qs = qs.filter(title__in=program.codes("elig_titles"))
        if program.codes("elig_positions"):
            qs = qs.filter(position__in=program.codes("elig_positions"))

    def exchanged(states: Any) -> Exists:
        sub = Application.objects.filter(
            applicant=OuterRef("pk"),
            status__in=list(states),
            program__term_key__range=f.terms.keys,
        )
        return Exists(sub)

    backbone = Q(pk__in=[])
    for h in BACKBONE_HONOURS:
        backbone |= Q(honours__contains=needle(h))
    rotated = exchanged(ROTATED_STATES)
    rows = (
        qs.order_by()
        .values("institution_id", "institution__name")
        .annotate(
            eligible=Count("pk"),
            completed=Count("pk", filter=exchanged(["completed"])),
            rotated=Count("pk", filter=rotated),
            backbone_rotated=Count("pk", filter=Q(rotated) & backbone),
        )
        .order_by("institution__name", "institution_id")
    )
    return [
        {
            "institution_id": r["institution_id"],
            "eligible": r["eligible"],
            "completed": r["completed"],
            "rotated": r["rotated"],
            "backbone_rotated": r["backbone_rotated"],
        }
        for r in rows
    ]


def _shape(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = ("institution_id", "eligible", "completed", "rotated", "backbone_rotated")
    return [{k: r[k] for k in keys} for r in rows]


YEAR = TermSpan.school_year(2024)
FILTERS = [
    {"terms": YEAR},
    {"terms": TermSpan.of(SchoolTerm(2024, 1))},
    {"terms": TermSpan.school_year(2023)},
    {"terms": YEAR, "area": "131082"},
    {"terms": YEAR, "area": "beisanxian"},
    {"terms": YEAR, "area": "110000"},
]


@pytest.mark.parametrize("username", ACTORS)
@pytest.mark.parametrize(
    "params", FILTERS, ids=lambda p: "-".join(map(str, (p["terms"].keys, *list(p.values())[1:])))
)
def test_it_computes_coverage_as_the_direct_scan_did(ex, population, username, params):  # noqa: F811
    actor = ex.actor(username)
    f = selectors.CoverageFilters(**params)
    direct = _direct(actor, f)
    rows = selectors.coverage_rows(actor, f)
    assert _shape(rows) == direct
    assert [r["institution"] for r in rows] == sorted(r["institution"] for r in rows)
    total = selectors.coverage_total(actor, f)
    assert total["eligible"] == sum(r["eligible"] for r in direct)
    assert total["completed"] == sum(r["completed"] for r in direct)
    for limit in (1, 300):
        summary = selectors.coverage_summary(actor, f, limit=limit)
        assert _shape(summary["rows"]) == direct[:limit]
        assert summary["count"] == len(direct)
        assert summary["more"] == max(0, len(direct) - limit)
        assert summary["total"] == total
        assert summary["full"] == sum(1 for r in rows if r["full_coverage"])
        assert summary["flagged"] == sum(
            1 for r in rows if not (r["rotation_ok"] and r["backbone_ok"])
        )


def test_it_applies_a_programs_eligibility_as_the_direct_scan_did(ex, population):  # noqa: F811
    program = ex.program
    program.elig_titles = ",first,"
    program.elig_subjects = ",14,"  # 数学
    program.save()
    actor = ex.actor("sanhe")
    f = selectors.CoverageFilters(terms=YEAR, program_id=program.pk)
    direct = _direct(actor, f)
    assert direct  # Tina is a first-grade maths teacher who completed an exchange
    assert _shape(selectors.coverage_rows(actor, f)) == direct
    assert _shape(selectors.coverage_summary(actor, f)["rows"]) == direct
    total = selectors.coverage_total(actor, f)
    assert total["eligible"] == sum(r["eligible"] for r in direct)


def test_it_summarises_coverage_in_a_bounded_number_of_queries(
    ex,
    population,  # noqa: F811
    django_assert_max_num_queries,
):
    actor = ex.actor("hebei_viewer")
    f = selectors.CoverageFilters(terms=YEAR, area="beisanxian")
    # The group's members, first rows, applications, tallies, count, total.
    with django_assert_max_num_queries(7):
        selectors.coverage_summary(actor, f)
