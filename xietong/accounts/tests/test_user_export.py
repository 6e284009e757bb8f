"""The account export: exactly the account list's rows for its search and state, by user
name, as xlsx or CSV, through the page and the API — for the security admin only;
audited, formulas defused."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from xietong.accounts.models import AuditEvent, User
from xietong.api_tests.conftest import Api, assert_error
from xietong.core.tests.test_tables import _cells

EXPORT = reverse("accounts:user_export")
LIST = reverse("accounts:users")
API = "/api/accounts/users/export"


def _as(client: Any, cast: Any, username: str = "secadmin", lang: str = "en") -> Any:
    client.force_login(cast.users[username])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def _csv(response: Any) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_it_exports_exactly_the_accounts_the_list_shows_for_a_search(client, cast):
    c = _as(client, cast)
    page = c.get(LIST, {"q": "san"})
    shown = [u.username for u in page.context["page"].object_list]
    assert 'data-testid="list-export"' in page.content.decode()
    header, *rows = _csv(c.post(EXPORT, {"q": "san", "format": "csv"}))
    assert header == ["User name", "Display name", "Roles", "Status", "Last sign-in"]
    assert [r[0] for r in rows] == shown == ["sanhe"]
    assert rows[0][2].startswith("Authority admin") and rows[0][3] == "Enabled"
    event = AuditEvent.objects.get(action="accounts.users.export")
    assert event.detail["params"] == {"q": "san"} and event.detail["rows"] == 1


def test_the_state_filter_narrows_and_formulas_are_defused(client, cast):
    User.objects.create_user(
        username="=evil", password="x" * 12, display_name="@x", is_active=False
    )
    _header, *rows = _csv(_as(client, cast).post(EXPORT, {"state": "inactive", "format": "csv"}))
    assert rows == [["'=evil", "'@x", "", "Deactivated", ""]]
    api = Api(cast).post(f"{API}?state=locked&format=csv", as_="secadmin")
    assert _csv(api)[1:] == []


@pytest.mark.parametrize("username", ["sysadmin", "auditor", "sanhe", "teacher", "nobody"])
def test_it_lets_only_the_security_admin_export_accounts(client, cast, username):
    assert _as(client, cast, username).post(EXPORT, {"format": "csv"}).status_code == 403
    assert_error(Api(cast).post(f"{API}?format=csv", as_=username), 403, "forbidden")
    assert not AuditEvent.objects.filter(action="accounts.users.export").exists()


def test_it_writes_chinese_headers_for_a_chinese_reader(client, cast):
    response = _as(client, cast, lang="zh-hans").post(EXPORT, {"format": "xlsx"})
    header, *_rows = _cells(b"".join(response.streaming_content))
    assert header[0][2] == "用户名"
