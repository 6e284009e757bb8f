"""The activity export: exactly the activity list's rows for its filters, newest first, as
xlsx or CSV, through the page and the API — only the activities the reader may see, for the
list's readers only; audited, formulas defused."""

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
from xietong.partnerships.choices import ActivityKind, MemberRole
from xietong.partnerships.models import Activity
from xietong.partnerships.tests import activity_world as w
from xietong.partnerships.tests.conftest import make_partnership

EXPORT = reverse("partnerships:activity_export")
LIST = reverse("partnerships:activities")
API = "/api/partnerships/activities/export"


def _as(client: Any, cast: Any, username: str, lang: str = "en") -> Any:
    client.force_login(cast.users[username])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def _csv(response: Any) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def logged(cast):
    """Two activities of the Tongzhou–Sanhe community, one of a Beijing-only partnership."""
    p = w.community(cast, w.PartnershipStatus.ACTIVE)
    w.activity_of(cast, p, "同课异构")
    w.activity_of(cast, p, "+1 联合教研")
    beijing = make_partnership("北京联盟", "110000", [(cast.tongzhou_school, MemberRole.LEAD)])
    a = Activity.objects.create(
        partnership=beijing,
        kind=ActivityKind.SHARED_LESSON,
        title="北京内部活动",
        occurred_on=w.DAY,
        logged_for=beijing.members.get(),
    )
    a.institutions.set([cast.tongzhou_school])
    return a


def test_it_exports_exactly_the_rows_the_list_shows(client, cast, logged):
    c = _as(client, cast, "sanhe")
    page = c.get(LIST)
    shown = [a.title for a in page.context["page"].object_list]
    assert 'data-testid="list-export"' in page.content.decode()
    header, *rows = _csv(c.post(EXPORT, {"format": "csv"}))
    assert header[:4] == ["Date", "Kind", "Title", "Partnership"]
    assert [r[2].removeprefix("'") for r in rows] == shown and len(shown) == 2
    assert "'+1 联合教研" in {r[2] for r in rows}  # defused
    assert "北京内部活动" not in shown  # outside 三河's scope
    assert rows[0][4] in (
        "Sanhe Experimental、Tongzhou No. 1",
        "Tongzhou No. 1、Sanhe Experimental",
    )
    event = AuditEvent.objects.get(action="partnerships.activities.export")
    assert event.detail["rows"] == 2


def test_a_filter_narrows_the_export_through_the_api(cast, logged):
    api = Api(cast).post(f"{API}?partnership={logged.partnership_id}&format=csv", as_="beijing")
    assert [r[2] for r in _csv(api)[1:]] == ["北京内部活动"]


@pytest.mark.parametrize("username", ["teacher", "secadmin", "auditor", "nobody"])
def test_it_refuses_whoever_does_not_read_partnerships(client, cast, logged, username):
    assert _as(client, cast, username).post(EXPORT, {"format": "csv"}).status_code == 403
    assert_error(Api(cast).post(f"{API}?format=csv", as_=username), 403, "forbidden")
    assert not AuditEvent.objects.filter(action="partnerships.activities.export").exists()


def test_it_writes_chinese_headers_for_a_chinese_reader(client, cast, logged):
    response = _as(client, cast, "sanhe", lang="zh-hans").post(EXPORT, {"format": "xlsx"})
    header, *_rows = _cells(b"".join(response.streaming_content))
    assert header[2][2] == "标题"
