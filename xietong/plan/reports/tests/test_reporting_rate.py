"""The reporting rate per body and quarter: expected, submitted, on time, accepted — scoped
to the viewer and counted by the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xietong.plan.choices import ReportStatus
from xietong.plan.reports import selectors as sel
from xietong.plan.reports.tests import world as w

TODAY = dt.date(2026, 12, 1)
QUARTERS = ["2023Q4", *(f"{y}Q{q}" for y in (2024, 2025) for q in (1, 2, 3, 4))]


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@pytest.fixture
def pw(cast):
    pw = w.plan_world(cast)
    w.report(pw, "sanhe", "2025Q2", ReportStatus.SUBMITTED, submitted_at=_at(dt.date(2025, 7, 10)))
    w.report(pw, "sanhe", "2025Q1", ReportStatus.RETURNED, submitted_at=_at(dt.date(2025, 5, 2)))
    w.report(pw, "sanhe", "2025Q3", ReportStatus.DRAFT)
    w.report(pw, "hebei", "2025Q2", ReportStatus.ACCEPTED, submitted_at=_at(dt.date(2025, 7, 15)))
    # A report on a task the body does not report on is not expected and not counted.
    w.report(pw, "hebei", "2025Q2", ReportStatus.ACCEPTED, task=pw.other_task)
    return pw


def _rows(table):
    return {
        (r.body.name, r.period): (r.expected, r.submitted, r.on_time, r.accepted)
        for r in table.rows
    }


def test_it_counts_expected_submitted_on_time_and_accepted_per_body_and_quarter(cast, pw):
    table = sel.reporting_rate(cast.actor("beijing"), pw.plan, today=TODAY)
    assert table.periods == QUARTERS
    rows = _rows(table)
    assert rows[("三河市教育局", "2025Q2")] == (1, 1, 1, 0)
    assert rows[("三河市教育局", "2025Q1")] == (1, 1, 0, 0)  # submitted after its due date
    assert rows[("三河市教育局", "2025Q3")] == (1, 0, 0, 0)  # a draft is not submitted
    assert rows[("河北省教育厅", "2025Q2")] == (1, 1, 1, 1)  # on its due date is on time
    assert rows[("北京市教育委员会", "2025Q2")] == (1, 0, 0, 0)
    assert len(rows) == 3 * len(QUARTERS)
    assert table.totals["2025Q2"].expected == 3 and table.totals["2025Q2"].submitted == 2
    assert (
        next(r for r in table.rows if r.period == "2025Q2" and r.body.name == "三河市教育局").rate
        == 100.0
    )


def test_it_only_counts_quarters_that_have_ended(cast, pw):
    table = sel.reporting_rate(cast.actor("beijing"), pw.plan, today=dt.date(2025, 8, 1))
    assert table.periods[-1] == "2025Q2"


@pytest.mark.parametrize(
    ("user", "bodies"),
    [
        ("beijing", {"北京市教育委员会", "河北省教育厅", "三河市教育局"}),
        ("hebei_viewer", {"河北省教育厅", "三河市教育局"}),
        ("sanhe", {"三河市教育局"}),
        ("tongzhou", set()),
        ("school_admin", set()),
    ],
)
def test_it_shows_each_viewer_the_bodies_of_its_scope(cast, pw, user, bodies):
    table = sel.reporting_rate(cast.actor(user), pw.plan, today=TODAY)
    assert {r.body.name for r in table.rows} == bodies


def test_it_reads_the_rate_in_a_bounded_number_of_queries_whatever_the_reports(cast, pw):
    actor = cast.actor("hebei_viewer")
    with CaptureQueriesContext(connection) as few:
        sel.reporting_rate(actor, pw.plan, today=TODAY)
    for period in QUARTERS[:6]:
        w.report(pw, "hebei", period, ReportStatus.SUBMITTED)
    with CaptureQueriesContext(connection) as more:
        sel.reporting_rate(actor, pw.plan, today=TODAY)
    assert len(more) == len(few) <= 5


def test_it_serves_the_rate_as_a_page_and_through_the_api(cast, pw):
    from xietong.accounts.services import create_token

    client = Client()
    client.force_login(cast.users["hebei_viewer"])
    page = client.get(reverse("plan_reports:rate"))
    assert page.status_code == 200 and "三河市教育局" in page.content.decode()
    token = create_token(cast.actor("sanhe"), "t")[1]
    data = client.get(
        "/api/plan/reports/rate?period=2025Q1", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    assert data["periods"] == ["2025Q1"]
    assert [(r["body"]["name"], r["submitted"], r["on_time"]) for r in data["rows"]] == [
        ("三河市教育局", 1, 0)
    ]
    bad = client.get("/api/plan/reports/rate?period=soon", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bad.status_code == 422
