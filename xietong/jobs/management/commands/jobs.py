"""``xietong jobs sweep``: mark failed the running jobs whose worker stopped beating.

``xietong jobs list [--status failed]`` prints the latest jobs of every owner.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xietong.jobs import heartbeat
from xietong.jobs.choices import JobStatus
from xietong.jobs.models import Job


class Command(BaseCommand):
    help = "Background jobs: sweep lapsed heartbeats, list jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sweep", help="fail running jobs whose heartbeat lapsed")
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
        qs = Job.objects.select_related("owner").order_by("-id")
        if opts["status"]:
            qs = qs.filter(status=opts["status"])
        for job in qs[: max(1, opts["limit"])]:
            owner = job.owner.username if job.owner else "console"
            self.stdout.write(
                f"#{job.pk}\t{job.kind}\t{job.status}\t{job.percent}%\t{owner}\t"
                f"{job.created_at:%Y-%m-%d %H:%M:%S}\t{job.message}"
            )
