"""The subcommands of ``xietong plan``: each part of the plan adds its own.

A part writes a module ``xietong/plan/cli_<part>.py`` that registers its subcommands::

    from xietong.plan.cli import Subcommand, register_subcommand

    def arguments(parser):
        parser.add_argument("--period", required=True)

    def run(command, opts):
        command.stdout.write(...)

    register_subcommand(Subcommand("snapshot", "snapshot the indicators", arguments, run))

The command imports every ``cli_*`` module of the package (:func:`discover`) and
dispatches to the subcommand named on the command line. A subcommand refuses bad input
by raising ``CommandError(message, returncode=2)`` or a ``ServiceError`` (said plainly by
the command, exit code 2).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management.base import CommandParser


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    arguments: Callable[[CommandParser], None]
    run: Callable[[Any, dict[str, Any]], None]


_subcommands: dict[str, Subcommand] = {}


def register_subcommand(sub: Subcommand) -> None:
    _subcommands[sub.name] = sub


def subcommands() -> list[Subcommand]:
    discover()
    return sorted(_subcommands.values(), key=lambda s: s.name)


def subcommand(name: str) -> Subcommand | None:
    discover()
    return _subcommands.get(name)


def discover() -> None:
    """Import ``xietong.plan.cli_*`` (each registers its subcommands)."""
    import xietong.plan as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("cli_"):
            importlib.import_module(f"xietong.plan.{info.name}")
