"""``xietong plan_report --authority 110000 --period 2025Q3`` (see ``plan.cli_dashboard``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xietong.plan import cli_dashboard


class Command(BaseCommand):
    help = cli_dashboard.HELP

    def add_arguments(self, parser: CommandParser) -> None:
        cli_dashboard.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        cli_dashboard.run(options, self.stdout)
