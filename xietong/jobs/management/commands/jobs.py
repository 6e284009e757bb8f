"""``xietong jobs sweep``: mark failed the running jobs whose worker stopped beating.

``xietong jobs tick [--run]``: sweep, then queue the scheduled jobs that are due (one per
day for a daily kind; see :mod:`xietong.jobs.schedule`) — run it every few minutes from
cron or a systemd timer; ``--run`` executes them here (a machine without a ``db_worker``).
``xietong jobs list [--status failed]`` prints the latest jobs of every owner.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xietong.jobs import heartbeat, schedule, services
from xietong.jobs.choices import JobStatus
from xietong.jobs.models import Job


class Command(BaseCommand):
    help = "Background jobs: sweep lapsed heartbeats, list jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sweep", help="fail running jobs whose heartbeat lapsed")
        ticking = sub.add_parser("tick", help="sweep, then queue the scheduled jobs that are due")
        ticking.add_argument(
            "--run", action="store_true", help="execute the queued jobs in this process"
        )
        listing = sub.add_parser("list", help="the latest jobs")
        listing.add_argument("--status", choices=JobStatus.values, default="")
        listing.add_argument("--limit", type=int, default=20)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "sweep":
            count = heartbeat.sweep()
            seconds = heartbeat.lapse_seconds()
            self.stdout.write(
                f"{count} job(s) marked failed (no heartbeat for more than {seconds} s)."
            )
            return
        if opts["action"] == "tick":
            self._tick(run=opts["run"])
            return
        qs = Job.objects.select_related("owner").order_by("-id")
        if opts["status"]:
            qs = qs.filter(status=opts["status"])
        for job in qs[: max(1, opts["limit"])]:
            owner = job.owner.username if job.owner else "console"
            self.stdout.write(
                f"#{job.pk}\t{job.kind}\t{job.status}\t{job.percent}%\t{owner}\t"
                f"{job.created_at:%Y-%m-%d %H:%M:%S}\t{job.message}"
            )

    def _tick(self, *, run: bool) -> None:
        result = schedule.tick(dispatch=not run)
        self.stdout.write(f"{result.swept} lapsed job(s) marked failed.")
        for job in result.queued:
            self.stdout.write(f"queued #{job.pk}\t{job.kind}\t{job.period}")
        if not result.queued:
            self.stdout.write("No scheduled job is due.")
        if not run:
            return
        # This tick's jobs, and any an earlier tick queued that no worker has taken.
        waiting = Job.objects.filter(status=JobStatus.QUEUED).exclude(period="").order_by("pk")
        for job in waiting:
            done = services.run_now(job)
            outcome = done.result if done.status == JobStatus.SUCCEEDED else done.message
            self.stdout.write(f"#{done.pk}\t{done.kind}\t{done.period}\t{done.status}\t{outcome}")
