"""Retrying a job: a failed one runs again; one still queued or running is refused."""

from __future__ import annotations

import pytest
from django.utils import translation

from xietong.accounts.models import AuditEvent
from xietong.core.errors import Conflict, NotFound
from xietong.jobs import services
from xietong.jobs.choices import JobStatus
from xietong.jobs.models import Job
from xietong.jobs.tests import kinds


def test_it_retries_a_failed_job_which_then_succeeds(cast, django_capture_on_commit_callbacks):
    sanhe = cast.actor("sanhe")
    job = services.run_now(services.enqueue(sanhe, kinds.FLAKY, dispatch=False))
    assert job.status == JobStatus.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.retry(sanhe, job.pk)
        assert queued.status == JobStatus.QUEUED and queued.message_code == ""
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2
    assert job.result == {"attempt": 2} and job.message == ""
    assert AuditEvent.objects.filter(action="jobs.retry", object_id=str(job.pk)).count() == 1


def test_it_refuses_to_retry_a_running_job_with_a_specific_message(cast):
    sanhe = cast.actor("sanhe")
    job = services.enqueue(sanhe, kinds.COUNT, dispatch=False)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=1, total=4)
    with translation.override("en"), pytest.raises(Conflict) as refused:
        services.retry(sanhe, job)
    assert str(refused.value.message) == (
        "This job is running (25%); retry it only once it has failed."
    )
    with translation.override("zh-hans"), pytest.raises(Conflict) as refused:
        services.retry(sanhe, job)
    assert "正在运行" in str(refused.value.message)
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_it_refuses_to_retry_a_queued_or_succeeded_job(cast):
    sanhe = cast.actor("sanhe")
    job = services.enqueue(sanhe, kinds.COUNT, dispatch=False)
    with translation.override("en"), pytest.raises(Conflict, match="still waiting for a worker"):
        services.retry(sanhe, job)
    services.run_now(job)
    with translation.override("en"), pytest.raises(Conflict, match="already succeeded"):
        services.retry(sanhe, job)


def test_it_does_not_let_another_user_retry_or_even_find_a_job(cast):
    job = services.run_now(services.enqueue(cast.actor("sanhe"), kinds.FLAKY, dispatch=False))
    with pytest.raises(NotFound):
        services.retry(cast.actor("tongzhou"), job)
    assert Job.objects.get(pk=job.pk).status == JobStatus.FAILED
