"""``xietong audit verify|archive|verify-archive``: the keyed audit chain.

``verify`` exits 0 and prints ``OK: N events verified`` when every event matches its hash,
links to the one before and the anchor outside the database agrees; otherwise it lists the
problems on stderr and exits 1. ``archive --before DATE --to FILE`` moves events past the
retention period to a signed file; ``verify-archive FILE`` checks such a file.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xietong.accounts import audit
from xietong.accounts.access import system_actor


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "The keyed audit chain. Subcommands: verify, archive, verify-archive."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        sub.add_parser(
            "verify",
            help="Recompute every event's hash and link; exit 1 if anything was changed.",
        )
        arch = sub.add_parser(
            "archive", help="Move events older than a date (past retention) to a signed file."
        )
        arch.add_argument("--before", required=True, type=_date, help="YYYY-MM-DD")
        arch.add_argument("--to", required=True, dest="target", help="the archive file to write")
        check = sub.add_parser("verify-archive", help="Check an archive's signature and chain.")
        check.add_argument("file")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "verify":
            self.verify()
        elif subcommand == "archive":
            self.archive(options["before"], options["target"])
        elif subcommand == "verify-archive":
            self.report(audit.verify_archive(options["file"]), "in the archive")
        else:  # pragma: no cover - argparse refuses unknown subcommands first
            raise CommandError(f"Unknown subcommand {subcommand!r}; use: verify.")

    def archive(self, before: dt.date, target: str) -> None:
        if Path(target).exists():
            raise CommandError(f"{target} exists already; name a new file.")
        try:
            result = audit.archive(system_actor("audit archive"), before, target)
        except audit.RetentionRefused as e:
            raise CommandError(str(e)) from None
        except OSError as e:
            raise CommandError(f"Cannot write {target}: {e.strerror}") from None
        self.stdout.write(f"Archived {result.archived} events to {target}.")

    def report(self, result: audit.VerifyResult, where: str) -> None:
        if result.ok:
            self.stdout.write(f"OK: {result.checked} events verified {where}")
            return
        for problem in result.problems:
            self.stderr.write(f"  {problem}")
        raise CommandError(
            f"Verification failed: {len(result.problems)} problem(s) in {result.checked} events.",
            returncode=1,
        )

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
