"""The institution export: exactly the institution list's rows for its filters, as xlsx or
CSV, through the page, the API and the console — for the directory's readers (not teachers),
audited, formulas defused."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from xietong.accounts.models import AuditEvent
from xietong.api_tests.conftest import Api, assert_error
from xietong.conftest import make_institution
from xietong.core.tests.test_tables import _cells

EXPORT = reverse("institutions:export")
LIST = reverse("institutions:list")
API = "/api/institutions/export"


def _as(client: Any, cast: Any, username: str, lang: str = "en") -> Any:
    client.force_login(cast.users[username])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def _csv(response: Any) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_it_exports_exactly_the_rows_the_list_shows_for_a_filter(client, cast):
    c = _as(client, cast, "hebei_viewer")
    page = c.get(LIST, {"area": "130000"})
    shown = [i.name for i in page.context["page"].object_list]
    assert 'data-testid="list-export"' in page.content.decode()
    header, *rows = _csv(c.post(EXPORT, {"area": "130000", "format": "csv"}))
    assert header[:3] == ["Name", "English name", "Kind"]
    assert [r[0] for r in rows] == shown and len(shown) == 3
    branch = next(r for r in rows if r[0] == "Sanhe Experimental Dachang campus")
    assert branch[6] == "Sanhe Experimental"
    event = AuditEvent.objects.get(action="institutions.export")
    assert event.detail["rows"] == 3 and event.detail["params"] == {"area": "130000"}


def test_the_mine_filter_exports_only_the_institutions_the_actor_keeps(client, cast):
    _header, *rows = _csv(_as(client, cast, "sanhe").post(EXPORT, {"mine": "on", "format": "csv"}))
    assert [r[0] for r in rows] == ["Sanhe Experimental"]


@pytest.mark.parametrize("username", ["teacher", "secadmin", "auditor", "nobody"])
def test_it_refuses_whoever_does_not_read_the_directory(client, cast, username):
    assert _as(client, cast, username).post(EXPORT, {"format": "csv"}).status_code == 403
    assert_error(Api(cast).post(f"{API}?format=csv", as_=username), 403, "forbidden")
    assert not AuditEvent.objects.filter(action="institutions.export").exists()


def test_the_api_exports_the_lists_filters_in_chinese(cast):
    response = Api(cast).post(
        f"{API}?{urlencode({'kind': 'senior', 'format': 'xlsx'})}", as_="beijing", lang="zh-hans"
    )
    assert response.status_code == 200
    header, *rows = _cells(b"".join(response.streaming_content))
    assert header[0][2] == "名称" and [r[0][2] for r in rows] == ["Xiongxian No. 1"]


def test_cells_that_a_spreadsheet_would_run_are_defused(client, cast):
    make_institution("=HYPERLINK(1)", "131082")
    _header, *rows = _csv(_as(client, cast, "sanhe").post(EXPORT, {"format": "csv"}))
    assert "'=HYPERLINK(1)" in {r[0] for r in rows}


def test_the_console_exports_a_regions_institutions(cast, tmp_path):
    target = tmp_path / "inst.csv"
    call_command("export", "institutions", "--region", "110000", "--lang", "en", str(target),
                 stderr=io.StringIO())  # fmt: skip
    _header, *rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [r[0] for r in rows] == ["Tongzhou No. 1"]
    assert AuditEvent.objects.get(action="institutions.export").detail["delivery"] == "file"
