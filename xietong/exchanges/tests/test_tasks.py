"""Matching runs as background tasks on the database backend, executed by a worker."""

from __future__ import annotations

from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from xietong.exchanges import services
from xietong.exchanges.choices import RunStatus
from xietong.exchanges.tests.conftest import close
from xietong.exchanges.tests.test_matching_runs import _applicants
from xietong.jobs.choices import JobStatus

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_it_queues_a_run_for_the_worker_and_the_worker_completes_it(
    ex, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.TASKS = DATABASE_TASKS
    # The worker closes stale connections between tasks; here the one connection holds the
    # test's transaction, so it must stay open.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    _applicants(ex, 3)
    close(ex)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        run = services.start_matching_run(ex.actor("sanhe"), ex.program.pk, "stable", None)
    run.refresh_from_db()
    assert run.state == RunStatus.QUEUED and run.job.status == JobStatus.QUEUED
    task = DBTaskResult.objects.get(status="READY")
    assert run.job.task_id == str(task.id)

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.job.status == JobStatus.SUCCEEDED and run.job.percent == 100
    assert run.job.attempts == 1 and run.job.result["matched"] == 2
    assert run.results.filter(slot__isnull=False).count() == 2
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
