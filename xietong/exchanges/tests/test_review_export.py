"""The review queue export: exactly one queue's rows for the review page's filters, as xlsx
or CSV, through the page and the API — the school's queue for its admin, the authority's for
its admin, no one else's; audited, formulas defused."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from xietong.accounts.models import AuditEvent
from xietong.api_tests.conftest import Api, assert_error
from xietong.conftest import make_staff
from xietong.core.tests.test_tables import _cells
from xietong.exchanges import services
from xietong.exchanges.tests.conftest import Ex, recommend

EXPORT = reverse("exchanges:review_export")
PAGE = reverse("exchanges:review")
API = "/api/exchanges/review/{queue}/export"


@pytest.fixture
def applied(ex: Ex) -> list[Any]:
    """Two submitted applications from Sanhe Experimental; the first recommended."""
    apps = []
    for i, name in enumerate(["=1+1 张", "李四"]):
        staff = make_staff(name, ex.cast.sanhe_school, 300 + i, position="teacher")
        apps.append(
            services.create_application(
                ex.actor("school_admin"),
                ex.program.pk,
                choices=[ex.offer.pk],
                applicant=staff.pk,
                submit=True,
            )
        )
    recommend(ex, apps[0].pk)
    return apps


def _as(client: Any, ex: Ex, username: str, lang: str = "en") -> Any:
    client.force_login(ex.cast.users[username])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def _csv(response: Any) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_school_exports_its_queue_as_the_page_shows_it(client, ex, applied):
    c = _as(client, ex, "school_admin")
    page = c.get(PAGE)
    shown = [a.applicant.name for a in page.context["recommend"]["page"].object_list]
    assert 'name="queue" value="recommend"' in page.content.decode()
    header, *rows = _csv(c.post(EXPORT, {"queue": "recommend", "format": "csv"}))
    assert header[:4] == ["Applicant", "Home institution", "Program", "Choices"]
    assert [r[0] for r in rows] == shown == ["李四"]
    assert rows[0][3] == "1. Tongzhou No. 1"
    event = AuditEvent.objects.get(action="exchanges.review.export")
    assert event.detail["params"] == {"queue": "recommend"} and event.detail["rows"] == 1


def test_the_authority_exports_its_queue_with_a_filter_and_formulas_defused(client, ex, applied):
    c = _as(client, ex, "sanhe")
    _header, *rows = _csv(c.post(EXPORT, {"queue": "approve", "format": "csv"}))
    assert [r[0] for r in rows] == ["'=1+1 张"]
    api = Api(ex.cast).post(API.format(queue="approve") + "?q=李&format=csv", as_="sanhe")
    assert _csv(api)[1:] == []


def test_a_queue_that_is_not_yours_or_no_queue_is_refused(client, ex, applied):
    c = _as(client, ex, "school_admin")
    assert c.post(EXPORT, {"queue": "approve", "format": "csv"}).status_code == 403
    assert_error(Api(ex.cast).post(API.format(queue="recommend") + "?format=csv", as_="sanhe"), 403)
    missing = c.post(EXPORT, {"format": "csv"})
    assert missing.status_code == 302 and missing["Location"].startswith(PAGE)
    assert not AuditEvent.objects.filter(action="exchanges.review.export").exists()


@pytest.mark.parametrize("username", ["teacher", "hebei_viewer", "sysadmin", "auditor", "nobody"])
def test_it_refuses_whoever_does_not_review(client, ex, applied, username):
    c = _as(client, ex, username)
    assert c.post(EXPORT, {"queue": "recommend", "format": "csv"}).status_code == 403
    url = API.format(queue="recommend") + "?format=csv"
    assert_error(Api(ex.cast).post(url, as_=username), 403, "forbidden")


def test_it_writes_chinese_headers_for_a_chinese_reader(client, ex, applied):
    c = _as(client, ex, "sanhe", lang="zh-hans")
    response = c.post(EXPORT, {"queue": "approve", "format": "xlsx"})
    header, *_rows = _cells(b"".join(response.streaming_content))
    assert header[0][2] == "申请人"
