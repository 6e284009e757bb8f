"""``xietong plan snapshot [--period 2025Q3] [--indicator KEY …] [--lang zh-hans|en]``:
compute the period's values of the computed indicators and store them in their history.

The ``plan`` command dispatches its subcommands to modules like this one: each names its
subcommands in :data:`SUBCOMMANDS` as (add its arguments, run it). Until that command
exists ``xietong plan_snapshot`` runs this one alone. The default period is the current
quarter. Bad input (a period that does not parse, an unknown indicator) is said plainly,
with exit code 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, Protocol

from django.core.management.base import CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xietong.core.errors import ServiceError
from xietong.core.periods import containing
from xietong.plan.indicators import snapshots
from xietong.plan.models import Indicator

LANGS = ("zh-hans", "en")


class Out(Protocol):
    def write(self, msg: str) -> object: ...


def add_snapshot_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", default="", help="2025Q3, 2025-07 or 2025 (default: now)")
    parser.add_argument(
        "--indicator", action="append", default=[], help="an indicator's key (repeatable)"
    )
    parser.add_argument("--lang", default="zh-hans", help="zh-hans or en")


def run_snapshot(opts: dict[str, Any], out: Out) -> None:
    lang = (opts.get("lang") or "zh-hans").lower()
    if lang not in LANGS:
        raise CommandError(f"Unknown language {lang!r}: use zh-hans or en.", returncode=2)
    with translation.override(lang):
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
        try:
            result = snapshots.snapshot(None, period, chosen)
        except ServiceError as e:
            raise CommandError(str(e.message), returncode=2) from None
        out.write(
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
            + "\n"
        )


SUBCOMMANDS: dict[
    str,
    tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[dict[str, Any], Out], None]],
] = {
    "snapshot": (
        "compute the indicators of a period and store them in their history",
        add_snapshot_arguments,
        run_snapshot,
    ),
}
