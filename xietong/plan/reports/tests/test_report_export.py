"""The progress report export: exactly the report list's rows for its filters, in its
order, as xlsx or CSV, through the page and the API — only the reports the reader may see,
for the list's readers only; audited, formulas defused."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.models import AuditEvent
from xietong.api_tests.conftest import Api, assert_error
from xietong.core.tests.test_tables import _cells
from xietong.plan.choices import ReportStatus
from xietong.plan.reports.tests import world as w

EXPORT = reverse("plan_reports:export")
LIST = reverse("plan_reports:list")
API = "/api/plan/reports/export"


@pytest.fixture
def pw(cast):
    pw = w.plan_world(cast)
    pw.task.title = "=cmd 开展结对帮扶"
    pw.task.save()
    pw.reports["sanhe"] = w.report(pw, "sanhe", "2025Q2", ReportStatus.SUBMITTED)
    pw.reports["beijing"] = w.report(
        pw, "beijing", "2025Q2", ReportStatus.SUBMITTED, task=pw.other_task
    )
    return pw


def _client(cast: Any, name: str, language: str = "en") -> Client:
    client = Client()
    client.force_login(cast.users[name])
    client.cookies["django_language"] = language
    return client


def _csv(response: Any) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_it_exports_exactly_the_rows_the_list_shows(cast, pw):
    c = _client(cast, "beijing")
    page = c.get(LIST)
    shown = [(r.task.code, r.body.name) for r in page.context["page"].object_list]
    assert 'data-testid="list-export"' in page.content.decode()
    header, *rows = _csv(c.post(EXPORT, {"format": "csv"}))
    assert header[:3] == ["Task code", "Task", "Body"]
    assert [(r[0], r[2]) for r in rows] == shown and len(shown) == 2
    event = AuditEvent.objects.get(action="plan.reports.export")
    assert event.detail["rows"] == 2


def test_a_filter_narrows_and_out_of_scope_reports_are_absent(cast, pw):
    c = _client(cast, "beijing")
    _header, *rows = _csv(c.post(EXPORT, {"body": pw.bodies["sanhe"].pk, "format": "csv"}))
    assert [r[2] for r in rows] == ["三河市教育局"]
    assert rows[0][1] == "'=cmd 开展结对帮扶"  # defused
    mine = Api(cast).post(f"{API}?format=csv", as_="sanhe")
    page = _client(cast, "sanhe").get(LIST).context["page"].object_list
    assert [r[2] for r in _csv(mine)[1:]] == [r.body.name for r in page]
    assert "北京市教育委员会" not in {
        r[2] for r in _csv(Api(cast).post(f"{API}?format=csv", as_="sanhe"))[1:]
    }


@pytest.mark.parametrize("username", ["teacher", "secadmin", "auditor", "nobody"])
def test_it_refuses_whoever_does_not_read_progress_reports(cast, pw, username):
    assert _client(cast, username).post(EXPORT, {"format": "csv"}).status_code == 403
    assert_error(Api(cast).post(f"{API}?format=csv", as_=username), 403, "forbidden")
    assert not AuditEvent.objects.filter(action="plan.reports.export").exists()


def test_a_bad_period_goes_back_to_the_list_and_headers_are_chinese(cast, pw):
    c = _client(cast, "beijing", "zh-hans")
    bad = c.post(EXPORT, {"period": "2025Q9", "format": "csv"})
    assert bad.status_code == 302 and bad["Location"].startswith(LIST)
    header, *_rows = _cells(b"".join(c.post(EXPORT, {"format": "xlsx"}).streaming_content))
    assert [h[2] for h in header][:3] == ["任务编号", "任务", "责任单位"]
