"""The placement export: exactly the placement list's rows for its filters, as xlsx or CSV,
through the page and the API — for its two sides and the authorities over them, never the
teachers or an authority elsewhere; audited, formulas defused."""

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
from xietong.exchanges import services
from xietong.exchanges.models import Placement
from xietong.exchanges.tests.conftest import Ex, approve

EXPORT = reverse("exchanges:placement_export")
LIST = reverse("exchanges:placement_list")
API = "/api/exchanges/placements/export"


@pytest.fixture
def placed(ex: Ex) -> Placement:
    """Tina's placement at Tongzhou No. 1, confirmed."""
    teacher = ex.actor("teacher")
    app = services.create_application(teacher, ex.program.pk, choices=[ex.offer.pk], submit=True)
    approve(ex, app.pk)
    services.assign_place(ex.actor("sanhe"), app.pk, ex.offer.slots.get().pk)
    return services.confirm_application(teacher, app.pk)


def _as(client: Any, ex: Ex, username: str, lang: str = "en") -> Any:
    client.force_login(ex.cast.users[username])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def _csv(response: Any) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("username", ["sanhe", "tongzhou", "school_admin"])
def test_each_side_exports_the_rows_its_list_shows(client, ex, placed, username):
    c = _as(client, ex, username)
    page = c.get(LIST)
    shown = [p.application.applicant.name for p in page.context["page"].object_list]
    assert 'data-testid="list-export"' in page.content.decode()
    header, *rows = _csv(c.post(EXPORT, {"format": "csv"}))
    assert header[:4] == ["Teacher", "Program", "Home institution", "Host institution"]
    assert [r[0] for r in rows] == shown == ["李三河"]
    assert rows[0][2:5] == ["Sanhe Experimental", "Tongzhou No. 1", "王北京"]
    event = AuditEvent.objects.get(action="exchanges.placements.export")
    assert event.detail["rows"] == 1 and event.actor_name == username


def test_an_authority_elsewhere_and_a_filter_that_excludes_it_export_no_row(client, ex, placed):
    _header, *rows = _csv(_as(client, ex, "beijing").post(EXPORT, {"format": "csv"}))
    beijing = [r[0] for r in rows]  # 北京市 is over the host: it reads the placement
    assert beijing == ["李三河"]
    api = Api(ex.cast).post(f"{API}?status=completed&format=csv", as_="sanhe")
    assert _csv(api)[1:] == []


@pytest.mark.parametrize("username", ["teacher", "secadmin", "auditor", "nobody", "sysadmin"])
def test_it_refuses_whoever_may_not_export_placements(client, ex, placed, username):
    assert _as(client, ex, username).post(EXPORT, {"format": "csv"}).status_code == 403
    assert_error(Api(ex.cast).post(f"{API}?format=csv", as_=username), 403, "forbidden")
    assert not AuditEvent.objects.filter(action="exchanges.placements.export").exists()


def test_cells_that_a_spreadsheet_would_run_are_defused_and_headers_are_chinese(client, ex, placed):
    ex.cast.sanhe_teacher.name = "@SUM(1)"
    ex.cast.sanhe_teacher.save(update_fields=["name"])
    c = _as(client, ex, "sanhe", lang="zh-hans")
    _header, row = _csv(c.post(EXPORT, {"format": "csv"}))
    assert row[0] == "'@SUM(1)"
    header, *_rows = _cells(b"".join(c.post(EXPORT, {"format": "xlsx"}).streaming_content))
    assert header[0][2] == "教师"
