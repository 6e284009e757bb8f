"""The flow page, the provider dashboard and their API: numbers, refusals, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xietong.conftest import Cast
from xietong.resources.tests import flow_world
from xietong.resources.tests.flow_world import AUTUMN, FlowWorld

pytestmark = pytest.mark.django_db

AUTUMN_TERM = "2025-2026-1"
FLOWS = "/resources/flows/"
API = "/api/resources/flows/"


@pytest.fixture
def fw(world: Cast, monkeypatch: pytest.MonkeyPatch) -> FlowWorld:
    return flow_world.build(world, monkeypatch)


def client_for(fw: FlowWorld, username: str) -> Client:
    c = Client()
    c.cookies["django_language"] = "en"
    c.force_login(fw.cast.users[username])
    return c


def test_the_urls_are_where_the_nav_and_the_api_say() -> None:
    assert reverse("resource_flows:flows") == FLOWS
    assert reverse("resource_flows:my_provider") == FLOWS + "provider/"
    assert reverse("resource_flows:provider", args=[7]) == FLOWS + "providers/7/"
    assert reverse("api:resource_flows") == API
    assert reverse("api:resource_provider", args=[7]) == API + "providers/7"


def test_an_authority_sees_the_table_the_share_and_the_chart_url(fw: FlowWorld) -> None:
    c = client_for(fw, "hebei_viewer")
    page = c.get(FLOWS, {"term": AUTUMN_TERM, "by": "group"})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="flow-row"') == 4
    assert 'data-testid="total-uses">7<' in html
    assert f"{API}?term={AUTUMN_TERM}&amp;by=group" in html
    assert 'href="/resources/flows/"' in html  # the nav item


def test_the_page_opens_on_the_latest_term_with_uses(fw: FlowWorld) -> None:
    html = client_for(fw, "sanhe").get(FLOWS).content.decode()
    assert "2025–2026, term 2" in html and 'data-testid="total-uses">1<' in html


def test_the_api_gives_the_sankey_and_the_table(fw: FlowWorld) -> None:
    data = client_for(fw, "hebei_viewer").get(API, {"term": AUTUMN_TERM}).json()
    assert data["first"]["code"] == AUTUMN_TERM and data["by"] == "region"
    assert {n["id"]: n["name"] for n in data["nodes"]}["p:110000/"] == "北京市"
    links = {(x["source"], x["target"]): x["value"] for x in data["links"]}
    assert links[("p:110000/", "u:130000/131000/131082/")] == 3
    assert data["totals"] == {
        "uses": 7,
        "lesson_uses": 5,
        "teachers": 3,
        "schools": 3,
        "along": 0,
        "share": 0.0,
    }
    assert [s["term"]["code"] for s in data["shares"]] == [AUTUMN_TERM]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"term": "2025-2026-3"}, "term"),
        ({"term": "someday"}, "term"),
        ({"term": "2025-2026-2", "last": AUTUMN_TERM}, "last"),
        ({"term": AUTUMN_TERM, "by": "county"}, "by"),
        ({"term": AUTUMN_TERM, "group": "atlantis"}, "group"),
    ],
)
def test_bad_filters_get_a_message_on_the_page_and_in_the_api(
    fw: FlowWorld, query: dict[str, str], field: str
) -> None:
    c = client_for(fw, "hebei_viewer")
    response = c.get(API, query)
    assert response.status_code == 422
    message = response.json()["fields"][field][0]
    assert message
    page = c.get(FLOWS, query)
    assert page.status_code == 200
    assert 'data-testid="flow-table"' not in page.content.decode()
    assert "is-invalid" in page.content.decode() or message in page.content.decode()


def test_teachers_are_refused_the_flows(fw: FlowWorld) -> None:
    c = client_for(fw, "teacher")
    assert c.get(FLOWS).status_code == 403
    assert c.get(API).status_code == 403
    assert 'href="/resources/flows/"' not in c.get("/").content.decode()


def test_the_provider_dashboard_shows_its_resources_and_schools(fw: FlowWorld) -> None:
    c = client_for(fw, "tongzhou_admin")
    mine = c.get(FLOWS + "provider/")
    url = FLOWS + f"providers/{fw.cast.tongzhou_school.pk}/"
    assert mine.status_code == 302 and mine["Location"] == url
    html = c.get(url).content.decode()
    assert 'data-testid="provider-resources">2<' in html
    assert html.count("<tr>", html.index('data-testid="top-schools"')) >= 3
    data = c.get(API + f"providers/{fw.cast.tongzhou_school.pk}", {"term": AUTUMN_TERM}).json()
    assert data["totals"]["uses"] == 5 and data["schools"][0]["name"] == "Sanhe Experimental"
    assert {r["title"]: r["uses"] for r in data["resources"]}[fw.course.title] == 5
    assert {(x["text"], x["school"]) for x in data["feedback"]} == {
        ("很好", "Sanhe Experimental"),
        ("很好", "Sanhe Experimental Dachang campus"),
        ("很好", "Xiongxian No. 1"),
    }
    assert 'data-testid="provider-feedback"' in html


def test_the_provider_dashboard_is_refused_to_others(fw: FlowWorld) -> None:
    url = FLOWS + f"providers/{fw.cast.tongzhou_school.pk}/"
    assert client_for(fw, "sanhe").get(url).status_code == 404
    api = client_for(fw, "tianjin_admin").get(API + f"providers/{fw.cast.tongzhou_school.pk}")
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    assert client_for(fw, "sanhe").get(FLOWS + "provider/").status_code == 404
    bad = client_for(fw, "tongzhou_admin").get(url, {"term": "2025-2026-9"})
    assert bad.status_code == 200 and 'data-testid="provider-resources"' not in bad.content.decode()


def _queries(c: Client, url: str, query: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as q:
        assert c.get(url, query).status_code == 200
    return len(q)


def test_the_pages_and_the_api_take_the_same_queries_for_more_uses(fw: FlowWorld) -> None:
    authority = client_for(fw, "hebei_viewer")
    keeper = client_for(fw, "tianjin_admin")
    provider = FLOWS + f"providers/{fw.tianjin.pk}/"
    calls = [
        (authority, FLOWS, {"term": AUTUMN_TERM, "by": "institution"}),
        (authority, API, {"term": AUTUMN_TERM, "by": "group"}),
        (keeper, provider, {}),
        (keeper, API + f"providers/{fw.tianjin.pk}", {}),
    ]
    before = [_queries(*call) for call in calls]
    for who in ("teacher", "xa_teacher", "branch_teacher"):
        for _i in range(3):
            flow_world.use(fw.cast, who, fw.tj_course, "lesson", AUTUMN)
    assert [_queries(*call) for call in calls] == before
