"""Pages of jobs: my jobs, one job, the polling partial, retry and cancel buttons."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from xietong.jobs import services
from xietong.jobs.choices import JobStatus
from xietong.jobs.models import Job
from xietong.jobs.tests import kinds


def _login(client: Any, cast: Any, username: str) -> Any:
    client.force_login(cast.users[username])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _job(cast: Any, kind: str = kinds.COUNT, username: str = "sanhe", run: bool = True) -> Job:
    job = services.enqueue(cast.actor(username), kind, {"n": 2}, dispatch=False)
    return services.run_now(job) if run else job


def test_it_lists_my_jobs_only(client, cast):
    mine = _job(cast)
    theirs = _job(cast, username="tongzhou")
    page = _login(client, cast, "sanhe").get(reverse("jobs:list")).content.decode()
    assert reverse("jobs:detail", args=[mine.pk]) in page
    assert reverse("jobs:detail", args=[theirs.pk]) not in page
    failed = client.get(reverse("jobs:list"), {"status": "failed"}).content.decode()
    assert reverse("jobs:detail", args=[mine.pk]) not in failed
    assert client.get(reverse("jobs:list"), {"status": "<script>"}).status_code == 200


def test_it_shows_a_job_and_answers_404_for_another_users_job(client, cast):
    job = _job(cast)
    c = _login(client, cast, "sanhe")
    page = c.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Succeeded" in page and "&quot;counted&quot;: 2" in page
    assert "every 2s" not in page  # finished: no polling
    other = _login(client, cast, "tongzhou")
    assert other.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert other.get(reverse("jobs:status", args=[job.pk])).status_code == 404
    assert other.post(reverse("jobs:retry", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:detail", args=[999999])).status_code == 404


def test_it_polls_an_unfinished_job_every_two_seconds_with_a_refresh_link(client, cast):
    job = _job(cast, run=False)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=1, total=4)
    c = _login(client, cast, "sanhe")
    page = c.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    status_url = reverse("jobs:status", args=[job.pk])
    assert f'hx-get="{status_url}?reload=1"' in page and 'hx-trigger="every 2s"' in page
    assert 'data-testid="job-refresh"' in page and 'aria-valuenow="25"' in page
    fragment = c.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith(f'<div id="job-{job.pk}"') and "every 2s" in fragment
    assert f'href="{reverse("jobs:detail", args=[job.pk])}"' in fragment  # refresh w/o JS
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED)
    done = c.get(status_url + "?reload=1", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true" and "every 2s" not in done.content.decode()


def test_it_never_shows_a_traceback_only_the_clear_message(client, cast):
    job = _job(cast, kinds.BOOM)
    page = _login(client, cast, "sanhe").get(reverse("jobs:detail", args=[job.pk]))
    text = page.content.decode()
    assert "unexpected error" in text and "RuntimeError" not in text and "secret" not in text
    assert 'data-testid="job-retry"' in text


def test_it_retries_a_failed_job_from_its_page(client, cast, django_capture_on_commit_callbacks):
    job = _job(cast, kinds.FLAKY)
    c = _login(client, cast, "sanhe")
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("jobs:retry", args=[job.pk]), {"next": "/jobs/"})
    assert response.status_code == 302 and response["Location"] == "/jobs/"
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2


def test_it_refuses_a_retry_of_a_running_job_with_its_message(client, cast):
    job = _job(cast, run=False)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    c = _login(client, cast, "sanhe")
    response = c.post(reverse("jobs:retry", args=[job.pk]), follow=True)
    assert "retry it only once it has failed" in response.content.decode()
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_it_cancels_a_queued_job_and_ignores_a_foreign_next_address(client, cast):
    job = _job(cast, run=False)
    c = _login(client, cast, "sanhe")
    response = c.post(reverse("jobs:cancel", args=[job.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert Job.objects.get(pk=job.pk).status == JobStatus.CANCELLED


def test_it_sends_anonymous_visitors_to_sign_in(client, cast):
    job = _job(cast)
    response = client.get(reverse("jobs:detail", args=[job.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_it_downloads_a_result_file_only_for_who_sees_the_job(client, cast, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    job = _job(cast, kinds.EXPORT)
    assert job.result_file.name.startswith("jobs/") and job.result_file.name.endswith(".csv")
    assert (tmp_path / job.result_file.name).exists()
    c = _login(client, cast, "sanhe")
    assert (
        reverse("jobs:result_file", args=[job.pk])
        in c.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    )
    response = c.get(reverse("jobs:result_file", args=[job.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).decode() == "姓名,学科\n李三河,数学\n"
    other = _login(client, cast, "tongzhou")
    assert other.get(reverse("jobs:result_file", args=[job.pk])).status_code == 404
    plain = _job(cast)
    c = _login(client, cast, "sanhe")
    assert c.get(reverse("jobs:result_file", args=[plain.pk])).status_code == 404
