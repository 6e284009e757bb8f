"""``xietong export KIND --region CODE [--institution ID] [--format xlsx|csv] [--as USERNAME]
FILE``: a list's export written at the console, through the list's own export kind.

The operator acts, as ``xietong match`` does, for the region's authority — here as a
viewer (it reads; personal data stays masked) — unless ``--as`` names an account, whose
scope and rights then apply, the region being the list's area filter. One audit event, as
for an export from the page; a progress bar on stderr past ``XIETONG_EXPORT_SYNC_ROWS``
rows. Bad input is said plainly (exit code 2), never a traceback.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from tqdm import tqdm

from xietong.accounts.access import Actor, Grant, actor_for
from xietong.accounts.models import Role, User
from xietong.core.errors import ServiceError
from xietong.jobs import exports
from xietong.regions.models import Region

# The lists exported at the console: their names here, their export kinds.
KINDS = {"staff": "staff", "institutions": "institutions"}
LANGS = ("zh-hans", "en")


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Export a list (staff, institutions) of a region to an xlsx or CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="what to export: " + ", ".join(KINDS))
        parser.add_argument("file", help="the file to write (.xlsx or .csv)")
        parser.add_argument("--region", required=True, help="a six-digit region code")
        parser.add_argument("--institution", default="", help="an institution's id")
        parser.add_argument("--format", default="", help="xlsx or csv (default: the suffix)")
        parser.add_argument(
            "--as",
            dest="as_user",
            default="",
            help="act as this account (default: the region's authority, read-only)",
        )
        parser.add_argument("--lang", default="zh-hans", help="zh-hans or en (the headers)")

    def handle(self, *args: Any, **opts: Any) -> None:
        kind = KINDS.get(opts["kind"])
        if kind is None:
            raise _fail(f"Unknown list {opts['kind']!r}: choose one of {', '.join(KINDS)}.")
        lang = (opts["lang"] or "").lower()
        if lang not in LANGS:
            raise _fail(f"Unknown language {lang!r}: use zh-hans or en.")
        target = Path(opts["file"])
        fmt = (opts["format"] or target.suffix.lstrip(".") or "xlsx").lower()
        if fmt not in ("xlsx", "csv"):
            raise _fail(f"Unknown format {fmt!r}: use xlsx or csv.")
        if not target.parent.is_dir():
            raise _fail(f"No directory {str(target.parent)!r} to write {target.name!r} into.")
        region = Region.objects.filter(code=opts["region"]).first()
        if region is None:
            raise _fail(f"No region with the code {opts['region']!r}.")
        actor = self._actor(opts["as_user"], region)
        params: dict[str, Any] = {"area": region.code}
        if opts["institution"]:
            params["institution"] = opts["institution"]
        with translation.override(lang):
            written = self._write(actor, kind, params, fmt, target)
        self.stderr.write(f"{written} rows written to {target}.")

    def _write(
        self, actor: Actor, kind: str, params: dict[str, Any], fmt: str, target: Path
    ) -> int:
        """Into a temporary file beside ``target``, renamed when complete: a refused or
        failed export leaves no half-written file."""
        bar: tqdm[Any] | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                large = total > exports.sync_limit()
                stream = getattr(self.stderr, "_out", sys.stderr)  # the raw stream: \r redraws
                bar = tqdm(total=total, unit=" rows", file=stream, disable=not large)
            bar.update(done - bar.n)

        fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "wb") as out:
                written = exports.export_to(actor, kind, params, fmt, out, progress=progress)
            os.replace(partial, target)
        except ServiceError as e:
            raise _fail(_message(e)) from None
        finally:
            if bar is not None:
                bar.close()
            if os.path.exists(partial):
                os.unlink(partial)
        return written

    def _actor(self, username: str, region: Region) -> Actor:
        if not username:
            grant = Grant(Role.AUTHORITY_VIEWER, region_path=region.path)
            return Actor(user_id=None, name="console (xietong export)", grants=(grant,))
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise _fail(f"No active user {username!r}.")
        return actor_for(user)


def _message(e: ServiceError) -> str:
    lines = [str(e.message)]
    for field, messages in e.fields.items():
        lines += [f"  {field}: {m}" for m in messages if str(m) != lines[0]]
    return "\n".join(lines)
