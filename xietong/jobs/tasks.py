"""The one django-tasks task every job runs through (``xietong db_worker`` executes it)."""

from __future__ import annotations

from django_tasks import task

from xietong.jobs.runner import run


@task()
def execute_job(job_id: int) -> None:
    run(job_id)
