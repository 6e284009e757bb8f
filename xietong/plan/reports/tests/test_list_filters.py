"""The report list's filters are pickers over scoped selectors (the API keeps taking ids),
and plan titles show in the page's language wherever reports show them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from xietong.core.pickers import bound
from xietong.notifications.kinds import render_text
from xietong.notifications.models import Notification
from xietong.plan.choices import ReportStatus
from xietong.plan.reports import selectors as sel
from xietong.plan.reports import services
from xietong.plan.reports.tests import world as w

EN = "Pairing schools for mutual support"


@pytest.fixture
def pw(cast):
    pw = w.plan_world(cast)
    pw.task.title_en = EN
    pw.task.save()
    pw.reports["sanhe"] = w.report(pw, "sanhe", "2025Q2", ReportStatus.SUBMITTED)
    pw.reports["beijing"] = w.report(
        pw, "beijing", "2025Q2", ReportStatus.SUBMITTED, task=pw.other_task
    )
    return pw


def _client(cast, name: str, language: str = "zh-hans") -> Client:
    client = Client()
    client.force_login(cast.users[name])
    client.cookies["django_language"] = language
    return client


def test_the_list_filters_by_pickers_and_shows_the_chosen_labels(cast, pw):
    page = _client(cast, "beijing").get(
        reverse("plan_reports:list"),
        {"task": pw.task.pk, "body": pw.bodies["sanhe"].pk, "plan": pw.plan.pk},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'type="number"' not in html  # no raw id inputs
    for name in ("report_tasks", "report_bodies", "report_plans"):
        assert reverse("core:picker", args=[name]) in html
    assert f'<option value="{pw.task.pk}" selected>T1 开展结对帮扶</option>' in html
    assert f'value="{pw.bodies["sanhe"].pk}" selected>三河市教育局 · ' in html
    assert f'<option value="{pw.plan.pk}" selected>{pw.plan.name}</option>' in html
    rows = page.context["page"].object_list
    assert [r.pk for r in rows] == [pw.reports["sanhe"].pk]


def test_the_no_script_search_offers_matching_tasks(cast, pw):
    page = _client(cast, "beijing").get(
        reverse("plan_reports:list"), {"task__q": "研修", "_pick": "task"}
    )
    html = page.content.decode()
    assert f'<option value="{pw.other_task.pk}">T2 共建研修平台</option>' in html
    assert f'value="{pw.task.pk}"' not in html


def test_a_task_outside_the_pickers_scope_is_a_field_error_not_a_500(cast, pw):
    # The system admin reads submitted reports but not the plan: only their tasks.
    sysadmin = cast.actor("sysadmin")
    assert set(sel.report_tasks(sysadmin)) == {pw.task, pw.other_task}
    nobody = cast.actor("nobody")
    for name in ("report_tasks", "report_bodies", "report_plans"):
        assert not bound(name, nobody).rows().exists()
    page = _client(cast, "beijing").get(reverse("plan_reports:list"), {"task": 2**40})
    assert page.status_code == 200 and page.context["page"] is None
    assert page.context["form"].errors["task"]


def test_the_api_still_takes_ids(cast, pw):
    from xietong.accounts.services import create_token

    token = create_token(cast.actor("beijing"), "t")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = Client()
    listed = client.get(f"/api/plan/reports/?task={pw.other_task.pk}", **auth).json()
    assert [i["id"] for i in listed["items"]] == [pw.reports["beijing"].pk]
    bad = client.get(f"/api/plan/reports/?body={2**40}", **auth)
    assert bad.status_code == 422 and "body" in bad.json()["fields"]


def test_an_english_page_shows_the_english_task_title(cast, pw):
    en = _client(cast, "beijing", "en")
    listing = en.get(reverse("plan_reports:list"), {"task": pw.task.pk}).content.decode()
    assert f"T1 {EN}" in listing and "开展结对帮扶" not in listing
    detail = en.get(reverse("plan_reports:detail", args=[pw.reports["sanhe"].pk]))
    assert EN in detail.content.decode()
    task_page = en.get(reverse("plan:task", args=[pw.task.pk])).content.decode()
    assert EN in task_page and "开展结对帮扶" not in task_page
    zh = _client(cast, "beijing").get(reverse("plan:task", args=[pw.task.pk])).content.decode()
    assert "T1 开展结对帮扶" in zh
    # A task without an English title keeps its Chinese one on an English page.
    other = en.get(reverse("plan_reports:list"), {"task": pw.other_task.pk}).content.decode()
    assert "共建研修平台" in other


def test_a_reports_notification_names_the_task_in_the_readers_language(cast, pw):
    services.accept_report(cast.actor("beijing"), pw.reports["sanhe"].pk, "")
    note = Notification.objects.get(code="plan.report_accepted")
    with translation.override("en"):
        assert f"T1 {EN}" in render_text(note.code, note.params)
    with translation.override("zh-hans"):
        assert "T1 开展结对帮扶" in render_text(note.code, note.params)


def test_an_english_plan_page_shows_the_english_plan_section_and_task_titles(cast, pw):
    pw.plan.name_en = "The collaboration plan"
    pw.plan.save()
    section = pw.task.section
    section.title_en = "Sharing good resources"
    section.save()
    en = _client(cast, "beijing", "en").get(reverse("plan:plan", args=[pw.plan.pk]))
    html = en.content.decode()
    assert "The collaboration plan" in html and "Sharing good resources" in html
    assert EN in html and "开展结对帮扶" not in html and "推进优质资源共享" not in html
    zh = _client(cast, "beijing").get(reverse("plan:plan", args=[pw.plan.pk])).content.decode()
    assert "推进优质资源共享" in zh and "开展结对帮扶" in zh
