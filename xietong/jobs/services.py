"""Every write to jobs: enqueue, retry, cancel (the runner records progress and outcomes)."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.jobs import registry, runner, selectors
from xietong.jobs.choices import RETRYABLE, JobStatus
from xietong.jobs.messages import CANCELLED
from xietong.jobs.models import Job


def enqueue(
    actor: Actor,
    kind: str,
    params: Mapping[str, Any] | None = None,
    *,
    target: models.Model | None = None,
    dispatch: bool = True,
) -> Job:
    """Create a queued job and hand it to the task backend when the transaction commits.

    ``dispatch=False`` leaves it queued for :func:`run_now` (a command in the foreground).
    The caller checks that the actor may start this work; the job records who did.
    """
    if registry.get(kind) is None:
        raise InvalidInput(_("Unknown kind of job: %(kind)s") % {"kind": kind})
    try:
        clean = json.loads(json.dumps(dict(params or {})))
    except (TypeError, ValueError):
        raise InvalidInput(_("The parameters of a job must be plain JSON values.")) from None
    job = Job.objects.create(
        kind=kind,
        owner_id=actor.user_id,
        parameters=clean,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
    )
    if dispatch:
        dispatch_on_commit(job.pk)
    return job


def dispatch_on_commit(job_id: int) -> None:
    """Hand a queued job to the task backend once the transaction commits."""

    def dispatch() -> None:
        from xietong.jobs.tasks import execute_job

        result = execute_job.enqueue(job_id)  # runs inline with the immediate backend
        Job.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])

    transaction.on_commit(dispatch)


def run_now(job: Job, on_report: runner.OnReport | None = None) -> Job:
    """Execute a queued job in this process (the console's progress bar reads ``on_report``)."""
    return runner.run(job.pk, on_report)


def _managed(actor: Actor, job: Job | int) -> Job:
    pk = job.pk if isinstance(job, Job) else job
    found = selectors.job_detail(actor, pk)  # sweeps a lapsed heartbeat first
    if not getattr(found, "can_manage", False):
        raise PermissionDenied(_("You may follow this job but not retry or cancel it."))
    return Job.objects.select_for_update().get(pk=pk)


@transaction.atomic
def retry(actor: Actor, job: Job | int) -> Job:
    """Queue a failed or cancelled job again (same job, one more attempt)."""
    locked = _managed(actor, job)
    if locked.status == JobStatus.QUEUED:
        raise Conflict(_("This job is still waiting for a worker; it cannot be retried yet."))
    if locked.status == JobStatus.RUNNING:
        raise Conflict(
            _("This job is running (%(percent)s%%); retry it only once it has failed.")
            % {"percent": locked.percent}
        )
    if locked.status not in RETRYABLE:
        raise Conflict(_("This job has already succeeded; there is nothing to retry."))
    Job.objects.filter(pk=locked.pk).update(
        status=JobStatus.QUEUED,
        done=0,
        total=None,
        message_code="",
        message_params={},
        finished_at=None,
        task_id="",
    )
    audit.record(
        actor, "jobs.retry", target=locked, detail={"kind": locked.kind, "was": locked.status}
    )
    dispatch_on_commit(locked.pk)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def cancel(actor: Actor, job: Job | int) -> Job:
    """Cancel a queued job at once; a running one stops at its handler's next report."""
    locked = _managed(actor, job)
    if locked.finished:
        raise Conflict(_("This job has already finished; there is nothing to cancel."))
    Job.objects.filter(pk=locked.pk).update(
        status=JobStatus.CANCELLED,
        finished_at=timezone.now(),
        message_code=CANCELLED,
        message_params={},
    )
    audit.record(actor, "jobs.cancel", target=locked, detail={"kind": locked.kind})
    locked.refresh_from_db()
    return locked


@dataclass
class ResultFile:
    job: Job
    handle: IO[bytes]
    name: str
    content_type: str


def open_result(actor: Actor, job: Job | int) -> ResultFile:
    """Open the result file of a job the actor sees, and record the download.

    A result file may hold what an export carried off (personal data among it), so every
    download is an audit event, as for attachments.
    """
    pk = job.pk if isinstance(job, Job) else job
    found = selectors.job_detail(actor, pk)
    if not found.result_file:
        raise NotFound(_("This job has no result file."))
    try:
        handle = found.result_file.open("rb")
    except (FileNotFoundError, OSError):
        raise NotFound(_("The result file of this job is missing from storage.")) from None
    name = found.result_file.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    with transaction.atomic():
        audit.record(
            actor, "jobs.result_download", target=found, label=name, detail={"kind": found.kind}
        )
    return ResultFile(found, handle, name, content_type)
