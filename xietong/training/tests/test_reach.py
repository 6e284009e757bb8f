"""The providers' reach into Hebei counties: the numbers per provider, county and term
(selector, page, API), each viewer's scope, the navigation, and bad filters refused with
their own message (never a server error)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from xietong.conftest import Cast
from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.training import reach
from xietong.training.tests import reach_world
from xietong.training.tests.reach_world import T2024_2, T2025_1, T2025_2, ReachWorld

pytestmark = pytest.mark.django_db

PAGE, API = "/training/reach/", "/api/training/reach/"
THREE = reach.ReachFilters(term=T2024_2.code, last=T2025_2.code)


@pytest.fixture
def rw(world: Cast) -> ReachWorld:
    return reach_world.build(world)


def _client(world: Cast, user: str, language: str = "en") -> Client:
    c = Client()
    c.force_login(world.users[user])
    c.cookies["django_language"] = language
    return c


def _table(data: reach.Reach) -> dict[tuple[str, str], list[tuple[int, Decimal]]]:
    """{(provider, county): [(teachers, hours) per term…, in all]}."""
    return {
        (p.name, c.name): [(x.teachers, x.hours) for x in [*c.terms, c.total]]
        for p in data.providers
        for c in p.counties
    }


def test_it_counts_teachers_and_hours_per_provider_county_and_term(rw: ReachWorld, world: Cast):
    data = reach.reach(world.actor("hebei_viewer"), THREE)
    assert [t.code for t in data.terms] == [T2024_2.code, T2025_1.code, T2025_2.code]
    d = Decimal
    z = (0, d(0))
    assert _table(data) == {
        # 李三河 in both terms is one teacher in all; 刘大厂's spring 2025 program.
        ("Beijing Institute of Education", "三河市"): [
            z,
            (1, d(24)),
            (1, d("10.5")),
            (1, d("34.5")),
        ],
        ("Beijing Institute of Education", "雄县"): [z, (1, d(24)), z, (1, d(24))],
        ("Beijing Institute of Education", "大厂回族自治县"): [(1, d(12)), z, z, (1, d(12))],
        # The midnight between the terms: a minute before is autumn's, midnight spring's.
        ("Tianjin Normal University", "三河市"): [z, (1, d(8)), z, (1, d(8))],
        ("Tianjin Normal University", "大厂回族自治县"): [z, (1, d(8)), z, (1, d(8))],
        ("Tianjin Normal University", "雄县"): [z, z, (1, d(8)), (1, d(8))],
    }
    bie, tjnu = data.providers
    assert (bie.total.teachers, bie.total.hours) == (3, d("70.5"))  # not 王北京 of Beijing
    assert (tjnu.total.teachers, tjnu.total.hours) == (3, d(24))
    assert [c for c, _n in data.counties] == sorted(c for c, _n in data.counties)


def test_the_default_is_the_four_terms_up_to_the_latest_completion(rw: ReachWorld, world: Cast):
    data = reach.reach(world.actor("hebei_viewer"), reach.ReachFilters())
    assert data.span.last == T2025_2 and len(data.terms) == 4
    one = reach.reach(world.actor("hebei_viewer"), reach.ReachFilters(term=T2025_2.code))
    assert one.terms == [T2025_2]
    only = reach.reach(world.actor("hebei_viewer"), reach.ReachFilters(provider=rw.tjnu.pk))
    assert [p.name for p in only.providers] == ["Tianjin Normal University"]


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("hebei_viewer", {"Beijing Institute of Education", "Tianjin Normal University"}),
        ("bie_admin", {"Beijing Institute of Education"}),  # its own programs
        ("tjnu_admin", {"Tianjin Normal University"}),
        ("beijing", {"Beijing Institute of Education"}),  # over the provider
        ("tianjin", {"Tianjin Normal University"}),
        ("tongzhou", set()),  # neither over the provider nor over a Hebei teacher
        ("sanhe", {"Beijing Institute of Education", "Tianjin Normal University"}),
    ],
)
def test_each_viewer_sees_the_providers_and_counties_in_its_scope(
    rw: ReachWorld, world: Cast, user: str, expected: set[str]
) -> None:
    data = reach.reach(world.actor(user), THREE)
    assert {p.name for p in data.providers} == expected
    if user == "sanhe":  # the county's authority: only its own county's teachers
        assert {c for _p, c in _table(data)} == {"三河市"}
        assert sum(p.total.teachers for p in data.providers) == 2


def test_teachers_and_people_without_a_role_are_refused(rw: ReachWorld, world: Cast):
    for user in ("teacher", "nobody"):
        with pytest.raises(PermissionDenied):
            reach.reach(world.actor(user), THREE)
        assert _client(world, user).get(PAGE).status_code == 403
        assert _client(world, user).get(API).status_code == 403


def test_the_page_draws_the_chart_from_the_api_and_lists_the_table(rw: ReachWorld, world: Cast):
    c = _client(world, "hebei_viewer")
    page = c.get(PAGE, {"term": T2024_2.code, "last": T2025_2.code})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="reach-chart"' in html and "/api/training/reach/?term=" in html
    assert html.count('data-testid="reach-row"') == 6
    assert "大厂回族自治县" in html and "34.5" in html
    api = c.get(API, {"term": T2024_2.code, "last": T2025_2.code})
    assert api.status_code == 200
    body = api.json()
    assert [t["code"] for t in body["terms"]] == [T2024_2.code, T2025_1.code, T2025_2.code]
    first = body["providers"][0]
    assert first["name"] == "Beijing Institute of Education"
    assert first["total"] == {"teachers": 3, "hours": "70.5"}
    assert {x["name"] for x in body["counties"]} == {"三河市", "雄县", "大厂回族自治县"}
    zh = _client(world, "hebei_viewer", "zh-hans").get(PAGE).content.decode()
    assert "培训机构辐射河北区县" in zh


def test_the_navigation_offers_the_reach_to_authorities_and_providers(rw: ReachWorld, world: Cast):
    for user, shown in (("hebei_viewer", True), ("bie_admin", True), ("teacher", False)):
        html = _client(world, user).get("/training/").content.decode()
        assert ('href="/training/reach/"' in html) is shown, user


def test_nothing_in_scope_says_so(rw: ReachWorld, world: Cast):
    html = _client(world, "tongzhou").get(PAGE).content.decode()
    assert 'data-testid="no-reach"' in html


BAD: list[tuple[dict[str, Any], str]] = [
    ({"term": "2025年秋"}, "is not a school term; write it as 2024-2025-1"),
    ({"term": T2025_2.code, "last": T2024_2.code}, "The last term comes before the first."),
    ({"term": "2005-2006-1", "last": T2025_2.code}, "Choose at most 20 terms at once."),
    ({"provider": "abc"}, "Enter a whole number."),
    ({"provider": "999999"}, "This choice is not among those you may pick here."),
]


@pytest.mark.parametrize(("query", "message"), BAD)
def test_bad_filters_are_refused_with_their_own_message(
    rw: ReachWorld, world: Cast, query: dict[str, Any], message: str
) -> None:
    c = _client(world, "hebei_viewer")
    page = c.get(PAGE, query)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="reach-table"' not in html
    assert "is-invalid" in html or "alert-danger" in html
    api = c.get(API, query)
    assert api.status_code in (400, 422), api.content
    fields = api.json()["fields"]
    assert message in " ".join(m for ms in fields.values() for m in ms)
    if "provider" in query:  # the picker marks itself invalid; the API says why
        assert 'id="id_provider"' in html and 'aria-invalid="true"' in html
    else:
        assert message in html


def test_a_provider_without_completions_in_the_viewers_scope_is_refused(
    rw: ReachWorld, world: Cast
):
    with pytest.raises(InvalidInput) as e:
        reach.reach(world.actor("tjnu_admin"), reach.ReachFilters(provider=rw.bie.pk))
    assert "completed by Hebei teachers you see" in str(e.value.message)
