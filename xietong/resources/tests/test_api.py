"""/api/resources: the catalogue with facets, one resource, the keeper's writes, review,
uses and ratings, reviewers — the scope matrix through the API and its bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xietong.accounts.models import Role
from xietong.api_tests.conftest import Api, assert_error
from xietong.conftest import Cast, make_user
from xietong.partnerships.choices import MemberRole
from xietong.partnerships.tests.conftest import make_partnership
from xietong.resources import services
from xietong.resources.choices import ResourceStatus, Visibility
from xietong.resources.models import Rating, Resource, Review, Reviewer, Use
from xietong.resources.tests.conftest import make_resource

pytestmark = pytest.mark.django_db

URL = "/api/resources/"
READERS = ("teacher", "school_admin", "sanhe", "hebei_viewer", "tongzhou_admin", "beijing")
NEVER = ("secadmin", "auditor", "nobody")


@pytest.fixture
def api(world: Cast) -> Api:
    world.users["xiongxian_admin"] = make_user(
        "xiongxian_admin", Role.INSTITUTION_ADMIN, institution=world.xiongxian_school
    )
    return Api(world)


def titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


@pytest.mark.parametrize("visibility", ["region", "partners", "group", "named"])
def test_it_lists_and_shows_a_resource_exactly_to_its_audience(
    world: Cast, api: Api, visibility: str
) -> None:
    extra: dict[str, Any] = {}
    if visibility == "partners":
        make_partnership(
            "结对帮扶",
            "131082",
            [(world.tongzhou_school, MemberRole.LEAD), (world.sanhe_school, MemberRole.SUPPORTED)],
        )
        extra["visibility"] = Visibility.PARTNERS
    elif visibility == "group":
        extra.update(visibility=Visibility.GROUP, visible_group="beisanxian")
    elif visibility == "named":
        extra.update(visibility=Visibility.NAMED, audience=[world.sanhe_school.pk])
    r = make_resource(world, **extra)
    shut_out = NEVER if visibility == "region" else (*NEVER, "xiongxian_admin")
    for name in READERS:
        assert titles(api.get(URL, as_=name)) == [r.title], name
        assert api.get(f"{URL}{r.pk}", as_=name).status_code == 200, name
    for name in shut_out:
        answer = api.get(URL, as_=name)
        assert answer.status_code == 403 or titles(answer) == [], name
        assert_error(api.get(f"{URL}{r.pk}", as_=name), 404)


def test_it_answers_the_list_with_facets_and_the_page_envelope(world: Cast, api: Api) -> None:
    make_resource(world)
    body = api.get(URL, {"stage": "junior", "q": "方程"}, as_="teacher").json()
    assert {"count", "page", "page_size", "pages", "next", "items", "facets"} == set(body)
    facets = {f["name"]: {v["value"]: v["count"] for v in f["values"]} for f in body["facets"]}
    assert facets["stage"] == {"junior": 1} and facets["subject"] == {"14": 1}
    item = body["items"][0]
    assert item["subjects"] == [{"code": "14", "label": "Mathematics"}]
    assert "use" in item["actions"]


def test_it_lists_in_the_same_number_of_queries_for_3_and_20_resources(
    world: Cast, api: Api
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(URL, {"page_size": 50}, as_="teacher").status_code == 200
        return len(ctx.captured_queries)

    api.get(URL, as_="teacher")  # the token
    for i in range(3):
        make_resource(world, title=f"课程 {i}")
    few = count()
    for i in range(17):
        make_resource(world, title=f"更多 {i}", stages="小学、初中")
    assert count() == few


@pytest.mark.parametrize(
    "params", [{"kind": "castle"}, {"q": "x" * 101}, {"region": 0}, {"page_size": "many"}]
)
def test_it_refuses_bad_filters_with_the_fields_message(api: Api, params: dict[str, Any]) -> None:
    body = assert_error(api.get(URL, params, as_="teacher"), 422)
    assert set(body["fields"]) <= set(params) | {"region"}


PAYLOAD = {
    "kind": "course",
    "title": "高中化学实验微课",
    "description": "十个演示实验。",
    "stages": ["高中"],
    "subjects": ["化学"],
    "link": "https://chem.example.edu.cn/",
}


def test_it_keeps_a_resource_through_create_edit_submit_review_and_withdraw(
    world: Cast, api: Api
) -> None:
    services.appoint_reviewer(world.actor("beijing"), "reviewer", "化学", "110000")
    made = api.post(URL, PAYLOAD, as_="tongzhou_admin")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert made.json()["status"] == "draft" and "submit" in made.json()["actions"]
    changed = api.call("put", f"{URL}{pk}", {**PAYLOAD, "grade": "高一"}, as_="tongzhou_admin")
    assert changed.status_code == 200 and changed.json()["grade"] == "高一"
    assert api.post(f"{URL}{pk}/submit", as_="tongzhou_admin").json()["status"] == "submitted"
    queue = api.get(f"{URL}reviews", as_="reviewer").json()
    assert [i["id"] for i in queue["items"]] == [pk]
    rubric = {"verdict": "publish", "accuracy": 5, "pedagogy": 4, "presentation": 4}
    published = api.post(f"{URL}{pk}/review", rubric, as_="reviewer")
    assert published.json()["status"] == "published"
    kept = api.get(f"{URL}{pk}", as_="tongzhou_admin").json()
    assert kept["reviews"][0]["accuracy"] == 5
    assert api.get(f"{URL}{pk}", as_="teacher").json()["reviews"] is None
    body = assert_error(api.post(f"{URL}{pk}/withdraw", {"reason": " "}, as_="tongzhou_admin"), 422)
    assert "reason" in body["fields"]
    gone = api.post(f"{URL}{pk}/withdraw", {"reason": "教材更新"}, as_="tongzhou_admin")
    assert gone.json()["status"] == "withdrawn"
    assert_error(api.delete(f"{URL}{pk}", as_="tongzhou_admin"), 409)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"kind": "castle"}, "kind"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"subjects": ["炼金术"]}, "subjects"),
        ({"visibility": "group"}, "visible_group"),
        ({"visibility": "named"}, "audience"),
        ({"authors": [999999]}, "authors"),
        ({"capacity": 0}, "capacity"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_it_refuses_a_bad_resource_with_the_fields_message(
    api: Api, change: dict[str, Any], field: str
) -> None:
    body = assert_error(api.post(URL, {**PAYLOAD, **change}, as_="tongzhou_admin"), 422)
    assert field in body["fields"], body
    assert not Resource.objects.exists()


def test_it_refuses_creation_to_whoever_keeps_no_institution(api: Api) -> None:
    assert_error(api.post(URL, PAYLOAD, as_="teacher"), 403)


def test_it_refuses_a_review_by_a_non_reviewer(world: Cast, api: Api) -> None:
    r = make_resource(world, status=ResourceStatus.SUBMITTED)
    rubric = {"verdict": "publish", "accuracy": 5, "pedagogy": 4, "presentation": 4}
    assert_error(api.post(f"{URL}{r.pk}/review", rubric, as_="tongzhou_admin"), 403)
    assert_error(api.post(f"{URL}{r.pk}/review", rubric, as_="teacher"), 404)
    bad = assert_error(
        api.post(f"{URL}{r.pk}/review", {**rubric, "accuracy": 6}, as_="reviewer"), 422
    )
    assert "accuracy" in bad["fields"]
    no_comment = assert_error(
        api.post(f"{URL}{r.pk}/review", {**rubric, "verdict": "return"}, as_="reviewer"), 422
    )
    assert "comment" in no_comment["fields"]
    assert not Review.objects.filter(resource=r).exists()


def test_it_records_uses_and_rates_only_after_use(world: Cast, api: Api) -> None:
    r = make_resource(world)
    before = assert_error(api.post(f"{URL}{r.pk}/ratings", {"stars": 5}, as_="teacher"), 409)
    assert "use" in before["message"]
    bad = assert_error(api.post(f"{URL}{r.pk}/uses", {"kind": "lesson"}, as_="teacher"), 422)
    assert "class_name" in bad["fields"]
    future = assert_error(
        api.post(
            f"{URL}{r.pk}/uses",
            {"kind": "lesson", "class_name": "一班", "used_on": "2999-01-01"},
            as_="teacher",
        ),
        422,
    )
    assert "used_on" in future["fields"]
    used = api.post(f"{URL}{r.pk}/uses", {"kind": "lesson", "class_name": "一班"}, as_="teacher")
    assert used.status_code == 201 and used.json()["institution"]["name"] == "Sanhe Experimental"
    assert_error(api.post(f"{URL}{r.pk}/ratings", {"stars": 6}, as_="teacher"), 422)
    rated = api.post(f"{URL}{r.pk}/ratings", {"stars": 4, "comment": "好"}, as_="teacher")
    assert rated.status_code == 200 and Rating.objects.get().stars == 4
    assert api.get(f"{URL}{r.pk}", as_="teacher").json()["rating"] == 4.0


def test_it_answers_a_use_of_an_invisible_resource_with_404(world: Cast, api: Api) -> None:
    hidden = make_resource(world, visibility=Visibility.NAMED, audience=[world.sanhe_school.pk])
    body = {"kind": "lesson", "class_name": "一班"}
    assert_error(api.post(f"{URL}{hidden.pk}/uses", body, as_="xiongxian_admin"), 404)
    assert_error(api.post(f"{URL}{hidden.pk}/ratings", {"stars": 5}, as_="xiongxian_admin"), 404)
    assert_error(api.post(f"{URL}999999/uses", body, as_="teacher"), 404)
    assert not Use.objects.exists()


def test_it_appoints_lists_and_ends_reviewers(world: Cast, api: Api) -> None:
    made = api.post(
        f"{URL}reviewers",
        {"username": "teacher", "subject": "语文", "region": "110112"},
        as_="beijing",
    )
    assert made.status_code == 201, made.content
    assert made.json()["subject"] == {"code": "13", "label": "Chinese"}
    listed = api.get(f"{URL}reviewers", as_="beijing").json()
    assert {r["username"] for r in listed} == {"reviewer", "teacher"}
    assert [r["username"] for r in api.get(f"{URL}reviewers", as_="teacher").json()] == ["teacher"]
    for body, status, field in (
        ({"username": "ghost", "subject": "语文", "region": "110000"}, 422, "username"),
        ({"username": "teacher", "subject": "炼金术", "region": "110000"}, 422, "subject"),
        ({"username": "teacher", "subject": "语文", "region": "131082"}, 403, None),
    ):
        answer = assert_error(api.post(f"{URL}reviewers", body, as_="beijing"), status)
        assert field is None or field in answer["fields"], answer
    pk = made.json()["id"]
    assert_error(api.delete(f"{URL}reviewers/{pk}", as_="sanhe"), 404)
    assert api.delete(f"{URL}reviewers/{pk}", as_="beijing").status_code == 204
    assert Reviewer.objects.get(pk=pk).ended_at is not None


def test_it_exports_the_catalogue_as_csv(world: Cast, api: Api) -> None:
    make_resource(world)
    answer = api.call("post", f"{URL}export?format=csv&stage=junior", as_="teacher")
    assert answer.status_code == 200
    assert "一元二次方程" in answer.getvalue().decode("utf-8-sig")


def test_it_offers_the_same_filters_on_the_page_and_in_the_api() -> None:
    from xietong.api import api as ninja_api
    from xietong.core.filters import params_of
    from xietong.resources.forms import FilterForm
    from xietong.resources.selectors import Filters

    operation = ninja_api.get_openapi_schema()["paths"][URL]["get"]
    query = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    paging = {"page", "page_size"}
    assert set(FilterForm.base_fields) - paging == query - paging == params_of(Filters)
