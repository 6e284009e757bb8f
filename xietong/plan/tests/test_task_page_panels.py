"""The task page shows the panels the indicators and the progress reports plug in (page
"plan.task"): each indicator with its latest value, target, progress and outlook, and the
reports the reader may read — in a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xietong.plan.choices import IndicatorSource, ReportStatus, Unit, ValueOrigin, ValueStatus
from xietong.plan.models import Indicator, IndicatorValue
from xietong.plan.reports.tests import world as w


@pytest.fixture
def pw(cast):
    pw = w.plan_world(cast)
    ind = Indicator.objects.create(
        key="paired-schools",
        name="结对学校数",
        source=IndicatorSource.COMPUTED,
        numerator="partnerships.cooperating_hebei",
        unit=Unit.COUNT,
        baseline=Decimal(100),
        baseline_period="2023Q4",
        target=Decimal(300),
        target_date=dt.date(2025, 12, 31),
    )
    ind.tasks.add(pw.task)
    for period, value in (("2024Q4", 150), ("2025Q1", 160), ("2025Q2", 170), ("2025Q3", 180)):
        IndicatorValue.objects.create(
            indicator=ind,
            period=period,
            value=Decimal(value),
            origin=ValueOrigin.SNAPSHOT,
            status=ValueStatus.APPROVED,
        )
    pw.indicator = ind  # type: ignore[attr-defined]
    return pw


def _page(cast, who, task):
    c = Client()
    c.force_login(cast.users[who])
    response = c.get(reverse("plan:task", args=[task.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_each_indicator_with_its_latest_value_target_progress_and_outlook(cast, pw):
    html = _page(cast, "beijing", pw.task)
    panel = html[html.index('id="section-indicators"') : html.index('id="section-reports"')]
    assert reverse("plan_indicators:detail", kwargs={"key": "paired-schools"}) in panel
    assert "结对学校数" in panel and ">180<" in panel.replace(" ", "")  # the latest value
    assert "2025Q3" in panel and ">300<" in panel.replace(" ", "")  # its period, the target
    assert "40.0%" in panel  # (180 - 100) / (300 - 100) of the way
    assert "At risk" in panel or "有风险" in panel  # +10 a quarter does not reach 300


def test_it_shows_the_reports_the_reader_may_read_and_no_other(cast, pw):
    w.report(pw, "sanhe", "2025Q2", ReportStatus.SUBMITTED)
    w.report(pw, "sanhe", "2025Q3", ReportStatus.DRAFT)
    filer = _page(cast, "sanhe", pw.task)
    assert 'id="section-reports"' in filer and "2025Q2" in filer and "2025Q3" in filer
    viewer = _page(cast, "hebei_viewer", pw.task)  # over the body's region: submitted only
    reports = viewer[viewer.index('id="section-reports"') :]
    assert "2025Q2" in reports and "2025Q3" not in reports
    outsider = _page(cast, "tongzhou", pw.task)  # reads the plan, not 三河's reports
    reports = outsider[outsider.index('id="section-reports"') :]
    assert "三河市教育局" not in reports and 'data-testid="task-indicators"' in outsider


def test_it_renders_the_task_page_in_a_bounded_number_of_queries(cast, pw):
    def count() -> int:
        c = Client()
        c.force_login(cast.users["beijing"])
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("plan:task", args=[pw.task.pk])).status_code == 200
        return len(ctx)

    w.report(pw, "sanhe", "2025Q2", ReportStatus.SUBMITTED)
    few = count()
    for period in ("2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1"):
        w.report(pw, "sanhe", period, ReportStatus.SUBMITTED)
        w.report(pw, "hebei", period, ReportStatus.ACCEPTED)
    assert count() == few
    assert few < 40
