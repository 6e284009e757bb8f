"""``xietong plan load FILE …``: load plans from their data files (``plan/data/*.json``),
in the order given (a predecessor before its successor). Run by an operator; a file with
problems is refused whole, each problem on its own line, exit code 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from xietong.access import system_actor
from xietong.plan.cli import Subcommand, register_subcommand
from xietong.plan.loader import load_plan

DATA = Path(__file__).resolve().parent / "data"
# The shipped plans, oldest first: ``xietong plan load --shipped``.
SHIPPED = ("shisanwu-2017.json", "jjj-2018-2020.json", "jjj-2023-2025.json")


def _arguments(parser: CommandParser) -> None:
    parser.add_argument("files", nargs="*", help="plan data files (JSON)")
    parser.add_argument(
        "--shipped", action="store_true", help="the plans shipped in xietong/plan/data"
    )


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"No such file: {path}", returncode=2) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CommandError(f"{path} is not a JSON file: {e}", returncode=2) from None


def _run(command: Any, opts: dict[str, Any]) -> None:
    paths = [Path(f) for f in opts["files"]]
    if opts["shipped"]:
        paths += [DATA / name for name in SHIPPED]
    if not paths:
        raise CommandError("Name the plan files to load (or --shipped).", returncode=2)
    actor = system_actor("plan load")
    for path in paths:
        plan = load_plan(actor, _read(path))
        command.stdout.write(
            f"{plan.key}: {plan.name} — {plan.sections.count()} sections, "
            f"{plan.tasks.count()} tasks"
        )


register_subcommand(Subcommand("load", "load plans from their data files", _arguments, _run))
