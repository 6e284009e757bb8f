"""The progress reports' queues on the workbench: a body's admin sees the report returned to
it, a reviewer the report submitted to it, each linked to the report; a teacher sees
neither."""

from __future__ import annotations

from django.urls import reverse

from xietong.plan.choices import ReportStatus
from xietong.plan.reports.tests import world as w
from xietong.workbench.tests.conftest import count, english, queue


def home(client, cast, username: str) -> str:
    client.force_login(cast.users[username])
    english(client)
    return client.get(reverse("workbench:home")).content.decode()


def test_a_bodys_admin_sees_the_report_returned_to_it(client, cast):
    pw = w.plan_world(cast)
    returned = w.report(pw, "sanhe", "2025Q1", ReportStatus.RETURNED)
    w.report(pw, "hebei", "2025Q1", ReportStatus.RETURNED)  # another body's
    html = home(client, cast, "sanhe")
    panel = queue(html, "plan-reports-to-file")
    assert count(html, "plan-reports-to-file") == 1
    assert "T1 开展结对帮扶 · 2025Q1 · 三河市教育局" in panel
    assert reverse("plan_reports:detail", args=[returned.pk]) in panel
    assert "Revise it and submit it again" in panel
    assert "plan-reports-to-review" not in html or count(html, "plan-reports-to-review") is None


def test_a_reviewer_sees_the_submitted_report_until_it_is_accepted(client, cast):
    pw = w.plan_world(cast)
    submitted = w.report(pw, "sanhe", "2025Q2", ReportStatus.SUBMITTED)
    w.report(pw, "sanhe", "2025Q3", ReportStatus.DRAFT)  # not yet the reviewer's
    html = home(client, cast, "beijing")
    panel = queue(html, "plan-reports-to-review")
    assert count(html, "plan-reports-to-review") == 1
    assert reverse("plan_reports:detail", args=[submitted.pk]) in panel
    assert "2025Q3" not in panel
    submitted.state = ReportStatus.ACCEPTED
    submitted.save(update_fields=["state"])
    assert count(home(client, cast, "beijing"), "plan-reports-to-review") is None


def test_a_teacher_sees_neither_queue(client, cast):
    pw = w.plan_world(cast)
    w.report(pw, "sanhe", "2025Q1", ReportStatus.RETURNED)
    w.report(pw, "sanhe", "2025Q2", ReportStatus.SUBMITTED)
    html = home(client, cast, "teacher")
    assert 'data-testid="section-teacher"' in html
    assert "plan-reports-to-file" not in html and "plan-reports-to-review" not in html
