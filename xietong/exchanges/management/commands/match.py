"""``xietong match PROGRAM_ID [--mode stable|min_cost] [--publish]``: match in the foreground."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from xietong.accounts.access import Actor, Grant, actor_for
from xietong.accounts.models import Role, User
from xietong.core.errors import ServiceError
from xietong.exchanges.choices import RunStatus
from xietong.exchanges.models import Program
from xietong.exchanges.services.programs import require_manager
from xietong.exchanges.services.runs import (
    execute_matching_run,
    publish_run,
    start_matching_run,
)
from xietong.jobs.models import Job


class Command(BaseCommand):
    help = "Run the matching of an exchange program in the foreground and print statistics."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("program_id", type=int)
        parser.add_argument("--mode", choices=["stable", "min_cost"], default="stable")
        parser.add_argument("--ranking", default="", help="e.g. backbone_first,years_desc")
        parser.add_argument("--publish", action="store_true", help="publish the results")
        parser.add_argument(
            "--as-user",
            default="",
            help="act as this authority admin (default: the program's authority)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        program = Program.objects.select_related("region").filter(pk=opts["program_id"]).first()
        if program is None:
            raise CommandError(f"No exchange program with id {opts['program_id']}.")
        actor = self._actor(opts["as_user"], program)
        params = {"ranking": opts["ranking"].split(",")} if opts["ranking"] else None
        try:
            run = start_matching_run(actor, program.pk, opts["mode"], params, enqueue=False)
            with tqdm(total=100, desc=f"matching #{run.pk} (job #{run.job_id})", unit="%") as bar:

                def progress(job: Job) -> None:
                    bar.update(job.percent - bar.n)
                    if job.message:
                        bar.set_postfix_str(job.message, refresh=False)

                run = execute_matching_run(run.pk, progress)
            if run.status != RunStatus.DONE:
                job = run.job
                raise CommandError(f"The run failed (job #{run.job_id}): {job and job.message}")
            self.stdout.write(json.dumps(run.statistics, ensure_ascii=False, indent=2))
            if opts["publish"]:
                publish_run(actor, run.pk)
                self.stdout.write(self.style.SUCCESS(f"Run #{run.pk} published."))
        except ServiceError as e:
            raise CommandError(str(e.message)) from None

    def _actor(self, username: str, program: Program) -> Any:
        if not username:
            # The operator at the console acts for the program's own authority (audited so).
            grant = Grant(Role.AUTHORITY_ADMIN, region_path=program.region.path)
            return Actor(user_id=None, name="console (xietong match)", grants=(grant,))

        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        actor = actor_for(user)
        try:
            require_manager(actor, program)
        except ServiceError as e:
            raise CommandError(str(e.message)) from None
        return actor
