"""Scheduled jobs: ``xietong jobs tick`` queues one job per day of each daily kind."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from xietong.jobs import registry, schedule
from xietong.jobs.choices import JobStatus
from xietong.jobs.models import Job
from xietong.jobs.tests import kinds

BEIJING = ZoneInfo("Asia/Shanghai")


def _daily_kinds() -> set[str]:
    return {k.name for k in registry.kinds() if k.every == "daily"}


def test_a_daily_job_belongs_to_the_local_day(db):
    # 17:30 UTC on 1 December is half past one in the morning of 2 December in Beijing.
    late = dt.datetime(2026, 12, 1, 17, 30, tzinfo=dt.UTC)
    assert schedule.period_of("daily", late) == "2026-12-02"


def test_it_queues_each_daily_kind_once_per_day_without_an_owner(db):
    morning = dt.datetime(2026, 12, 2, 0, 5, tzinfo=BEIJING)
    first = schedule.tick(morning, dispatch=False)
    assert {j.kind for j in first.queued} == _daily_kinds() >= {kinds.DAILY}
    job = Job.objects.get(kind=kinds.DAILY)
    assert (job.owner, job.period, job.status) == (None, "2026-12-02", JobStatus.QUEUED)
    assert job.parameters == {"period": "2026-12-02"}
    assert schedule.tick(morning + dt.timedelta(hours=20), dispatch=False).queued == []
    later = schedule.tick(morning + dt.timedelta(days=1), dispatch=False)
    assert {j.period for j in later.queued} == {"2026-12-03"}


def test_two_schedulers_ticking_at_once_queue_one_job(db):
    Job.objects.create(kind=kinds.DAILY, period="2026-12-02")
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(kind=kinds.DAILY, period="2026-12-02")
    assert schedule._queue_once(kinds.DAILY, "2026-12-02", dispatch=False) is None
    # Jobs started by hand have no period and are never one of a kind per day.
    Job.objects.create(kind=kinds.DAILY)
    Job.objects.create(kind=kinds.DAILY)


def test_a_tick_also_sweeps_jobs_whose_worker_stopped(db, settings):
    settings.XIETONG_JOBS_HEARTBEAT_LAPSE = 60
    now = dt.datetime(2026, 12, 2, 3, 0, tzinfo=BEIJING)
    stale = Job.objects.create(
        kind=kinds.COUNT, status=JobStatus.RUNNING, heartbeat_at=now - dt.timedelta(minutes=5)
    )
    assert schedule.tick(now, dispatch=False).swept == 1
    stale.refresh_from_db()
    assert stale.status == JobStatus.FAILED


def test_the_command_runs_due_jobs_and_those_an_earlier_tick_left_waiting(db):
    left = Job.objects.create(kind=kinds.DAILY, period="2020-01-01")  # no worker took it
    out = io.StringIO()
    call_command("jobs", "tick", "--run", stdout=out)
    text = out.getvalue()
    assert "queued #" in text and f"#{left.pk}\t{kinds.DAILY}\t2020-01-01\tsucceeded" in text
    left.refresh_from_db()
    assert left.status == JobStatus.SUCCEEDED and left.result == {"day": "2020-01-01"}
    again = io.StringIO()
    call_command("jobs", "tick", stdout=again)
    assert "No scheduled job is due." in again.getvalue()


def test_it_refuses_a_schedule_it_does_not_know():
    with pytest.raises(ValueError, match="every is one of"):
        registry.register("tests.hourly", label="Hourly", every="hourly")
