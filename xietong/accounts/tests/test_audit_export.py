"""The auditor's export of the audit log by days: a workbook or CSV now for a small range, a
job with a result file past the row limit, a clear message for a bad range — through the
page and the API alike, audited, for the auditor only and after re-authentication."""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from xietong.accounts import audit
from xietong.accounts.models import AuditEvent
from xietong.api_tests.conftest import Api, assert_error
from xietong.conftest import PASSWORD
from xietong.core.tests.test_tables import _cells
from xietong.institutions import selectors as registry
from xietong.jobs.choices import JobStatus
from xietong.jobs.models import Job

EXPORT = reverse("accounts:audit_export")
API = "/api/accounts/audit/export"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }


@pytest.fixture
def events(cast):
    registry.reveal_personal_data(cast.actor("sanhe"), cast.sanhe_teacher.pk)
    audit.record(cast.actor("tongzhou"), "auth.sign_in", target=cast.users["tongzhou"])
    today = timezone.localdate().isoformat()
    return {"start": today, "end": today}


def _as(client, cast, username="auditor", lang="en"):
    client.force_login(cast.users[username])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_it_downloads_a_small_range_as_a_workbook_with_the_events_in_words(client, cast, events):
    response = _as(client, cast).post(EXPORT, {**events, "format": "xlsx"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"audit-log_{events['start']}_{events['end']}.xlsx" in response["Content-Disposition"]
    header, *rows = _cells(b"".join(response.streaming_content))
    assert [c[2] for c in header][:4] == ["Event no.", "Time", "Actor", "Event"]
    texts = [r[3][2] for r in rows]
    assert texts == [
        "sanhe revealed the ID number, phone and birth date of 李三河",
        "tongzhou signed in",
    ]  # oldest first
    event = AuditEvent.objects.get(action="audit.export")
    assert event.actor_name == "auditor" and event.detail["rows"] == 2
    assert event.detail["params"] == events and event.detail["format"] == "xlsx"


def test_it_exports_csv_in_chinese_with_the_log_filters(client, cast, events):
    params = {**events, "format": "csv", "actor": cast.users["tongzhou"].pk}
    response = _as(client, cast, lang="zh-hans").post(EXPORT, params)
    header, *rows = _csv(b"".join(response.streaming_content))
    assert header[:4] == ["事件编号", "时间", "操作人", "事件"]
    assert [r[3] for r in rows] == ["tongzhou 登录了系统"]
    assert quote("审计日志") in response["Content-Disposition"]


def test_it_makes_a_large_export_a_job_whose_file_the_auditor_downloads(
    client, cast, events, settings, django_capture_on_commit_callbacks
):
    settings.XIETONG_EXPORT_SYNC_ROWS = 1
    c = _as(client, cast)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(EXPORT, {**events, "format": "csv"})
    job = Job.objects.get(kind="exports.audit")
    assert response.status_code == 302 and response["Location"] == reverse(
        "jobs:detail", args=[job.pk]
    )
    assert job.status == JobStatus.SUCCEEDED and job.owner == cast.users["auditor"]
    page = c.get(response["Location"]).content.decode()
    assert "the export runs as a job" in page and reverse("jobs:result_file", args=[job.pk]) in page
    download = c.get(reverse("jobs:result_file", args=[job.pk]))
    rows = _csv(b"".join(download.streaming_content))
    # The header, both events and the export's own event, written before the job ran.
    assert len(rows) == 1 + 3 and rows[-1][5] == "audit.export"
    actions = list(AuditEvent.objects.values_list("action", flat=True).order_by("id"))
    assert actions[-2:] == ["audit.export", "jobs.result_download"]
    exported = AuditEvent.objects.get(action="audit.export")
    assert exported.detail["delivery"] == "job" and exported.object_id == str(job.pk)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"start": "2026-11-20", "end": "2026-11-02"},
            "end",
            "The last day comes before the first day.",
        ),
        (
            {"start": "2025-01-01", "end": "2026-06-30"},
            "end",
            "Export at most 366 days at a time; this range has 546.",
        ),
        (
            {"start": "", "end": "2026-11-02"},
            "start",
            "Give the first day of the events to export.",
        ),
        ({"start": "2026-11-02", "end": ""}, "end", "Give the last day of the events to export."),
        ({"start": "2026-13-40", "end": "2026-11-02"}, "start", "Enter a valid date."),
    ],
    ids=["end-before-start", "too-long", "no-start", "no-end", "not-a-date"],
)
def test_it_says_what_is_wrong_with_the_range_and_exports_nothing(
    client, cast, events, params, field, message
):
    response = _as(client, cast).post(EXPORT, {**params, "format": "xlsx"})
    assert response.status_code == 422 and message in response.content.decode()
    body = assert_error(Api(cast).post(API, {**params, "format": "xlsx"}, as_="auditor"), 422)
    assert body["fields"][field] == [message]
    assert not AuditEvent.objects.filter(action="audit.export").exists()
    assert not Job.objects.exists()


def test_it_refuses_an_unknown_format_or_field_through_the_api(cast, events):
    api = Api(cast)
    assert (
        "format"
        in assert_error(api.post(API, {**events, "format": "pdf"}, as_="auditor"), 422)["fields"]
    )
    assert_error(api.post(API, {**events, "drop": 1}, as_="auditor"), 422)


def test_it_asks_the_auditor_to_confirm_it_is_them_first(client, cast, events, settings):
    settings.XIETONG_REQUIRE_REAUTH = True
    page = _as(client, cast).post(
        EXPORT, {**events, "format": "xlsx"}, HTTP_REFERER="/accounts/audit/"
    )
    assert page.status_code == 302 and page["Location"].startswith(
        reverse("accounts:reauthenticate")
    )
    api = Api(cast)
    assert_error(
        api.post(API, {**events, "format": "csv"}, as_="auditor"), 403, "reauthentication_required"
    )
    assert not AuditEvent.objects.filter(action="audit.export").exists()
    ok = api.post("/api/accounts/me/reauthenticate", {"password": PASSWORD}, as_="auditor")
    assert ok.status_code == 200
    done = api.post(API, {**events, "format": "csv"}, as_="auditor")
    assert done.status_code == 200 and done["Content-Type"].startswith("text/csv")
    assert AuditEvent.objects.filter(action="audit.export").count() == 1


def test_it_answers_the_api_with_a_job_past_the_row_limit(
    cast, events, settings, django_capture_on_commit_callbacks
):
    settings.XIETONG_EXPORT_SYNC_ROWS = 1
    api = Api(cast)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(API, {**events, "format": "xlsx"}, as_="auditor")
    assert response.status_code == 202
    job = api.get(f"/api/jobs/{response.json()['id']}", as_="auditor").json()
    assert job["status"] == "succeeded" and job["kind_label"] == "Audit log export"
    workbook = api.get(job["result_file"], as_="auditor")
    _header, *rows = _cells(b"".join(workbook.streaming_content))
    assert len(rows) >= 2
    assert_error(api.get(job["result_file"], as_="secadmin"), 404)


@pytest.mark.parametrize("username", ["secadmin", "sysadmin", "sanhe", "hebei_viewer", "nobody"])
def test_it_lets_only_the_auditor_export_events(client, cast, events, username):
    assert _as(client, cast, username).post(EXPORT, {**events, "format": "csv"}).status_code == 403
    assert_error(Api(cast).post(API, {**events, "format": "csv"}, as_=username), 403, "forbidden")
    assert not AuditEvent.objects.filter(action="audit.export").exists()
    assert _as(client, cast, username).get(reverse("accounts:audit")).status_code == 403


def test_it_shows_the_export_panel_to_the_auditor_with_the_last_30_days(client, cast):
    page = _as(client, cast).get(reverse("accounts:audit")).content.decode()
    today = timezone.localdate()
    assert 'data-testid="audit-export"' in page
    assert f'value="{(today - dt.timedelta(days=29)).isoformat()}"' in page
    assert f'value="{today.isoformat()}"' in page


def test_it_keeps_the_export_panel_in_step_with_filters_changed_in_place(client, cast):
    filters = {"start": "2026-11-01", "end": "2026-11-05", "action": "auth.sign_in"}
    partial = _as(client, cast).get(
        reverse("accounts:audit"), filters, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    html = partial.content.decode()
    assert "<html" not in html and 'id="export"' in html and 'hx-swap-oob="true"' in html
    assert 'value="2026-11-01"' in html and 'value="2026-11-05"' in html
    assert '<input type="hidden" name="action" value="auth.sign_in">' in html
