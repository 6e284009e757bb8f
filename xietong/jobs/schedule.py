"""Scheduled jobs: ``xietong jobs tick`` queues the jobs of scheduled kinds that are due.

django-tasks runs what is queued but schedules nothing, so one small mechanism does: a
kind registered with ``every="daily"`` gets one job per day (in the platform's time zone),
owned by no one, its period (``"2026-12-01"``) stored on the job. A unique constraint on
(kind, period) makes ticking idempotent — run it every few minutes from cron or a systemd
timer on as many machines as you like; the first tick of the day queues the job, the
others find it there. A tick also sweeps lapsed heartbeats (``xietong jobs sweep``), so one
timer serves both. ``now`` is injectable so tests need not wait for midnight.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from xietong.jobs import heartbeat, registry, services
from xietong.jobs.models import Job


def period_of(every: str, now: dt.datetime | None = None) -> str:
    """The period a scheduled kind's job belongs to at ``now`` (local time)."""
    if every == "daily":
        return timezone.localtime(now or timezone.now()).date().isoformat()
    raise ValueError(f"unknown schedule {every!r}")


@dataclass
class Tick:
    swept: int = 0
    queued: list[Job] = field(default_factory=list)


def tick(now: dt.datetime | None = None, *, dispatch: bool = True) -> Tick:
    """Sweep lapsed jobs, then queue each scheduled kind's job for the present period.

    ``dispatch=False`` leaves the queued jobs for :func:`xietong.jobs.services.run_now`
    (``xietong jobs tick --run``: a machine without a ``db_worker``).
    """
    result = Tick(swept=heartbeat.sweep(now=now))
    for kind in registry.kinds():
        if kind.every is None:
            continue
        job = _queue_once(kind.name, period_of(kind.every, now), dispatch)
        if job is not None:
            result.queued.append(job)
    return result


def _queue_once(kind: str, period: str, dispatch: bool) -> Job | None:
    if Job.objects.filter(kind=kind, period=period).exists():
        return None
    try:
        with transaction.atomic():
            job = Job.objects.create(kind=kind, period=period, parameters={"period": period})
    except IntegrityError:  # another tick queued it a moment ago
        return None
    if dispatch:
        services.dispatch_on_commit(job.pk)
    return job
