"""The sweep: a running job whose heartbeat lapsed lost its worker and is marked failed.

It runs on reads of a job (the selectors) and from ``xietong jobs sweep`` (cron or a
systemd timer next to the workers). ``now`` is injectable so tests need not sleep.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from xietong.jobs.choices import JobStatus
from xietong.jobs.messages import WORKER_LOST
from xietong.jobs.models import Job

log = logging.getLogger("xietong.jobs")


def lapse_seconds() -> int:
    return int(getattr(settings, "XIETONG_JOBS_HEARTBEAT_LAPSE", 60))


def lapsed(queryset: QuerySet[Job] | None = None, now: dt.datetime | None = None) -> QuerySet[Job]:
    now = now or timezone.now()
    qs = Job.objects.all() if queryset is None else queryset
    return qs.filter(
        status=JobStatus.RUNNING,
        heartbeat_at__lt=now - dt.timedelta(seconds=lapse_seconds()),
    )


def is_lapsed(job: Job, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        job.status == JobStatus.RUNNING
        and job.heartbeat_at is not None
        and job.heartbeat_at < now - dt.timedelta(seconds=lapse_seconds())
    )


def sweep(queryset: QuerySet[Job] | None = None, now: dt.datetime | None = None) -> int:
    """Fail the lapsed running jobs (of ``queryset``, default all); returns how many."""
    now = now or timezone.now()
    ids = list(lapsed(queryset, now).values_list("pk", flat=True))
    if not ids:
        return 0  # no write (and on SQLite no write lock) on the common path
    count = lapsed(Job.objects.filter(pk__in=ids), now).update(
        status=JobStatus.FAILED,
        finished_at=now,
        message_code=WORKER_LOST,
        message_params={"seconds": lapse_seconds()},
    )
    log.warning("marked %s job(s) failed after their heartbeat lapsed: %s", count, ids)
    return count
