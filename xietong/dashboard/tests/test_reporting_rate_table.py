"""The dashboard's reporting-rate table: the bodies in the viewer's area, one quarter, and
each count linked to the reports list whose count is that number."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xietong.dashboard.scope import ALL
from xietong.plan.choices import ReportStatus
from xietong.plan.reports.tests import world as w


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@pytest.fixture
def pw(cast):
    pw = w.plan_world(cast)
    w.report(pw, "sanhe", "2025Q2", ReportStatus.SUBMITTED, submitted_at=_at(dt.date(2025, 7, 10)))
    w.report(pw, "hebei", "2025Q2", ReportStatus.ACCEPTED, submitted_at=_at(dt.date(2025, 8, 30)))
    w.report(pw, "hebei", "2025Q2", ReportStatus.ACCEPTED, task=pw.other_task)  # not expected
    w.report(pw, "sanhe", "2025Q1", ReportStatus.RETURNED, submitted_at=_at(dt.date(2025, 5, 2)))
    return pw


def _get(cast, who: str, url: str) -> str:
    c = Client()
    c.force_login(cast.users[who])
    response = c.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _cells(html: str) -> dict[tuple[str, str], tuple[int, str]]:
    table = html[html.index('data-testid="reporting-rate"') :]
    table = table[: table.index("</table>")]
    out = {}
    for row in re.findall(r'<tr data-testid="rate-row">(.*?)</tr>', table, re.S):
        body = re.search(r"<td>(.*?)</td>", row).group(1)
        for url, key, value in re.findall(
            r'<a href="([^"]+)" data-testid="rate-(\w+)">(\d+)</a>', row
        ):
            out[(body, key)] = (int(value), url.replace("&amp;", "&"))
    return out


def _listed(cast, who: str, url: str) -> int:
    html = _get(cast, who, url)
    if 'data-testid="report-table"' not in html:
        return 0
    table = html[html.index('data-testid="report-table"') :]
    table = table[: table.index("</table>")]
    return len(set(re.findall(r'href="/plan/reports/(\d+)/"', table)))


def test_each_number_of_the_table_equals_the_count_of_its_list(cast, pw):
    html = _get(cast, "beijing", reverse("dashboard:overview") + f"?period=2025Q2&scope={ALL}")
    cells = _cells(html)
    assert cells[("河北省教育厅", "submitted")][0] == 1
    assert cells[("河北省教育厅", "on_time")][0] == 0  # after its due date
    assert cells[("河北省教育厅", "accepted")][0] == 1
    assert cells[("三河市教育局", "on_time")][0] == 1
    assert cells[("北京市教育委员会", "submitted")][0] == 0
    for (_body, _key), (value, url) in cells.items():
        assert _listed(cast, "beijing", url) == value, url


def test_the_table_keeps_to_the_viewers_area(cast, pw):
    html = _get(cast, "beijing", reverse("dashboard:overview") + "?period=2025Q2")
    assert {body for body, _ in _cells(html)} == {"北京市教育委员会"}  # its own province
    html = _get(cast, "sanhe", reverse("dashboard:overview") + "?period=2025Q2")
    bodies = {body for body, _ in _cells(html)}
    assert bodies == {"三河市教育局"}


def test_a_period_after_the_plan_shows_its_last_quarter_and_says_so(cast, pw, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 5, 10))
    url = reverse("dashboard:overview") + f"?period=2026Q1&scope={ALL}"
    html = _get(cast, "beijing", url)
    assert "显示计划的最后一个季度 2025Q4：2026Q1 已在计划期之后。" in html
    c = Client()
    c.force_login(cast.users["beijing"])
    c.cookies["django_language"] = "en"
    english = c.get(url).content.decode()
    assert "Showing 2025Q4, the plan&#x27;s last quarter: 2026Q1 is after the plan." in english
    chosen = _get(cast, "beijing", reverse("dashboard:overview") + f"?period=2025Q2&scope={ALL}")
    assert 'data-testid="reporting-rate"' in chosen and 'data-testid="rate-note"' not in chosen


def test_a_quarter_not_yet_ended_shows_the_latest_ended_one_and_says_so(cast, pw):
    from django.utils import translation

    from xietong.core.periods import read
    from xietong.dashboard import rates
    from xietong.dashboard.scope import area_for

    actor = cast.actor("beijing")  # today is 2025-11-20: 2025Q4 has not ended
    with translation.override("en"):
        shown = rates.rate_view(actor, area_for(actor, ALL), pw.plan, read("2025Q4"))
    assert shown is not None and shown.period == "2025Q3"
    assert shown.note == "Showing 2025Q3, the plan's latest quarter that has ended."
