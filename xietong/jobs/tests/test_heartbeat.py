"""A job whose worker died: its heartbeat lapses, the sweep fails it, a retry completes it.

The killed-worker test starts a real ``db_worker`` subprocess on the test database
(PostgreSQL, or on SQLite a file copy of the test database), lets a job start and
beat, kills the worker with SIGKILL and advances the sweep's clock instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation

from xietong.accounts.access import actor_for
from xietong.conftest import make_user
from xietong.core.compile_messages import compile_all
from xietong.jobs import heartbeat, selectors, services
from xietong.jobs.choices import JobStatus
from xietong.jobs.messages import WORKER_LOST
from xietong.jobs.models import Job
from xietong.jobs.tests import kinds

compile_all()

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WORKER = (
    "import sys, django; django.setup()\n"
    "import xietong.jobs.tests.kinds\n"
    "from django.core.management import call_command\n"
    "call_command('db_worker', '--no-startup-delay', '--interval', '0.1', *sys.argv[1:])\n"
)


def _backdate(job: Job, seconds: int) -> None:
    """The worker's last beat was ``seconds`` ago (time injected, no sleeping)."""
    at = timezone.now() - dt.timedelta(seconds=seconds)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=at, started_at=at)


def _running(cast: Any) -> Job:
    job = services.enqueue(cast.actor("sanhe"), kinds.COUNT, dispatch=False)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1, done=1, total=3)
    return job


def test_it_fails_a_lapsed_job_when_it_is_read_and_lets_it_be_retried(
    cast, django_capture_on_commit_callbacks
):
    job = _running(cast)
    _backdate(job, 59)
    sanhe = cast.actor("sanhe")
    assert selectors.job_detail(sanhe, job.pk).status == JobStatus.RUNNING  # still in time
    _backdate(job, 61)
    seen = selectors.job_detail(sanhe, job.pk)
    assert seen.status == JobStatus.FAILED and seen.message_code == WORKER_LOST
    with translation.override("en"):
        assert seen.message.startswith("The worker stopped while running this job")
        assert "60 s" in seen.message
    assert selectors.actions(seen) == ["retry"]
    with django_capture_on_commit_callbacks(execute=True):
        services.retry(sanhe, job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2


def test_it_sweeps_every_lapsed_job_from_the_command_and_leaves_the_beating_ones(cast, settings):
    settings.XIETONG_JOBS_HEARTBEAT_LAPSE = 30
    lapsed, alive = _running(cast), _running(cast)
    _backdate(lapsed, 31)
    _backdate(alive, 5)
    out = io.StringIO()
    call_command("jobs", "sweep", stdout=out)
    assert out.getvalue().startswith("1 job(s) marked failed")
    assert Job.objects.get(pk=lapsed.pk).status == JobStatus.FAILED
    assert Job.objects.get(pk=lapsed.pk).message_params == {"seconds": 30}
    assert Job.objects.get(pk=alive.pk).status == JobStatus.RUNNING


def test_it_stops_a_slow_worker_at_its_next_report_once_its_job_was_swept(cast):
    """No double execution: a retry may already run the job elsewhere."""
    job = services.enqueue(cast.actor("sanhe"), kinds.COUNT, {"n": 3}, dispatch=False)

    def sweep_meanwhile(j: Job) -> None:
        if j.done == 1:
            heartbeat.sweep(now=timezone.now() + dt.timedelta(seconds=120))

    job = services.run_now(job, sweep_meanwhile)
    assert job.status == JobStatus.FAILED and job.message_code == WORKER_LOST
    assert job.result is None and job.finished_at is not None


# --- a killed worker ------------------------------------------------------------------------


@pytest.fixture
def worker_env(
    transactional_db: Any, django_db_serialized_rollback: Any, tmp_path: Path
) -> Iterator[dict[str, str]]:
    """The environment of a worker process that shares this test's database.

    (The serialized rollback gives the regions back to later tests after the flush.)
    """
    env = {k: v for k, v in os.environ.items() if k != "XIETONG_TASKS"}
    env.update(DJANGO_SETTINGS_MODULE="xietong.settings", XIETONG_JOBS_BEAT_SECONDS="0.1")
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        yield env
        return
    # SQLite: give both processes a file copy of the test database (a file, or in memory),
    # which the worker's audit events leave behind them.
    memory = db["NAME"]
    keeper = sqlite3.connect(memory, uri=True)  # keeps an in-memory database alive
    path = tmp_path / "worker.sqlite3"
    keeper.execute("VACUUM INTO ?", (str(path),))
    db["NAME"] = str(path)
    connection.close()  # (a close of an in-memory database would be ignored)
    env["DATABASE_URL"] = f"sqlite:///{path}"
    try:
        yield env
    finally:
        connection.close()
        db["NAME"] = memory
        connection.ensure_connection()  # back on the in-memory database before the keeper
        keeper.close()  # lets go (the last connection to it would drop it)


def _worker(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, *args],
        env=env,
        cwd=django_settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(check: Callable[[], bool], proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while not check():
        if proc.poll() is not None:
            raise AssertionError(f"the worker exited before {what}: {proc.stderr.read()!r}")  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"timed out waiting for {what}: {proc.stderr.read()!r}")  # type: ignore[union-attr]
        time.sleep(0.05)


def test_it_fails_the_job_of_a_killed_worker_and_a_fresh_worker_completes_its_retry(
    worker_env, settings, tmp_path
):
    settings.TASKS = DATABASE_TASKS
    owner = make_user("runner")
    actor = actor_for(owner)
    gate = tmp_path / "gate"
    job = services.enqueue(actor, kinds.GATE, {"gate": str(gate)})  # autocommit: on the queue
    assert Job.objects.get(pk=job.pk).task_id

    first = _worker(worker_env)
    try:

        def beating() -> bool:
            j = Job.objects.get(pk=job.pk)
            return j.status == JobStatus.RUNNING and j.heartbeat_at > j.started_at

        _wait_for(beating, first, "the job started and beat")
    finally:
        first.kill()  # SIGKILL: no chance to record anything
        first.wait(timeout=30)
    assert first.returncode == -9

    stuck = Job.objects.get(pk=job.pk)
    assert stuck.status == JobStatus.RUNNING and stuck.done == 1 and stuck.total == 3
    assert heartbeat.sweep(now=timezone.now()) == 0  # within the lapse nothing happens
    later = stuck.heartbeat_at + dt.timedelta(seconds=heartbeat.lapse_seconds() + 1)
    assert heartbeat.sweep(now=later) == 1
    failed = selectors.job_detail(actor, job.pk)
    assert failed.status == JobStatus.FAILED and failed.message_code == WORKER_LOST
    with translation.override("zh-hans"):
        assert "工作进程已停止" in failed.message
    assert selectors.actions(failed) == ["retry"]

    services.retry(actor, job.pk)
    gate.touch()
    fresh = _worker(worker_env, "--batch")
    assert fresh.wait(timeout=120) == 0, fresh.stderr.read()  # type: ignore[union-attr]
    done = Job.objects.get(pk=job.pk)
    assert done.status == JobStatus.SUCCEEDED and done.attempts == 2
    assert done.result == {"passed": True} and done.percent == 100 and done.message == ""
