"""The partnership export: exactly the partnership list's rows for its filters, in its
order, as xlsx or CSV, through the page and the API — only the partnerships the reader may
see, for the list's readers only; audited, formulas defused."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from xietong.accounts.models import AuditEvent
from xietong.api_tests.conftest import Api, assert_error
from xietong.core.tests.test_tables import _cells
from xietong.partnerships.choices import MemberRole
from xietong.partnerships.tests.conftest import make_partnership

EXPORT = reverse("partnerships:export")
LIST = reverse("partnerships:list")
API = "/api/partnerships/export"


def _as(client: Any, cast: Any, username: str, lang: str = "en") -> Any:
    client.force_login(cast.users[username])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def _csv(response: Any) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def beijing_only(cast):
    """A partnership of Beijing schools only: outside 三河's scope."""
    return make_partnership(
        "=HYPERLINK(1) 北京联盟", "110000", [(cast.tongzhou_school, MemberRole.LEAD)]
    )


def test_it_exports_exactly_the_rows_the_list_shows(client, cast, paired, beijing_only):
    c = _as(client, cast, "beijing")
    page = c.get(LIST)
    shown = [p.name for p in page.context["page"].object_list]
    assert 'data-testid="list-export"' in page.content.decode()
    header, *rows = _csv(c.post(EXPORT, {"format": "csv"}))
    assert header[:3] == ["Name", "Kind", "Managing region"]
    assert [r[0].removeprefix("'") for r in rows] == shown and len(shown) == 2
    assert "'=HYPERLINK(1) 北京联盟" in {r[0] for r in rows}  # defused
    event = AuditEvent.objects.get(action="partnerships.export")
    assert event.detail["rows"] == 2


def test_out_of_scope_partnerships_are_absent_and_a_filter_narrows(
    client, cast, paired, beijing_only
):
    _header, *rows = _csv(_as(client, cast, "sanhe").post(EXPORT, {"format": "csv"}))
    assert [r[0] for r in rows] == [paired.name]
    api = Api(cast).post(f"{API}?q=草案&format=csv", as_="sanhe")
    assert _csv(api)[1:] == []


@pytest.mark.parametrize("username", ["teacher", "secadmin", "auditor", "nobody"])
def test_it_refuses_whoever_does_not_read_partnerships(client, cast, paired, username):
    assert _as(client, cast, username).post(EXPORT, {"format": "csv"}).status_code == 403
    assert_error(Api(cast).post(f"{API}?format=csv", as_=username), 403, "forbidden")
    assert not AuditEvent.objects.filter(action="partnerships.export").exists()


def test_it_writes_chinese_headers_for_a_chinese_reader(client, cast, paired):
    response = _as(client, cast, "sanhe", lang="zh-hans").post(EXPORT, {"format": "xlsx"})
    header, first = _cells(b"".join(response.streaming_content))
    assert header[0][2] == "名称" and first[0][2] == paired.name
