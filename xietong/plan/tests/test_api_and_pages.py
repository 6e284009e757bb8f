"""/api/plan and the plan's pages: lists, filters, paging, bad input said plainly."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from xietong.access.testing import Api
from xietong.conftest import Cast, region
from xietong.plan.models import Task
from xietong.plan.tests.conftest import make_task
from xietong.regions.models import RegionGroup


@pytest.fixture
def api(cast: Cast) -> Any:
    a = Api(cast.actor)
    return lambda user, method, path, body=None: a.call(user, (method, path, body))


@pytest.fixture
def more(plan_world: Any) -> Any:
    t = make_task(plan_world.plan, "T3", [(plan_world.beijing, "responsible")])
    t.target_group = RegionGroup.objects.get(key="xiongan")
    t.status = "on_track"
    t.save()
    return t


def test_it_lists_the_plans_the_caller_reads(api, plan_world):
    keys = [p["key"] for p in api("hebei_viewer", "get", "/api/plan/plans").json()]
    assert sorted(keys) == ["jjj-other", "jjj-test"]
    assert [p["key"] for p in api("school_admin", "get", "/api/plan/plans").json()] == ["jjj-test"]
    assert api("teacher", "get", "/api/plan/plans").json() == []
    detail = api("beijing", "get", "/api/plan/plans/jjj-test").json()
    assert detail["actions"] == ["edit"] and len(detail["signatories"]) == 3
    assert api("school_admin", "get", "/api/plan/plans/jjj-other").status_code == 404


def test_it_filters_and_pages_the_tasks(api, plan_world, more):
    page = api("beijing", "get", "/api/plan/tasks?plan=jjj-test").json()
    assert (
        page["count"] == 2
        and page["page"] == 1
        and {t["code"] for t in page["items"]}
        == {
            "T1",
            "T3",
        }
    )
    assert api("beijing", "get", "/api/plan/tasks?group=xiongan").json()["count"] == 1
    assert api("beijing", "get", "/api/plan/tasks?status=on_track").json()["count"] == 1
    body = plan_world.hebei.pk
    assert api("beijing", "get", f"/api/plan/tasks?body={body}").json()["count"] == 2
    assert api("beijing", "get", "/api/plan/tasks?plan=jjj-test&section=一").json()["count"] == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("plan=nope", "plan"),
        ("section=一", "section"),
        ("plan=jjj-test&section=九", "section"),
        ("status=finished", "status"),
    ],
)
def test_it_refuses_a_bad_filter_with_a_message_on_its_field(api, plan_world, query, field):
    response = api("beijing", "get", f"/api/plan/tasks?{query}")
    assert response.status_code == 422
    assert field in response.json()["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"deadline": "2026-06-30"}, "deadline"),
        ({"deadline": "2023-01-01"}, "deadline"),
        ({"title": "  "}, "title"),
        ({"target_region": "999999"}, "target_region"),
        ({"target_group": "nowhere"}, "target_group"),
    ],
)
def test_it_refuses_a_bad_task_change_and_changes_nothing(api, plan_world, body, field):
    t = plan_world.task
    response = api("beijing", "patch", f"/api/plan/tasks/{t.pk}", body)
    assert response.status_code == 422
    assert field in response.json()["fields"]
    fresh = Task.objects.get(pk=t.pk)
    assert (fresh.title, fresh.deadline, fresh.target_region_id) == (
        t.title,
        t.deadline,
        t.target_region_id,
    )


def test_it_changes_a_task_through_the_api(api, plan_world):
    t = plan_world.task
    body = {"deadline": "2025-06-30", "target_region": "130638", "title_en": "Task one"}
    detail = api("beijing", "patch", f"/api/plan/tasks/{t.pk}", body).json()
    assert detail["deadline"] == "2025-06-30" and detail["target_region"] == "130638"
    assert Task.objects.get(pk=t.pk).target_region == region("130638")


@pytest.mark.parametrize(
    "body",
    [
        {"task": 1, "kind": "partnership"},
        {"task": "x", "kind": "partnership", "record": 1},
        {"task": 1, "kind": "nonsense", "record": 1},
        {"task": 1, "kind": "partnership", "record": 0},
    ],
)
def test_it_refuses_a_bad_link_request_plainly(api, plan_world, body):
    if body.get("task") == 1:
        body = {**body, "task": plan_world.task.pk}
    response = api("beijing", "post", "/api/plan/links", body)
    assert response.status_code == 422
    assert plan_world.task.links.count() == 0


def test_it_answers_unlinking_a_link_that_does_not_exist_with_404(api, plan_world):
    assert api("beijing", "delete", "/api/plan/links/999999").status_code == 404


def test_it_shows_the_plan_with_its_parts_and_filters_the_tasks(cast, plan_world, more):
    c = Client()
    c.force_login(cast.users["hebei_viewer"])
    url = reverse("plan:plan", args=[plan_world.plan.pk])
    html = c.get(url).content.decode()
    assert "第一部分" in html and "任务 T1" in html and "任务 T3" in html
    filtered = c.get(url, {"group": "xiongan"}).content.decode()
    assert "任务 T3" in filtered and "任务 T1" not in filtered
    assert 'data-testid="shown"' in filtered
    bad = c.get(url, {"status": "nonsense", "body": "abc"})
    assert bad.status_code == 200  # the filter form says what is wrong; the tasks stay listed
    assert "任务 T1" in bad.content.decode()
    listing = c.get(reverse("plan:plans")).content.decode()
    assert "规划 jjj-test" in listing


def test_it_gates_the_plan_pages_to_those_whose_roles_include_the_plan(cast, plan_world):
    c = Client()
    c.force_login(cast.users["teacher"])
    assert c.get(reverse("plan:plans")).status_code == 403
    assert c.get(reverse("plan:plan", args=[plan_world.plan.pk])).status_code == 404


def test_it_shows_the_sections_other_parts_register_on_the_task_page(cast, plan_world):
    from xietong.core import sections

    sections.register_section(
        "plan.task",
        sections.Section("test_panel", "plan/_task_rows.html", lambda a, t: {"n": 1}, 99),
    )
    try:
        c = Client()
        c.force_login(cast.users["beijing"])
        html = c.get(reverse("plan:task", args=[plan_world.task.pk])).content.decode()
    finally:
        sections.unregister_section("plan.task", "test_panel")
    assert 'id="section-test_panel"' in html


def test_it_edits_a_task_from_its_page_and_says_a_bad_deadline_on_the_form(cast, plan_world):
    c = Client()
    c.force_login(cast.users["beijing"])
    url = reverse("plan:task_edit", args=[plan_world.task.pk])
    data = {"title": "新标题", "deadline": "2027-01-01", "target_region": "", "target_group": ""}
    response = c.post(url, data)
    assert response.status_code == 200 and "不在规划期" in response.content.decode()
    assert Task.objects.get(pk=plan_world.task.pk).title == "任务 T1"
    response = c.post(url, {**data, "deadline": "2025-01-01"})
    assert response.status_code == 302
    assert Task.objects.get(pk=plan_world.task.pk).title == "新标题"
