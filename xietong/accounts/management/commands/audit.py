"""``xietong audit verify``: recompute the hash chain of the audit log.

Exits 0 and prints ``OK: N events verified`` when every event matches its hash and links to
the one before; otherwise lists the problems on stderr and exits 1.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xietong.accounts import audit


class Command(BaseCommand):
    help = "Work with the tamper-evident audit log. Subcommands: verify."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        sub.add_parser(
            "verify",
            help="Recompute every event's hash and link; exit 1 if anything was changed.",
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "verify":
            self.verify()
        else:  # pragma: no cover - argparse refuses unknown subcommands first
            raise CommandError(f"Unknown subcommand {subcommand!r}; use: verify.")

    def verify(self) -> None:
        result = audit.verify()
        if result.ok:
            self.stdout.write(f"OK: {result.checked} events verified")
            return
        for problem in result.problems:
            self.stderr.write(f"  {problem}")
        raise CommandError(
            f"The audit log failed verification: {len(result.problems)} problem(s) "
            f"in {result.checked} events.",
            returncode=1,
        )
