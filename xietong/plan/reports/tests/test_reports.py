"""Filing, returning and accepting progress reports, and the refusals of bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from xietong.accounts.models import AuditEvent
from xietong.attachments import services as attachments
from xietong.attachments.tests.corpus import PDF
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.notifications.kinds import render_text
from xietong.notifications.models import Notification
from xietong.plan.choices import IndicatorSource, ReportStatus, TaskStatus, Unit, ValueOrigin
from xietong.plan.models import Indicator, IndicatorValue, ProgressReport, ReviewNote
from xietong.plan.reports import services
from xietong.plan.reports.tests import world as w

S = services.ReportIn


@pytest.fixture
def pw(cast):
    return w.plan_world(cast)


def _file(actor, pw, period="2025Q3", **extra):
    data = S(
        period=period, progress=extra.pop("progress", TaskStatus.ON_TRACK), narrative=w.NARRATIVE
    )
    return services.start_report(actor, pw.task.pk, data, **extra)


def test_it_files_returns_resubmits_and_accepts_a_report_with_its_notifications(cast, pw):
    sanhe, beijing = cast.actor("sanhe"), cast.actor("beijing")
    report = _file(sanhe, pw, progress=TaskStatus.AT_RISK)
    assert report.state == ReportStatus.DRAFT and report.body == pw.bodies["sanhe"]
    assert report.due_on == dt.date(2025, 10, 15)
    attachments.attach(sanhe, report, SimpleUploadedFile("证明.pdf", PDF), kind="evidence")

    services.submit_report(sanhe, report.pk)
    report.refresh_from_db()
    assert report.state == ReportStatus.SUBMITTED and report.submitted_at is not None
    told = set(
        Notification.objects.filter(code="plan.report_submitted").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"beijing", "hebei", "tianjin"}  # the signatories; 三河 is not one

    services.return_report(beijing, report.pk, "请补充结对学校名单。")
    report.refresh_from_db()
    assert report.state == ReportStatus.RETURNED and report.review_comment == "请补充结对学校名单。"
    returned = Notification.objects.get(code="plan.report_returned")
    assert returned.recipient.username == "sanhe"
    with translation.override("zh-hans"):
        assert "被退回" in render_text(returned.code, returned.params)
    with translation.override("en"):
        assert "was returned" in render_text(returned.code, returned.params)

    services.edit_report(
        sanhe, report.pk, S(period="2025Q3", progress="on_track", narrative="已补充名单。")
    )
    services.submit_report(sanhe, report.pk)
    services.accept_report(beijing, report.pk)
    report.refresh_from_db()
    pw.task.refresh_from_db()
    assert report.state == ReportStatus.ACCEPTED and pw.task.status == TaskStatus.ON_TRACK
    assert list(ReviewNote.objects.filter(report=report).values_list("verdict", flat=True)) == [
        "returned",
        "accepted",
    ]
    assert Notification.objects.filter(code="plan.report_accepted", recipient__username="sanhe")
    actions = set(
        AuditEvent.objects.filter(action__startswith="plan.report.").values_list(
            "action", flat=True
        )
    )
    assert actions == {
        "plan.report.start",
        "plan.report.submit",
        "plan.report.return",
        "plan.report.edit",
        "plan.report.accept",
    }


def test_it_keeps_the_indicator_values_of_the_moment_of_submission(cast, pw):
    ind = Indicator.objects.create(
        key="pairs",
        name="结对学校数",
        source=IndicatorSource.REPORTED,
        unit=Unit.COUNT,
        target=Decimal(100),
    )
    ind.tasks.set([pw.task])
    for period, value in (("2025Q1", 40), ("2025Q2", 55), ("2025Q4", 90)):
        IndicatorValue.objects.create(
            indicator=ind, period=period, value=value, origin=ValueOrigin.REPORTED
        )
    IndicatorValue.objects.create(
        indicator=ind, period="2025Q3", value=80, scope="region:130000", origin=ValueOrigin.REPORTED
    )
    report = _file(cast.actor("sanhe"), pw)
    services.submit_report(cast.actor("sanhe"), report.pk)
    report.refresh_from_db()
    assert report.values["pairs"]["period"] == "2025Q2"
    assert Decimal(report.values["pairs"]["value"]) == 55
    IndicatorValue.objects.filter(period="2025Q2").update(value=60)
    report.refresh_from_db()
    assert Decimal(report.values["pairs"]["value"]) == 55


def test_it_refuses_a_report_on_a_task_the_body_is_not_responsible_for(cast, pw):
    with translation.override("en"), pytest.raises(PermissionDenied, match="not responsible"):
        services.start_report(cast.actor("tongzhou"), pw.task.pk, S(period="2025Q3"))
    # A co-responsible body that files no reports, and a province for its county's bureau.
    with pytest.raises(PermissionDenied):
        services.start_report(cast.actor("school_admin"), pw.task.pk, S(period="2025Q3"))
    with pytest.raises(PermissionDenied):
        services.start_report(
            cast.actor("hebei"), pw.task.pk, S(period="2025Q3"), body_id=pw.bodies["sanhe"].pk
        )
    with pytest.raises(NotFound):
        services.start_report(cast.actor("sanhe"), 999999, S(period="2025Q3"))
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    ("period", "words"),
    [
        ("2025Q5", "not a period"),
        ("下个季度", "not a period"),
        ("2023Q2", "before the plan starts"),
        ("2026Q3", "after the plan has ended"),
    ],
)
def test_it_refuses_a_period_that_does_not_parse_or_lies_outside_the_plan(cast, pw, period, words):
    with translation.override("en"), pytest.raises(InvalidInput, match=words) as e:
        _file(cast.actor("sanhe"), pw, period)
    assert "period" in e.value.fields
    assert not ProgressReport.objects.exists()


def test_it_accepts_the_quarter_just_after_the_plan_within_the_grace(cast, pw):
    assert _file(cast.actor("sanhe"), pw, "2026年第1季度").period == "2026Q1"


def test_it_refuses_a_second_report_for_the_same_task_body_and_period(cast, pw):
    _file(cast.actor("sanhe"), pw, "2025Q3")
    with translation.override("en"), pytest.raises(InvalidInput, match="already has a report"):
        _file(cast.actor("sanhe"), pw, "2025q3")
    assert ProgressReport.objects.count() == 1


def test_it_refuses_to_return_a_report_without_a_comment(cast, pw):
    report = w.report(pw, "sanhe", "2025Q2", ReportStatus.SUBMITTED)
    with translation.override("en"), pytest.raises(InvalidInput, match="needs a comment"):
        services.return_report(cast.actor("beijing"), report.pk, "   ")
    report.refresh_from_db()
    assert report.state == ReportStatus.SUBMITTED and not ReviewNote.objects.exists()


@pytest.mark.parametrize("state", [ReportStatus.SUBMITTED, ReportStatus.ACCEPTED])
def test_it_refuses_to_edit_a_submitted_or_accepted_report(cast, pw, state):
    report = w.report(pw, "sanhe", "2025Q2", state)
    with translation.override("en"), pytest.raises(Conflict, match="can no longer be changed"):
        services.edit_report(cast.actor("sanhe"), report.pk, S(period="2025Q2", narrative="改"))
    report.refresh_from_db()
    assert report.narrative == w.NARRATIVE


def test_it_refuses_evidence_on_a_submitted_report(cast, pw):
    report = w.report(pw, "sanhe", "2025Q2", ReportStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        attachments.attach(cast.actor("sanhe"), report, SimpleUploadedFile("a.pdf", PDF))


def test_it_starts_submits_and_reviews_through_the_pages_with_specific_refusals(cast, pw):
    client = Client()
    client.force_login(cast.users["sanhe"])
    new = reverse("plan_reports:new") + f"?task={pw.task.pk}"
    bad = client.post(
        new,
        {"period": "2025Q9", "progress": "on_track", "narrative": "x"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert bad.status_code == 200 and not ProgressReport.objects.exists()
    assert "“2025Q9”" in bad.content.decode()  # the period's own refusal, next to the field
    done = client.post(new, {"period": "2025Q3", "progress": "on_track", "narrative": w.NARRATIVE})
    report = ProgressReport.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse(
        "plan_reports:detail", args=[report.pk]
    )
    client.post(reverse("plan_reports:submit", args=[report.pk]))
    reviewer = Client()
    reviewer.force_login(cast.users["beijing"])
    page = reviewer.post(reverse("plan_reports:return", args=[report.pk]), {"comment": ""})
    assert page.status_code == 422
    report.refresh_from_db()
    assert report.state == ReportStatus.SUBMITTED
    reviewer.post(reverse("plan_reports:return", args=[report.pk]), {"comment": "请补充。"})
    report.refresh_from_db()
    assert report.state == ReportStatus.RETURNED
    listing = client.get(reverse("plan_reports:list"), {"state": "returned"})
    assert listing.status_code == 200 and "T1" in listing.content.decode()
    assert client.get(reverse("plan_reports:list"), {"period": "nonsense"}).status_code == 200


def test_it_files_and_attaches_evidence_through_the_api(cast, pw):
    from xietong.accounts.services import create_token

    token = create_token(cast.actor("sanhe"), "t")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = Client()
    bad = client.post(
        "/api/plan/reports/",
        {"task": pw.task.pk, "period": "nonsense"},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422 and "period" in bad.json()["fields"]
    made = client.post(
        "/api/plan/reports/",
        {"task": pw.task.pk, "period": "2025Q3", "narrative": w.NARRATIVE},
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    up = client.post(
        f"/api/plan/reports/{pk}/evidence", {"file": SimpleUploadedFile("证明.pdf", PDF)}, **auth
    )
    assert up.status_code == 201, up.content
    sub = client.post(f"/api/plan/reports/{pk}/submit", **auth)
    assert sub.status_code == 200 and sub.json()["state"] == "submitted"
    listed = client.get("/api/plan/reports/?state=submitted", **auth).json()
    assert [r["id"] for r in listed["items"]] == [pk]


def test_it_renders_the_task_panel_with_the_reports_the_viewer_reads(cast, pw):
    from django.template.loader import render_to_string

    from xietong.plan.reports.views import task_panel

    w.report(pw, "sanhe", "2025Q2", ReportStatus.SUBMITTED)
    w.report(pw, "sanhe", "2025Q3", ReportStatus.DRAFT)
    filer = render_to_string(
        "plan_reports/_task_panel.html", {"section": task_panel(cast.actor("sanhe"), pw.task)}
    )
    viewer = render_to_string(
        "plan_reports/_task_panel.html",
        {"section": task_panel(cast.actor("hebei_viewer"), pw.task)},
    )
    assert "2025Q3" in filer and 'data-testid="file-report"' in filer
    assert "2025Q2" in viewer and "2025Q3" not in viewer  # a draft is its filer's only
    assert 'data-testid="file-report"' not in viewer
