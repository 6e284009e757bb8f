"""``xietong plan <subcommand> …``: the plan's commands, each from its part's module
(``xietong/plan/cli_*.py``, see :mod:`xietong.plan.cli`): ``load`` here; ``snapshot``,
``report`` … from the indicators and dashboard parts.

Bad input — a file with problems, an unknown option value — is said plainly in the
chosen language (``--lang``), with exit code 2; never a traceback.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from xietong.core.errors import ServiceError
from xietong.plan import cli

LANGS = ("zh-hans", "en")


class Command(BaseCommand):
    help = "The plan: load plans, and the subcommands of its parts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lang", default="zh-hans", help="zh-hans or en")
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for s in cli.subcommands():
            s.arguments(sub.add_parser(s.name, help=s.help))

    def handle(self, *args: Any, **opts: Any) -> None:
        lang = (opts.get("lang") or "zh-hans").lower()
        if lang not in LANGS:
            raise CommandError(f"Unknown language {lang!r}: use zh-hans or en.", returncode=2)
        found = cli.subcommand(opts["subcommand"])
        assert found is not None  # argparse accepts only the registered names
        with translation.override(lang):
            try:
                found.run(self, opts)
            except ServiceError as e:
                lines = [str(e.message)]
                for messages in e.fields.values():
                    lines += [f"  {m}" for m in messages if str(m) != lines[0]]
                raise CommandError("\n".join(lines), returncode=2) from None
