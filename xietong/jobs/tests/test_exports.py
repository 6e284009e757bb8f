"""The export mechanism: few rows download now, many become a job with a result file;
either way one audit event; the capability, the parameters and the re-authentication are
checked first, and the job checks the owner's capability again when it runs."""

from __future__ import annotations

import csv
import io

import pytest

from xietong.accounts.models import AuditEvent, RoleAssignment
from xietong.accounts.second_factor import ReauthenticationRequired
from xietong.api_tests.conftest import assert_error
from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.jobs import exports
from xietong.jobs.choices import JobStatus
from xietong.jobs.models import Job
from xietong.jobs.tests import kinds  # noqa: F401 — registers the test export kinds


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    settings.XIETONG_EXPORT_SYNC_ROWS = 10


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_it_writes_a_small_export_now_and_audits_it(cast):
    done = exports.export(cast.actor("sanhe"), "tests.rows", {"n": "3"}, "csv")
    assert done.job is None and done.rows == 3 and done.filename == "rows-3.csv"
    rows = _csv(done.content)
    assert rows[0] == ["Name", "Number", "By"] and rows[1] == ["'=row 0", "0", "sanhe"]
    event = AuditEvent.objects.get(action="tests.rows.export")
    assert event.actor_name == "sanhe" and event.object_label == "rows-3.csv"
    assert event.detail["rows"] == 3 and event.detail["delivery"] == "download"
    assert event.detail["params"] == {"n": 3} and len(event.detail["sha256"]) == 64


def test_it_makes_an_export_past_the_limit_a_job_with_a_result_file(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        done = exports.export(cast.actor("sanhe"), "tests.rows", {"n": "11"}, "xlsx")
    assert done.content is None and done.rows == 11
    job = Job.objects.get(pk=done.job.pk)
    assert job.status == JobStatus.SUCCEEDED and job.kind == "exports.tests.rows"
    assert job.result["rows"] == 11 and job.result_file.name.endswith("rows-11.xlsx")
    assert job.owner == cast.users["sanhe"]
    event = AuditEvent.objects.get(action="tests.rows.export")
    assert (event.object_type, event.object_id) == ("jobs.job", str(job.pk))
    assert event.detail["delivery"] == "job" and event.detail["rows"] == 11


def test_it_refuses_an_actor_without_the_capability_before_anything_else(cast):
    for username in ("hebei_viewer", "school_admin", "auditor", "teacher", "nobody"):
        with pytest.raises(PermissionDenied):
            exports.export(cast.actor(username), "tests.rows", {"n": "x"}, "pdf")
    assert not AuditEvent.objects.filter(action="tests.rows.export").exists()
    assert not Job.objects.exists()


def test_it_refuses_an_unknown_format_and_bad_parameters_with_the_field(cast):
    with pytest.raises(InvalidInput) as bad_format:
        exports.export(cast.actor("sanhe"), "tests.rows", {"n": "3"}, "pdf")
    assert "format" in bad_format.value.fields
    with pytest.raises(InvalidInput) as bad_n:
        exports.export(cast.actor("sanhe"), "tests.rows", {"n": "lots"}, "csv")
    assert bad_n.value.fields == {"n": ["Give a number of rows up to 100000."]}


def test_it_asks_for_a_recent_reauthentication_for_personal_data(cast, settings):
    settings.XIETONG_REQUIRE_REAUTH = True
    with pytest.raises(ReauthenticationRequired):
        exports.export(cast.actor("sanhe"), "tests.private_rows", {"n": "1"}, "csv")
    from django.utils import timezone

    done = exports.export(
        cast.actor("sanhe"),
        "tests.private_rows",
        {"n": "1"},
        "csv",
        reauthenticated_at=timezone.now().isoformat(),
    )
    assert done.rows == 1
    # The same kind without personal data asks nothing.
    assert exports.export(cast.actor("sanhe"), "tests.rows", {"n": "1"}, "csv").rows == 1


def test_it_fails_the_job_of_an_owner_who_lost_the_capability_meanwhile(cast):
    done = exports.export(cast.actor("sanhe"), "tests.rows", {"n": "20"}, "csv")
    RoleAssignment.objects.filter(user=cast.users["sanhe"]).delete()
    from xietong.jobs import services

    job = services.run_now(done.job)
    assert job.status == JobStatus.FAILED and not job.result_file
    assert job.message_code == "You may no longer make this export."
    assert job.message == "您已无权进行此导出。"  # rendered in the reader's language


def test_it_audits_each_download_of_a_result_file_and_hides_it_from_others(
    api, cast, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.export(cast.actor("sanhe"), "tests.rows", {"n": "12"}, "csv").job
    body = api.get(f"/api/jobs/{job.pk}", as_="sanhe").json()
    assert body["result_file"] == f"/api/jobs/{job.pk}/result"
    r = api.get(body["result_file"], as_="sanhe")
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    assert "rows-12.csv" in r["Content-Disposition"]
    assert len(_csv(b"".join(r.streaming_content))) == 13
    assert_error(api.get(body["result_file"], as_="tongzhou"), 404)
    client.force_login(cast.users["sanhe"])
    web = client.get(f"/jobs/{job.pk}/result/")
    assert web.status_code == 200 and web["X-Content-Type-Options"] == "nosniff"
    downloads = AuditEvent.objects.filter(action="jobs.result_download", object_id=str(job.pk))
    assert downloads.count() == 2 and {e.actor_name for e in downloads} == {"sanhe"}
