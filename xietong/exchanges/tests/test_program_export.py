"""The program export: exactly the program list's rows for its filters, in its order, as
xlsx or CSV, through the page and the API — drafts only for their managers, for those who
run or watch programs (not applicants), audited, formulas defused."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from xietong.accounts.models import AuditEvent
from xietong.api_tests.conftest import Api, assert_error
from xietong.core.tests.test_tables import _cells
from xietong.exchanges import services
from xietong.exchanges.tests.conftest import Ex, program_data

EXPORT = reverse("exchanges:program_export")
LIST = reverse("exchanges:program_list")
API = "/api/exchanges/programs/export"


def _as(client: Any, ex: Ex, username: str, lang: str = "en") -> Any:
    client.force_login(ex.cast.users[username])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def _csv(response: Any) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _draft(ex: Ex, title: str = "=SUM(A1) 草案") -> Any:
    data = program_data(
        ex.sanhe_bureau,
        title=title,
        school_term="2024-2025-2",
        starts_on=dt.date(2025, 2, 24),
        ends_on=dt.date(2025, 7, 4),
    )
    return services.create_program(ex.actor("sanhe"), data)  # a draft: its managers see it


def test_it_exports_exactly_the_rows_the_list_shows_in_its_order(client, ex):
    _draft(ex)
    c = _as(client, ex, "sanhe")
    page = c.get(LIST)
    shown = [p.title for p in page.context["page"].object_list]
    assert 'data-testid="list-export"' in page.content.decode()
    header, *rows = _csv(c.post(EXPORT, {"format": "csv"}))
    assert header[:3] == ["Program title", "Kind", "Organising authority"]
    assert [r[0].lstrip("'") for r in rows] == shown and len(shown) == 2
    first = next(r for r in rows if r[0] == "三河—副中心跟岗研修")
    assert first[3] == "三河市" and first[4] == "2024–2025, term 1" and first[9] == "1"
    event = AuditEvent.objects.get(action="exchanges.programs.export")
    assert event.detail["rows"] == 2 and event.detail["format"] == "csv"


def test_a_filter_narrows_the_export_as_it_narrows_the_list(client, ex):
    _draft(ex, "第二学期项目")
    c = _as(client, ex, "sanhe")
    _header, *rows = _csv(c.post(EXPORT, {"term": "2", "format": "csv"}))
    assert [r[0] for r in rows] == ["第二学期项目"]
    api = Api(ex.cast).post(f"{API}?term=2&format=csv", as_="sanhe")
    assert [r[0] for r in _csv(api)[1:]] == ["第二学期项目"]


def test_a_draft_is_out_of_scope_for_others_and_absent_from_their_file(client, ex):
    _draft(ex, "草案")
    _header, *rows = _csv(_as(client, ex, "tongzhou").post(EXPORT, {"format": "csv"}))
    assert [r[0] for r in rows] == ["三河—副中心跟岗研修"]


@pytest.mark.parametrize("username", ["teacher", "secadmin", "auditor", "nobody"])
def test_it_refuses_whoever_does_not_run_or_watch_programs(client, ex, username):
    assert _as(client, ex, username).post(EXPORT, {"format": "csv"}).status_code == 403
    assert_error(Api(ex.cast).post(f"{API}?format=csv", as_=username), 403, "forbidden")
    assert not AuditEvent.objects.filter(action="exchanges.programs.export").exists()


def test_cells_that_a_spreadsheet_would_run_are_defused_and_headers_are_chinese(client, ex):
    _draft(ex, "=SUM(A1) 草案")
    c = _as(client, ex, "sanhe", lang="zh-hans")
    _header, *rows = _csv(c.post(EXPORT, {"format": "csv"}))
    assert "'=SUM(A1) 草案" in {r[0] for r in rows}
    header, *_rows = _cells(b"".join(c.post(EXPORT, {"format": "xlsx"}).streaming_content))
    assert header[0][2] == "项目名称"
