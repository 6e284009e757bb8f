"""Running a job: progress and heartbeat, success, failures with clear messages, cancel."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from xietong.accounts.access import Actor
from xietong.core.errors import Conflict, InvalidInput
from xietong.jobs import messages, services
from xietong.jobs.choices import JobStatus
from xietong.jobs.models import Job
from xietong.jobs.tests import kinds


def _sanhe(cast) -> Actor:
    return cast.actor("sanhe")


def test_it_runs_an_enqueued_job_to_success_with_its_progress(cast):
    seen = []
    job = services.enqueue(_sanhe(cast), kinds.COUNT, {"n": 4}, dispatch=False)
    assert job.status == JobStatus.QUEUED and job.owner == cast.users["sanhe"]
    job = services.run_now(job, lambda j: seen.append((j.done, j.total, j.status)))
    assert seen[:5] == [(i, 4, JobStatus.RUNNING) for i in range(5)]
    assert seen[-1] == (4, 4, JobStatus.SUCCEEDED)
    assert job.status == JobStatus.SUCCEEDED and job.percent == 100 and job.done == 4
    assert job.result == {"counted": 4} and job.message == "" and job.attempts == 1
    assert job.started_at <= job.heartbeat_at <= job.finished_at


def test_it_dispatches_on_commit_through_the_task_backend(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.enqueue(_sanhe(cast), kinds.COUNT, {"n": 2})
        assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED  # not before commit
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.task_id  # the django-tasks result id


def test_it_throttles_progress_writes_but_keeps_the_last_one(cast, settings):
    settings.XIETONG_JOBS_BEAT_SECONDS = 3600
    job = services.enqueue(_sanhe(cast), kinds.COUNT, {"n": 200}, dispatch=False)
    with CaptureQueriesContext(connection) as queries:
        job = services.run_now(job)
    updates = [q for q in queries if q["sql"].startswith("UPDATE") and "jobs_job" in q["sql"]]
    # claim, the first report (a new message), the report at the total, the outcome
    assert len(updates) == 4
    assert job.done == 200 and job.status == JobStatus.SUCCEEDED


def test_it_fails_a_job_whose_handler_raises_with_a_clear_message_and_logs_the_traceback(
    cast, caplog
):
    job = services.enqueue(_sanhe(cast), kinds.BOOM, dispatch=False)
    with caplog.at_level(logging.ERROR, logger="xietong.jobs"):
        job = services.run_now(job)
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    with translation.override("en"):
        assert job.message.startswith("The job stopped because of an unexpected error")
    assert "secret" not in job.message and "RuntimeError" not in job.message
    assert "RuntimeError: connection string" in caplog.text  # the traceback is in the log
    assert job.done == 1 and job.total == 2  # how far it got


def test_it_renders_a_failure_message_with_its_parameters_for_each_reader(cast):
    job = services.run_now(services.enqueue(_sanhe(cast), kinds.FLAKY, dispatch=False))
    assert job.status == JobStatus.FAILED
    assert job.message_code == "Row %(row)s could not be read." and job.message_params == {"row": 7}
    with translation.override("en"):
        assert job.message == "Row 7 could not be read."


def test_it_renders_the_mechanisms_own_messages_in_the_readers_language():
    with translation.override("zh-hans"):
        text = messages.render(messages.WORKER_LOST, {"seconds": 60})
    assert "60" in text and "工作进程" in text


def test_it_fails_a_job_of_a_kind_the_worker_does_not_know(cast):
    job = Job.objects.create(kind="nowhere.unknown", owner=cast.users["sanhe"])
    job = services.run_now(job)
    assert job.status == JobStatus.FAILED and job.message_code == messages.UNKNOWN_KIND
    with translation.override("en"):
        assert "nowhere.unknown" in job.message


def test_it_refuses_an_unknown_kind_or_parameters_that_are_not_json(cast):
    with translation.override("en"), pytest.raises(InvalidInput, match="Unknown kind of job"):
        services.enqueue(_sanhe(cast), "nowhere.unknown")
    with translation.override("en"), pytest.raises(InvalidInput, match="plain JSON"):
        services.enqueue(_sanhe(cast), kinds.COUNT, {"n": object()})
    assert not Job.objects.exists()


def test_it_does_not_run_a_job_that_is_not_queued(cast):
    job = services.run_now(services.enqueue(_sanhe(cast), kinds.COUNT, dispatch=False))
    finished = job.finished_at
    again = services.run_now(job)
    assert again.attempts == 1 and again.finished_at == finished


def test_it_cancels_a_queued_job_which_then_never_runs(cast):
    job = services.enqueue(_sanhe(cast), kinds.COUNT, dispatch=False)
    job = services.cancel(_sanhe(cast), job)
    assert job.status == JobStatus.CANCELLED and job.message_code == messages.CANCELLED
    assert services.run_now(job).attempts == 0
    with translation.override("en"), pytest.raises(Conflict, match="already finished"):
        services.cancel(_sanhe(cast), job)


def test_it_stops_a_running_job_cancelled_meanwhile_at_its_next_report(cast):
    job = services.run_now(services.enqueue(_sanhe(cast), kinds.STOP_SELF, dispatch=False))
    assert job.status == JobStatus.CANCELLED and job.done == 1 and job.result is None
