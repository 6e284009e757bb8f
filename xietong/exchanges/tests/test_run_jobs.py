"""Matching runs execute as jobs: the run's job is seen, retried and shown like any job."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from xietong.core.errors import NotFound, PermissionDenied
from xietong.exchanges import services
from xietong.exchanges.choices import RunStatus
from xietong.exchanges.models import MatchingRun, OfferSlot
from xietong.exchanges.tests.conftest import close
from xietong.exchanges.tests.test_matching_runs import _applicants
from xietong.jobs import selectors as jobs
from xietong.jobs import services as job_services
from xietong.jobs.choices import JobStatus
from xietong.jobs.models import Job


def _failed_run(ex) -> MatchingRun:
    """A run whose job failed (no free places when it executed); places are back after."""
    _applicants(ex, 3)
    close(ex)
    run = services.start_matching_run(ex.actor("sanhe"), ex.program.pk, "stable", enqueue=False)
    OfferSlot.objects.update(capacity=0)
    run = services.execute_matching_run(run.pk)
    OfferSlot.objects.update(capacity=2)
    return run


def test_it_gives_each_run_a_job_that_targets_it(ex):
    _applicants(ex, 3)
    close(ex)
    run = services.start_matching_run(ex.actor("sanhe"), ex.program.pk, "stable", enqueue=False)
    job = run.job
    assert job.status == JobStatus.QUEUED and job.target == run and job.kind_label == "Matching run"
    assert job.owner == ex.cast.users["sanhe"] and job.parameters == {"run": run.pk}
    run = services.execute_matching_run(run.pk)
    assert run.status == RunStatus.DONE and run.state == RunStatus.DONE
    assert run.job.status == JobStatus.SUCCEEDED and run.job.result["matched"] == 2


def test_it_retries_a_failed_run_through_its_job(ex, django_capture_on_commit_callbacks):
    run = _failed_run(ex)
    assert run.state == RunStatus.FAILED and not run.results.exists()
    with django_capture_on_commit_callbacks(execute=True):
        job_services.retry(ex.actor("sanhe"), run.job_id)
    run.refresh_from_db()
    assert run.state == RunStatus.DONE and run.job.attempts == 2
    assert run.results.filter(slot__isnull=False).count() == 2


def test_it_shows_a_runs_job_to_the_authorities_that_read_the_run_and_no_one_else(ex):
    run = _failed_run(ex)
    viewer = ex.actor("hebei_viewer")  # an authority above the program: reads its runs
    seen = jobs.job_detail(viewer, run.job_id)
    assert jobs.actions(seen) == []
    with translation.override("en"), pytest.raises(PermissionDenied, match="not retry"):
        job_services.retry(viewer, run.job_id)
    assert jobs.actions(jobs.job_detail(ex.actor("sanhe"), run.job_id)) == ["retry"]
    for outsider in ("tongzhou", "teacher", "school_admin"):
        with pytest.raises(NotFound):
            jobs.job_detail(ex.actor(outsider), run.job_id)
    assert not jobs.my_jobs(viewer).exists()  # "my jobs" lists only the viewer's own


def test_it_shows_the_job_on_the_run_page_with_a_retry_button(client, ex):
    run = _failed_run(ex)
    client.force_login(ex.cast.users["sanhe"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("exchanges:run_detail", args=[run.pk])).content.decode()
    assert f'id="job-{run.job_id}"' in page and "no places" in page
    assert 'data-testid="job-retry"' in page and "every 2s" not in page
    runs = client.get(reverse("exchanges:program_runs", args=[ex.program.pk])).content.decode()
    assert "xt-status-failed" in runs


def test_it_exposes_the_runs_job_in_the_api(client, ex):
    run = _failed_run(ex)
    client.force_login(ex.cast.users["sanhe"])
    body = client.get(f"/api/exchanges/runs/{run.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["status"] == "failed" and "no places" in body["error"]
    assert body["job"]["id"] == run.job_id and body["job"]["actions"] == ["retry"]
    assert body["job"]["target"] == {"type": "exchanges.matchingrun", "id": run.pk}
    listed = client.get(f"/api/exchanges/programs/{ex.program.pk}/runs").json()
    assert listed["items"][0]["job"]["status"] == "failed"
    assert client.get(f"/api/jobs/{run.job_id}").json()["kind"] == "exchanges.matching_run"


def test_it_shows_the_jobs_progress_bar_at_the_console(ex, capsys):
    _applicants(ex, 2)
    close(ex)
    call_command("match", str(ex.program.pk), stdout=io.StringIO())
    job = Job.objects.get()
    bar = capsys.readouterr().err
    assert f"(job #{job.pk})" in bar and "100%" in bar
    assert job.status == JobStatus.SUCCEEDED and job.owner is None  # the console's job
