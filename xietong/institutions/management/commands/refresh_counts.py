"""``xietong refresh_counts [--check]``: rebuild (or check) the staff tallies.

The services keep the tallies as they write; run this after writing staff past them (a
restore, a hand-made SQL fix). ``--check`` changes nothing: it lists the institutions whose
tallies disagree with their staff and exits 1 if there are any.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xietong.institutions import tallies


class Command(BaseCommand):
    help = "Rebuild the staff tallies (staff per institution and position) from the staff."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="only compare the tallies with the staff; exit 1 if they disagree",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["check"]:
            wrong = tallies.drift()
            for inst, position, tallied, counted in wrong[:50]:
                self.stderr.write(
                    f"  institution {inst} {position}: tallied {tallied}, counted {counted}"
                )
            if wrong:
                raise CommandError(
                    f"{len(wrong)} tallies disagree with the staff; run `xietong refresh_counts`.",
                    returncode=1,
                )
            self.stdout.write(f"OK: the tallies agree with the staff ({tallies.total():,} staff).")
            return
        rows = tallies.rebuild()
        self.stdout.write(
            f"Rebuilt {rows:,} tallies ({tallies.total():,} staff) in "
            f"{time.monotonic() - started:.1f} s."
        )
