"""The overview: KPI cards, charts, the task board and the map, each number linking to the
list of records behind it, whose total is that number; scoped to the viewer."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xietong.conftest import PASSWORD
from xietong.dashboard.tests.world import PERIOD, World
from xietong.partnerships import network

VIEWERS = ("hebei", "hebei_viewer", "langfang", "sanhe", "beijing")


def client_for(world: World, name: str) -> Client:
    c = Client()
    assert c.login(username=name, password=PASSWORD)
    c.cookies["django_language"] = "en"  # the refusals are read in English
    return c


def overview(c: Client, **q: str) -> Any:
    r = c.get("/dashboard/", {"period": PERIOD, **q})
    assert r.status_code == 200, r.content[:500]
    return r.context["data"]


def charts(c: Client, **q: str) -> Any:
    """The charts and map the page fetches from the dashboard's API."""
    r = c.get("/api/dashboard/charts", {"period": PERIOD, **q})
    assert r.status_code == 200, r.content[:500]
    return r.json()


def listed(c: Client, link: str) -> Any:
    r = c.get("/dashboard/records/?" + link + "&size=100")
    assert r.status_code == 200, r.content[:500]
    return r


@pytest.mark.parametrize("viewer", VIEWERS)
def test_it_links_every_kpi_card_to_a_list_whose_total_is_the_card_number(
    world: World, viewer: str
) -> None:
    c = client_for(world, viewer)
    data = overview(c)
    assert [n.key for n in data.kpis] == [
        "bjtj",
        "hebei",
        "partnerships",
        "activities",
        "placements",
        "xiongan",
    ]
    for n in data.kpis:
        r = listed(c, n.link)
        if n.key == "xiongan":
            schools = r.context["listed"].records
            assert len(network.stages_covered(schools)) == n.value
        else:
            assert r.context["page"].paginator.count == n.value, n.key


def test_it_counts_both_sides_for_the_province_and_only_its_county_for_sanhe(
    world: World,
) -> None:
    hebei = {n.key: n.value for n in overview(client_for(world, "hebei")).kpis}
    sanhe = {n.key: n.value for n in overview(client_for(world, "sanhe")).kpis}
    # size 3: Hebei schools 0..3 in 三河, 大厂, 雄县, 保定 (school 3 joins "多方协作").
    assert hebei["hebei"] == 4 and hebei["bjtj"] == 3
    assert sanhe["hebei"] == 1 and sanhe["bjtj"] == 1
    assert hebei["partnerships"] == 4 and sanhe["partnerships"] == 2
    assert hebei["activities"] == 3  # this term (from September): not the one of 08-31
    assert hebei["xiongan"] == 2  # 雄县's school teaches preschool and primary


def test_it_links_charts_by_kind_and_task_board_numbers_to_their_lists(world: World) -> None:
    c = client_for(world, "hebei")
    data = overview(c, scope="all")
    numbers = [(n.value, n.link) for n in data.partnerships_by_kind]
    drawn = charts(c, scope="all")["charts"]
    for chart in drawn:
        for series in chart["series"]:
            numbers += [(point["value"], point["link"]) for point in series["data"]]
    for row in data.board:
        numbers += [(n.value, n.link) for n in row.counts]
    assert any(value for value, _link in numbers)
    for value, link in numbers:
        assert listed(c, link).context["page"].paginator.count == value, link
    assert {c["key"] for c in drawn} == {"by_province", "by_city", "by_group", "trend"}
    assert sum(r.total for r in data.board) == 6


def test_the_page_draws_the_charts_its_slots_announce_and_the_api_gives_its_numbers(
    world: World,
) -> None:
    c = client_for(world, "hebei")
    r = c.get("/dashboard/", {"period": PERIOD, "scope": "all"})
    slots = [s.key for s in r.context["chart_slots"]]
    assert slots == [c["key"] for c in charts(c, scope="all")["charts"]]
    assert b"/api/dashboard/charts?period=2025Q4&amp;scope=all" in r.content
    numbers = c.get("/api/dashboard/overview", {"period": PERIOD, "scope": "all"}).json()
    assert [k["value"] for k in numbers["kpis"]] == [
        float(n.value) for n in overview(c, scope="all").kpis
    ]
    # A county has no breakdown by city: its charts are its groups and the trend.
    sanhe = client_for(world, "sanhe")
    assert [s["key"] for s in charts(sanhe)["charts"]] == ["by_group", "trend"]


@pytest.mark.parametrize("path", ["/api/dashboard/charts", "/api/dashboard/overview"])
def test_the_api_refuses_as_the_page_does(world: World, path: str) -> None:
    sanhe = client_for(world, "sanhe")
    for query, message in (
        ({"scope": "region:130000"}, "is not an area you may view"),
        ({"period": "2025Q5"}, "is not a period"),
        ({"kind": "bogus"}, "is not a kind of partnership"),
    ):
        r = sanhe.get(path, query)
        assert r.status_code == 422 and message in r.json()["message"], r.content
    assert client_for(world, "school_admin").get(path).status_code == 403
    assert Client().get(path).status_code == 401


def test_it_links_each_map_line_to_the_partnerships_between_its_regions(world: World) -> None:
    c = client_for(world, "hebei")
    drawn = charts(c)["map"]
    lines = drawn["lines"]
    assert lines and sum(line["value"] for line in lines) >= 4
    for line in lines:
        assert listed(c, line["link"]).context["page"].paginator.count == line["value"]
    nodes = {n["id"] for n in drawn["nodes"]}
    assert {"131082", "110112"} <= nodes


def test_it_offers_the_whole_and_groups_to_provinces_and_restricted_groups_to_a_county(
    world: World,
) -> None:
    hebei = overview_areas(world, "hebei")
    sanhe = overview_areas(world, "sanhe")
    assert hebei[0] == "region:130000" and "all" in hebei and "group:xiongan" in hebei
    assert sanhe[0] == "region:131082" and "all" not in sanhe
    assert "region:131082+group:beisanxian" in sanhe


def overview_areas(world: World, name: str) -> list[str]:
    r = client_for(world, name).get("/dashboard/")
    assert r.status_code == 200
    return [a.token for a in r.context["areas"]]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"scope": "region:130000"}, "is not an area you may view"),
        ({"scope": "all"}, "is not an area you may view"),
        ({"period": "2025Q5"}, "is not a period"),
        ({"period": "next year"}, "is not a period"),
        ({"kind": "bogus"}, "is not a kind of partnership"),
    ],
)
def test_it_refuses_an_area_outside_the_scope_and_a_bad_period_with_a_message(
    world: World, query: dict[str, str], message: str
) -> None:
    r = client_for(world, "sanhe").get("/dashboard/", query)
    assert r.status_code == 422
    assert message in r.content.decode()
    r = client_for(world, "sanhe").get(
        "/dashboard/records/", {"metric": "partnerships.active", **query}
    )
    assert r.status_code == 422


def test_it_refuses_an_unknown_metric_and_a_bad_parameter(world: World) -> None:
    c = client_for(world, "hebei")
    assert c.get("/dashboard/records/", {"metric": "nope"}).status_code == 422
    r = c.get("/dashboard/records/", {"metric": "dashboard.tasks", "status": "bogus"})
    assert r.status_code == 422 and "is not a value of status" in r.content.decode()


def test_it_is_closed_to_roles_without_the_dashboard(world: World) -> None:
    c = client_for(world, "school_admin")
    assert c.get("/dashboard/").status_code == 403
    assert c.get("/dashboard/records/", {"metric": "partnerships.active"}).status_code == 403
    assert Client().get("/dashboard/").status_code == 302


def test_it_serves_the_boundary_only_when_configured(
    world: World, settings: Any, tmp_path: Any
) -> None:
    c = client_for(world, "hebei")
    assert c.get("/dashboard/map/boundary.geojson").status_code == 404
    assert charts(c)["map"]["boundary"] is False
    f = tmp_path / "b.geojson"
    f.write_text('{"type": "FeatureCollection", "features": []}')
    settings.XIETONG_MAP_BOUNDARY_GEOJSON = str(f)
    r = c.get("/dashboard/map/boundary.geojson")
    assert r.status_code == 200 and b"FeatureCollection" in r.getvalue()
    assert charts(c)["map"]["boundary"] is True


def test_the_charts_speak_the_language_the_page_asks_for(world: World) -> None:
    c = Client()
    assert c.login(username="hebei", password=PASSWORD)
    # The page sends its own language: Chromium's own Accept-Language is often English.
    zh = c.get("/api/dashboard/charts", {"period": PERIOD}, HTTP_ACCEPT_LANGUAGE="zh-Hans")
    en = c.get("/api/dashboard/charts", {"period": PERIOD}, HTTP_ACCEPT_LANGUAGE="en")
    assert zh.json()["charts"][-1]["series"][1]["name"] == "河北学校"
    assert en.json()["charts"][-1]["series"][1]["name"] == "Hebei schools"
    page = c.get("/dashboard/").content.decode()
    assert '"Accept-Language": document.documentElement.lang' in page
