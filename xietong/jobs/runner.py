"""Executing a job: claim it, hand its handler a reporter, record the outcome.

Used by the django-tasks task (a ``db_worker`` process, or inline with
``XIETONG_TASKS=immediate``) and by commands that run a job in the foreground.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Q
from django.utils import timezone, translation

from xietong.core.errors import ServiceError
from xietong.jobs import registry
from xietong.jobs.choices import JobStatus
from xietong.jobs.messages import UNEXPECTED, UNKNOWN_KIND, WORKER_LOST
from xietong.jobs.models import Job

log = logging.getLogger("xietong.jobs")

OnReport = Callable[[Job], None]


class Interrupted(Exception):
    """The job is no longer running here (cancelled, or swept after a lapse)."""


class Reporter:
    """``report(done, total, message, **params)``: progress that also beats the heartbeat.

    Writes are throttled to one per ``XIETONG_JOBS_BEAT_SECONDS`` (default 2 s) unless the
    message changes or the job reaches its total; call at least once per heartbeat lapse
    (default 60 s) — a job that stays silent longer is taken for a dead worker. Report
    outside the handler's own transactions, or readers will not see the progress.
    """

    def __init__(self, job: Job, on_report: OnReport | None = None):
        self.job = job
        self.on_report = on_report
        self.every = float(getattr(settings, "XIETONG_JOBS_BEAT_SECONDS", 2))
        self._written = time.monotonic()

    def __call__(
        self, done: int, total: int | None = None, message: str = "", **params: Any
    ) -> None:
        job = self.job
        done = max(0, int(done))
        total = None if total is None else max(done, int(total))
        changed = message != job.message_code or params != job.message_params
        job.done, job.total, job.message_code, job.message_params = done, total, message, params
        if changed or done == total or time.monotonic() - self._written >= self.every:
            self._write(done=done, total=total, message_code=message, message_params=params)
        if self.on_report:
            self.on_report(job)

    def save_file(self, name: str, content: bytes | File) -> None:
        """Store the job's result file through Django's storage (``upload_to`` jobs/Y/m/)."""
        data = content if isinstance(content, File) else ContentFile(content)
        self.job.result_file.save(name, data, save=False)
        Job.objects.filter(pk=self.job.pk).update(result_file=self.job.result_file.name)

    def beat(self) -> None:
        """Only the heartbeat (a handler busy for long between two reports)."""
        if time.monotonic() - self._written >= self.every:
            self._write()

    def _write(self, **fields: Any) -> None:
        now = timezone.now()
        updated = Job.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING).update(
            heartbeat_at=now, **fields
        )
        self._written = time.monotonic()
        self.job.heartbeat_at = now
        if not updated:
            raise Interrupted()


def run(job_id: int, on_report: OnReport | None = None) -> Job:
    """Execute a queued job; a job not queued (cancelled, taken by another worker) is left."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        attempts=F("attempts") + 1,
        done=0,
        total=None,
        message_code="",
        message_params={},
    )
    job = Job.objects.get(pk=job_id)
    if not claimed:
        log.info("job %s is %s, not queued: not run", job_id, job.status)
        return job
    kind = registry.get(job.kind)
    if kind is None:
        _finish(job, JobStatus.FAILED, code=UNKNOWN_KIND, params={"kind": job.kind})
        job.refresh_from_db()
        return job
    reporter = Reporter(job, on_report)
    try:
        result = kind.handler(job, reporter)
    except Interrupted:
        job.refresh_from_db()
        return job
    except registry.JobFailed as e:
        _finish(job, JobStatus.FAILED, code=e.code, params=e.params)
    except ServiceError as e:
        with translation.override("en"):
            # a lazy message becomes its msgid, translated again for each reader
            _finish(job, JobStatus.FAILED, code=str(e.message))
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, JobStatus.FAILED, code=UNEXPECTED)
    else:
        try:
            clean = json.loads(json.dumps(result, cls=DjangoJSONEncoder))
        except (TypeError, ValueError):
            log.exception("job %s (%s) returned a result that is not JSON", job.pk, job.kind)
            _finish(job, JobStatus.FAILED, code=UNEXPECTED)
        else:
            _finish(job, JobStatus.SUCCEEDED, result=clean)
    job.refresh_from_db()
    if on_report:
        on_report(job)
    return job


def _finish(
    job: Job,
    status: str,
    *,
    code: str = "",
    params: dict[str, Any] | None = None,
    result: Any = None,
) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {"status": status, "finished_at": now, "heartbeat_at": now}
    fields.update(done=job.done, total=job.total)  # the last report, even if not yet written
    if status == JobStatus.SUCCEEDED:
        fields.update(result=result, message_code="", message_params={})
        if job.total is not None:
            fields["done"] = job.total
    else:
        fields.update(message_code=code[:500], message_params=params or {})
    # A job the sweep failed meanwhile (a worker that was only slow) still gets its outcome;
    # one retried or cancelled since does not.
    still_ours = Q(status=JobStatus.RUNNING) | Q(status=JobStatus.FAILED, message_code=WORKER_LOST)
    Job.objects.filter(still_ours, pk=job.pk, attempts=job.attempts).update(**fields)
