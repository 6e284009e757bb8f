"""``xietong training certificates --program N [--as USERNAME]``: issue the certificates
still due for a completed program's completions (through the certificates service)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xietong.accounts.access import Actor, actor_for
from xietong.accounts.models import User
from xietong.core.errors import NotFound, ServiceError
from xietong.training.models import Program
from xietong.training.services import certificates


class Command(BaseCommand):
    help = "Teacher training: issue the pending certificates of a program."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("certificates", help="issue the certificates still due")
        issue.add_argument("--program", type=int, required=True, help="the program's id")
        issue.add_argument(
            "--as",
            dest="as_user",
            default="",
            help="issue as this user (one of the provider's administrators; audited so); "
            "default: the user who created the program",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        program = Program.objects.filter(pk=opts["program"]).select_related("created_by").first()
        if program is None:
            raise CommandError(f"No training program #{opts['program']}.")
        actor = self._actor(opts["as_user"], program)
        try:
            n = certificates.issue_pending(actor, program.pk)
        except NotFound:
            raise CommandError(f"{actor.name} cannot see training program #{program.pk}.") from None
        except ServiceError as e:
            raise CommandError(str(e.message)) from None
        self.stdout.write(f"issued: {n} certificates for #{program.pk} {program.title}")

    def _actor(self, username: str, program: Program) -> Actor:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {username!r}.")
            return actor_for(user)
        creator = program.created_by
        if creator is None or not creator.is_active:
            raise CommandError(
                "The program's creator is no longer active: give --as USERNAME, one of the "
                "provider's administrators."
            )
        return actor_for(creator)
