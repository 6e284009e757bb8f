"""The coverage page for authorities: it opens on the viewer's latest finished term with
exchanges, sorts the schools furthest below the national rule first (other sorts on
offer), pages through all of them, compares two schools side by side — the page and the
API alike, within the viewer's scope, in a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xietong.api_tests.conftest import Api, assert_error
from xietong.conftest import make_id_number, make_institution
from xietong.core.termfields import current_term
from xietong.core.terms import SchoolTerm, TermSpan
from xietong.exchanges import coverage, selectors
from xietong.exchanges.choices import AppStatus
from xietong.exchanges.models import Application, HostOffer, OfferSlot, Placement, Program
from xietong.exchanges.selectors import CoverageFilters
from xietong.institutions import personal_data, tallies
from xietong.institutions.models import Institution, Staff

PAGE = reverse("exchanges:coverage")
TERM = SchoolTerm(2024, 1)  # the ex fixture's program


def school(name: str, teachers: int, code: str = "131082", backbone: int = 0) -> list[Staff]:
    """A school with ``teachers`` teachers (the first ``backbone`` of them backbone)."""
    inst = make_institution(name, code)
    base = Staff.objects.count()
    born = [dt.date(1970, 1, 1) + dt.timedelta(days=base + i) for i in range(teachers)]
    Staff.objects.bulk_create(
        Staff(
            name=f"{name}{i}",
            gender="M",
            birth_date=born[i],
            **personal_data.sealed_fields(make_id_number(inst.region.code, born[i], 1)),
            institution=inst,
            joined_on=dt.date(2015, 9, 1),
            stages=",primary,",
            subjects=",14,",
            honours=",backbone," if i < backbone else "",
        )
        for i in range(teachers)
    )
    tallies.refresh([inst.pk])
    return list(Staff.objects.filter(institution=inst).order_by("pk"))


def program_in(ex: Any, term: SchoolTerm) -> Program:
    if term == TERM:
        return ex.program
    copy = Program.objects.get(pk=ex.program.pk)
    copy.pk = None
    copy.school_year, copy.term = term.year_label, term.term
    copy.save()
    return Program.objects.get(pk=copy.pk)


def rotate(
    ex: Any, people: list[Staff], term: SchoolTerm = TERM, status=AppStatus.COMPLETED
) -> None:
    program = program_in(ex, term)
    for s in people:
        Application.objects.create(program=program, applicant=s, home=s.institution, status=status)


@pytest.fixture
def schools(ex: Any) -> dict[str, list[Staff]]:
    """Four 三河 schools: gaps 3 (none rotated), 3 (2 of 50), 1 and 0 — besides the cast's."""
    found = {
        "Alpha": school("Alpha", 30),
        "Delta": school("Delta", 50),
        "Bravo": school("Bravo", 12),
        "Charlie": school("Charlie", 5, backbone=1),
    }
    rotate(ex, found["Delta"][:2])
    rotate(ex, found["Bravo"][:1])
    rotate(ex, found["Charlie"][:1])
    return found


def page(
    client: Any, ex: Any, params: dict[str, Any] | None = None, user: str = "sanhe", lang="en"
):
    client.force_login(ex.cast.users[user])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client.get(PAGE, params or {})


def names(response: Any) -> list[str]:
    return [r["institution"] for r in response.context["page"].object_list]


# --- the term it opens on -------------------------------------------------------------------


def test_it_opens_on_the_latest_finished_term_with_exchanges_not_the_current_one(
    client, ex, schools
):
    later = SchoolTerm(2025, 2)
    rotate(ex, schools["Alpha"][:1], later)
    rotate(ex, schools["Alpha"][1:2], current_term())  # under way: not finished
    response = page(client, ex)
    assert response.context["latest"] == later
    form = response.context["form"]
    assert (form.cleaned_data["school_year"], form.cleaned_data["term"]) == (2025, 2)
    assert "the latest finished term with exchanges" in response.content.decode()


def test_it_opens_each_viewer_on_the_latest_term_of_its_own_scope(client, ex, schools):
    rotate(ex, [ex.cast.beijing_teacher], SchoolTerm(2025, 2))  # Beijing's, not Sanhe's
    assert page(client, ex).context["latest"] == TERM
    assert page(client, ex, user="beijing").context["latest"] == SchoolTerm(2025, 2)


def test_it_opens_on_the_term_before_the_current_one_when_none_has_exchanges(client, ex):
    assert page(client, ex, user="tongzhou").context["latest"] == current_term().previous()


# --- sorting and paging ---------------------------------------------------------------------


def test_it_sorts_the_schools_furthest_below_the_rule_first(client, ex, schools):
    response = page(client, ex, {"school_year": "2024-2025", "term": 1})
    rows = list(response.context["page"].object_list)
    assert [(r["institution"], r["gap"]) for r in rows][:4] == [
        ("Alpha", 3),  # 30 teachers, none rotated
        ("Delta", 3),  # 50 teachers, 2 rotated: 3 short too, but a larger share rotated
        ("Sanhe Experimental", 1),  # its one teacher has not rotated
        ("Bravo", 1),  # 1 of 12 rotated, not a backbone teacher
    ]
    assert [r["gap"] for r in rows] == sorted((r["gap"] for r in rows), reverse=True)
    assert rows[-1]["institution"] == "Charlie" and rows[-1]["gap"] == 0
    assert (
        response.context["sort"] == "gap" and "Furthest below the rule" in response.content.decode()
    )


@pytest.mark.parametrize(
    ("sort", "first"),
    [("name", "Alpha"), ("eligible", "Delta"), ("rotated_share", "Alpha"), ("share", "Alpha")],
)
def test_it_offers_other_sorts(client, ex, schools, sort, first):
    response = page(client, ex, {"school_year": "2024-2025", "term": 1, "sort": sort})
    shown = names(response)
    assert shown[0] == first
    if sort == "name":
        assert shown == sorted(shown)


def test_it_ignores_an_unknown_sort_with_a_message_not_an_error(client, ex, schools):
    response = page(client, ex, {"school_year": "2024-2025", "sort": "drop table"})
    assert response.status_code == 200 and response.context["page"] is None
    assert "Select a valid choice" in response.content.decode()


def test_it_pages_through_every_school_with_no_cap(client, ex):
    region = Institution.objects.get(name="Sanhe Experimental").region
    Institution.objects.bulk_create(
        Institution(
            name=f"三河第{i:03d}小学", kind="primary", region=region, region_path=region.path
        )
        for i in range(305)
    )
    made = Institution.objects.filter(name__startswith="三河第")
    Staff.objects.bulk_create(
        Staff(
            name=f"教师{i}",
            gender="F",
            birth_date=dt.date(1990, 1, 1),
            **personal_data.sealed_fields(make_id_number("131082", dt.date(1990, 1, 1), 2000 + i)),
            institution=inst,
            joined_on=dt.date(2016, 9, 1),
        )
        for i, inst in enumerate(made)
    )
    tallies.rebuild()
    table = coverage.CoverageTable(
        ex.actor("sanhe"), CoverageFilters(terms=TermSpan.of(TERM)), "name"
    )
    total = len(table)
    assert total == 306  # and Sanhe Experimental
    seen = []
    for number in range(1, 17):
        response = page(
            client, ex, {"school_year": "2024-2025", "term": 1, "sort": "name", "page": number}
        )
        seen += names(response)
    assert len(seen) == len(set(seen)) == total and seen[-1] == "三河第304小学"
    assert response.context["page"].paginator.num_pages == 16


def _queries(client: Any, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PAGE, params).status_code == 200
    return len(ctx.captured_queries)


def test_it_shows_a_page_in_a_bounded_number_of_queries(client, ex, schools):
    page(client, ex)
    params = {"school_year": "2024-2025", "term": 1}
    small = _queries(client, {**params, "page_size": 20})
    for i in range(30):
        rotate(ex, school(f"Echo{i}", 3)[:1])
    large = _queries(client, {**params, "page_size": 100})
    # The session, the actor, the default term, the area choices, the figures (applications,
    # tallies, schools, eligible), one page of the table, its distribution, the navigation.
    assert large == small <= 16


# --- scope, compare and the API ---------------------------------------------------------------


def test_it_lists_only_the_schools_of_the_viewers_scope(client, ex, schools):
    school("Tongzhou Two", 9, code="110112")
    sanhe = names(page(client, ex, {"school_year": "2024-2025", "term": 1}))
    assert "Tongzhou Two" not in sanhe and "Tongzhou No. 1" not in sanhe and "Alpha" in sanhe
    tongzhou = names(page(client, ex, {"school_year": "2024-2025", "term": 1}, user="tongzhou"))
    assert set(tongzhou) == {"Tongzhou No. 1", "Tongzhou Two"}
    own = names(page(client, ex, {"school_year": "2024-2025", "term": 1}, user="school_admin"))
    assert set(own) == {"Sanhe Experimental", "Sanhe Experimental Dachang campus"}
    viewer = names(
        page(client, ex, {"school_year": "2024-2025", "area": "131028"}, user="hebei_viewer")
    )
    assert viewer == ["Sanhe Experimental Dachang campus"]
    assert page(client, ex, user="teacher").status_code == 403
    assert page(client, ex, user="auditor").status_code == 403


def test_it_compares_two_schools_side_by_side(client, ex, schools):
    c = ex.cast
    host = HostOffer.objects.get(pk=ex.offer.pk)
    slot = OfferSlot.objects.get(offer=host)
    app = Application.objects.get(applicant=schools["Bravo"][0])
    Placement.objects.create(
        application=app, slot=slot, host=c.tongzhou_school, home=app.home,
        starts_on=dt.date(2024, 9, 2), ends_on=dt.date(2025, 1, 17),
    )  # fmt: skip
    a, b = schools["Alpha"][0].institution_id, schools["Bravo"][0].institution_id
    response = page(client, ex, {"school_year": "2024-2025", "term": 1, "a": a, "b": b})
    compared = response.context["compared"]
    assert (compared["a"]["eligible"], compared["a"]["gap"]) == (30, 3)
    assert (compared["b"]["rotated"], compared["b"]["gap"]) == (1, 1)
    lines = {str(line["label"]): line["cells"] for line in response.context["compare_lines"]}
    assert [c["value"] for c in lines["Short of the rule"]] == [3, 1]
    assert 'data-testid="comparison"' in response.content.decode()
    api = Api(c)
    body = api.get(
        "/api/exchanges/coverage/compare",
        {"a": b, "b": c.tongzhou_school.pk, "school_year": "2024-2025", "term": 1},
        as_="sanhe",
    ).json()
    assert body["a"]["institution"] == "Bravo" and body["b"] is None  # Tongzhou: not Sanhe's
    assert body["reciprocity"] == {"a_to_b": 1, "b_to_a": 0, "balance": 1}
    far = {"a": c.xiongxian_school.pk, "b": c.tongzhou_school.pk, "school_year": "2024-2025"}
    assert_error(api.get("/api/exchanges/coverage/compare", far, as_="sanhe"), 403)


def test_it_serves_the_sorted_schools_through_the_api_on_the_same_default_term(ex, schools):
    api = Api(ex.cast)
    body = api.get("/api/exchanges/coverage/schools", {"page_size": 20}, as_="sanhe").json()
    assert (body["school_year"], body["term"], body["sort"]) == ("2024-2025", 1, "gap")
    assert [i["institution"] for i in body["items"][:2]] == ["Alpha", "Delta"]
    assert body["items"][0]["gap"] == 3 and body["count"] == len(body["items"]) == 5
    assert body["flagged"] == 4 and body["total"]["eligible"] == 98
    by_name = api.get(
        "/api/exchanges/coverage/schools", {"school_year": "2024-2025", "sort": "name"}, as_="sanhe"
    ).json()
    assert by_name["term"] is None and by_name["items"][0]["institution"] == "Alpha"
    assert_error(api.get("/api/exchanges/coverage/schools", {"sort": "gapp"}, as_="sanhe"), 422)
    assert_error(api.get("/api/exchanges/coverage/schools", as_="teacher"), 403)


def test_it_speaks_the_readers_language(client, ex, schools):
    zh = page(client, ex, {"school_year": "2024-2025", "term": 1}, lang="zh-hans").content.decode()
    assert "距国家要求最远" in zh and "尚差（人）" in zh and "各校距国家要求的差距" in zh
    en = page(client, ex, {"school_year": "2024-2025", "term": 1}).content.decode()
    assert "Short of the rule" in en and "How far the schools are from the rule" in en


@pytest.mark.parametrize(
    "username", ["sanhe", "tongzhou", "beijing", "hebei_viewer", "school_admin"]
)
@pytest.mark.parametrize("area", ["", "131082", "beisanxian", "110000"])
def test_it_lists_the_same_schools_and_figures_as_the_coverage_rows(ex, schools, username, area):
    actor = ex.actor(username)
    f = CoverageFilters(terms=TermSpan.school_year(2024), area=area)
    table = coverage.CoverageTable(actor, f, "name")
    rows = list(table)
    expected = sorted(
        selectors.coverage_rows(actor, f), key=lambda r: (r["institution"], r["institution_id"])
    )
    keys = ("institution_id", "eligible", "completed", "rotated", "backbone_rotated", "gap")
    assert [{k: r[k] for k in keys} for r in rows] == [{k: r[k] for k in keys} for r in expected]
    assert len(table) == len(rows) == coverage.coverage_figures(actor, f)["count"]


def test_a_page_counts_every_school_of_the_table_by_gap_not_only_its_own_rows(ex, schools):
    filters = CoverageFilters(terms=TermSpan.of(TERM))
    actor = ex.cast.actor("sanhe")
    paged = coverage.CoverageTable(actor, filters)
    first_two = paged[0:2]
    whole = coverage.CoverageTable(actor, filters)  # no page read: one GROUP BY of its own
    assert len(first_two) == 2
    assert paged.gap_distribution() == whole.gap_distribution()
    assert sum(n for _label, n in whole.gap_distribution()) == whole.count() > 2
