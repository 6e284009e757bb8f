"""Background tasks (the Django Tasks API; the database backend in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_matching(run_id: int) -> None:
    """Execute one matching run; its progress and outcome are stored on the run."""
    from xietong.exchanges.services.runs import execute_matching_run

    execute_matching_run(run_id)
