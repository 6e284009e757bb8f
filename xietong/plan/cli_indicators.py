"""``xietong plan snapshot [--period 2025Q3] [--indicator KEY …]``: compute the period's
values of the computed indicators and store them in their history.

A subcommand of ``xietong plan`` (:mod:`xietong.plan.cli`; the language is the command's
``--lang``). The default period is the current quarter. Bad input (a period that does not
parse, an unknown indicator) is said plainly, with exit code 2.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.core.periods import containing
from xietong.plan.cli import Subcommand, register_subcommand
from xietong.plan.indicators import snapshots
from xietong.plan.models import Indicator


def add_snapshot_arguments(parser: CommandParser) -> None:
    parser.add_argument("--period", default="", help="2025Q3, 2025-07 or 2025 (default: now)")
    parser.add_argument(
        "--indicator", action="append", default=[], help="an indicator's key (repeatable)"
    )


def run_snapshot(command: Any, opts: dict[str, Any]) -> None:
    period = opts.get("period") or containing(timezone.localdate()).code
    keys = list(opts.get("indicator") or [])
    chosen = None
    if keys:
        chosen = list(Indicator.objects.filter(key__in=keys))
        missing = sorted(set(keys) - {i.key for i in chosen})
        if missing:
            raise CommandError(
                _("No such indicator: %(keys)s") % {"keys": ", ".join(missing)}, returncode=2
            )
    result = snapshots.snapshot(None, period, chosen)
    command.stdout.write(
        _(
            "Snapshot of %(period)s: %(written)s values written, %(unchanged)s unchanged, "
            "%(kept)s published or reported values kept (%(n)s indicators)."
        )
        % {
            "period": result.period,
            "written": result.written,
            "unchanged": result.unchanged,
            "kept": result.kept,
            "n": len(result.indicators),
        }
    )


register_subcommand(
    Subcommand(
        "snapshot",
        "compute the indicators of a period and store them in their history",
        add_snapshot_arguments,
        run_snapshot,
    )
)
