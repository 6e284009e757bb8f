"""The daily reminders of progress reports due soon or overdue: once per report and stage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xietong.jobs import registry, schedule
from xietong.jobs import services as jobs
from xietong.notifications.kinds import render_link
from xietong.notifications.models import Notification
from xietong.plan.choices import ReportStatus
from xietong.plan.reports.models import ReportReminder
from xietong.plan.reports.reminders import send_reminders
from xietong.plan.reports.tasks import REMIND_JOB
from xietong.plan.reports.tests import world as w

# 2025Q3 is due on 2025-10-15 (in 5 days); 2025Q2 was due on 2025-07-15 (overdue).
TODAY = dt.date(2025, 10, 10)


@pytest.fixture
def pw(cast):
    pw = w.plan_world(cast)
    w.report(pw, "hebei", "2025Q3", ReportStatus.SUBMITTED)  # filed: no reminder
    w.report(pw, "sanhe", "2025Q2", ReportStatus.RETURNED)  # filed once: not overdue
    w.report(pw, "sanhe", "2025Q3", ReportStatus.DRAFT)  # a draft is still due
    return pw


def _sent():
    return sorted(
        (n.recipient.username, n.code, n.params["period"])
        for n in Notification.objects.select_related("recipient")
    )


def test_it_reminds_the_bodies_of_reports_due_soon_or_overdue_once(cast, pw):
    counts = send_reminders(TODAY)
    assert counts == {"due": 2, "overdue": 2, "notifications": 4}
    assert _sent() == [
        ("beijing", "plan.report_due", "2025Q3"),
        ("beijing", "plan.report_overdue", "2025Q2"),
        ("hebei", "plan.report_overdue", "2025Q2"),
        ("sanhe", "plan.report_due", "2025Q3"),
    ]
    assert ReportReminder.objects.count() == 4
    assert send_reminders(TODAY) == {"due": 0, "overdue": 0, "notifications": 0}
    assert send_reminders(TODAY + dt.timedelta(days=1))["notifications"] == 0
    assert Notification.objects.count() == 4


def test_it_reminds_again_when_a_due_report_becomes_overdue(cast, pw):
    send_reminders(TODAY)
    later = send_reminders(dt.date(2025, 10, 20))
    assert later["overdue"] == 2 and later["due"] == 0  # 2025Q3 of 三河 and 北京
    assert ("sanhe", "plan.report_overdue", "2025Q3") in _sent()


def test_it_links_a_reminder_to_the_draft_or_the_new_report_page(cast, pw):
    send_reminders(TODAY)
    n = Notification.objects.get(recipient__username="sanhe")
    link = render_link(n.code, n.target_id, n.params)
    assert link.startswith("/plan/reports/new/?task=") and "period=2025Q3" in link


def test_it_runs_the_reminders_as_a_daily_scheduled_job(cast, pw, monkeypatch):
    assert registry.get(REMIND_JOB).every == "daily"
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    queued = [j for j in schedule.tick(dispatch=False).queued if j.kind == REMIND_JOB]
    assert len(queued) == 1
    done = jobs.run_now(queued[0])
    assert done.status == "succeeded" and done.result["notifications"] == 4
