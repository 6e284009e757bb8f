"""Job schemas of the API; :func:`job_out` is shared by every app that embeds its jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from xietong.jobs import selectors
from xietong.jobs.choices import JobStatus
from xietong.jobs.models import Job


class Error(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class JobTarget(Schema):
    type: str
    id: int


class JobOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    status_label: str
    done: int
    total: int | None
    percent: int = Field(description="0–100")
    message: str = Field(description="in the caller's language")
    result: Any | None
    result_file: str | None = Field(
        description="download address of the result file (GET, with the session or the token)"
    )
    task_id: str
    attempts: int
    heartbeat_at: dt.datetime | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    target: JobTarget | None
    parameters: dict[str, Any]
    actions: list[Literal["retry", "cancel"]] = Field(description="what the caller may do now")


class JobPage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[JobOut]


class JobQuery(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(20, description="20, 50 or 100")
    status: Literal["", "queued", "running", "succeeded", "failed", "cancelled"] = ""
    kind: str = Field("", max_length=64)


def job_out(job: Job) -> dict[str, Any]:
    target = None
    if job.target_type_id is not None and job.target_id is not None:
        ct = job.target_type
        target = {"type": f"{ct.app_label}.{ct.model}", "id": job.target_id}  # type: ignore[union-attr]
    return {
        "id": job.pk,
        "kind": job.kind,
        "kind_label": str(job.kind_label),
        "status": job.status,
        "status_label": str(JobStatus(job.status).label),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "result": job.result,
        "result_file": reverse("api:job_result", args=[job.pk]) if job.result_file else None,
        "task_id": job.task_id,
        "attempts": job.attempts,
        "heartbeat_at": job.heartbeat_at,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "target": target,
        "parameters": job.parameters,
        "actions": selectors.actions(job),
    }
