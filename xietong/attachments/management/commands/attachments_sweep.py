"""``xietong attachments_sweep``: delete stored files that no attachment refers to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xietong.attachments.services import sweep_orphan_files


class Command(BaseCommand):
    help = "Delete stored attachment files without a row (left by rolled-back transactions)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours", type=float, default=6.0, help="only files older than this (default 6)"
        )

    def handle(self, *args: Any, hours: float, **options: Any) -> None:
        removed = sweep_orphan_files(dt.timedelta(hours=max(hours, 0)))
        for name in removed:
            self.stdout.write(name)
        self.stdout.write(f"{len(removed)} orphan file(s) deleted")
