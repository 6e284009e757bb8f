"""The migration that moves matching runs onto jobs keeps existing runs meaningful."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from xietong.exchanges.models import MatchingRun
from xietong.jobs.models import Job
from xietong.tests_browser.test_journey import _empty_the_audit_log_for_the_flush

BEFORE = [("exchanges", "0001_initial"), ("jobs", "0001_initial")]
# The jobs app at its latest: the test reads runs' jobs through today's Job model.
AFTER = [("exchanges", "0002_jobs_matching_run_job"), ("jobs", "0002_scheduled_period")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_gives_every_existing_run_a_job_in_the_matching_state(ex):
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    OldRun = old.get_model("exchanges", "MatchingRun")
    finished = timezone.now() - dt.timedelta(days=3)
    sanhe = ex.cast.users["sanhe"].pk
    made = {
        status: OldRun.objects.create(
            program_id=ex.program.pk,
            mode="stable",
            status=status,
            progress=progress,
            error=error,
            created_by_id=sanhe,
            finished_at=finished if status not in ("queued", "running") else None,
        ).pk
        for status, progress, error in [
            ("queued", 0, ""),
            ("running", 40, ""),
            ("failed", 10, "Every slot of this program is full or has no places."),
            ("done", 100, ""),
            ("published", 100, ""),
        ]
    }
    _migrate(AFTER)
    try:
        runs = {s: MatchingRun.objects.select_related("job").get(pk=pk) for s, pk in made.items()}
        expect = {
            "queued": ("queued", "queued", 0),
            "running": ("queued", "running", 40),
            "failed": ("queued", "failed", 10),
            "done": ("done", "succeeded", 100),
            "published": ("published", "succeeded", 100),
        }
        for old_status, (status, job_status, percent) in expect.items():
            run = runs[old_status]
            assert (run.status, run.job.status, run.job.percent) == (status, job_status, percent)
            assert run.state == old_status and run.job.target == run
            assert run.job.owner_id == sanhe and run.job.kind == "exchanges.matching_run"
        assert runs["failed"].job.message_code.startswith("Every slot")
        assert runs["done"].job.finished_at == finished
        assert Job.objects.count() == 5

        back = _migrate(BEFORE).loader.project_state(BEFORE).apps  # and reversed
        Back = back.get_model("exchanges", "MatchingRun")
        restored = {s: Back.objects.get(pk=pk) for s, pk in made.items()}
        assert [restored[s].status for s in made] == list(made)
        assert restored["failed"].error.startswith("Every slot")
        assert (restored["running"].progress, restored["done"].progress) == (40, 100)
    finally:
        executor = MigrationExecutor(connection)
        _migrate(executor.loader.graph.leaf_nodes())  # the latest schema for the next tests
        _empty_the_audit_log_for_the_flush()
