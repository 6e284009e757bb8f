"""``xietong plan_snapshot [--period 2025Q3]``: the ``plan snapshot`` subcommand on its own
(:mod:`xietong.plan.cli_indicators`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xietong.plan import cli_indicators


class Command(BaseCommand):
    help = "Compute the plan's indicators for a period and store them in their history."

    def add_arguments(self, parser: CommandParser) -> None:
        cli_indicators.add_snapshot_arguments(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        cli_indicators.run_snapshot(opts, self.stdout)
