"""``xietong import staff FILE [--dry-run] [--all] (--as-user NAME | --region CODE)``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from xietong.accounts.access import Actor, Grant, actor_for
from xietong.accounts.models import Role, User
from xietong.core.errors import InvalidInput, ServiceError
from xietong.jobs import services as jobs
from xietong.jobs.models import Job
from xietong.regions.models import Region
from xietong.transfer import services
from xietong.transfer.models import Import, WriteMode
from xietong.transfer.rosters import rosters


class Command(BaseCommand):
    help = "Import a roster file (xlsx, xls or CSV): check every row, then write the valid ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "roster", help="what the file holds: " + ", ".join(r.name for r in rosters())
        )
        parser.add_argument("file", help="the xlsx, xls or CSV file")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--all", action="store_true", help="write only if every row is valid (all or nothing)"
        )
        parser.add_argument("--as-user", default="", help="import as this user (audited so)")
        parser.add_argument(
            "--region",
            default="",
            help="import at the console as an authority admin of this region (e.g. 131082)",
        )
        parser.add_argument("--errors", default="", help="write the rows with errors to this xlsx")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        actor = self._actor(opts["as_user"], opts["region"])
        try:
            with path.open("rb") as handle:
                upload = File(handle, name=path.name)
                imp = services.start_import(actor, opts["roster"], upload, dispatch=False)
            imp = self._run(imp, "check")
            self._print(imp, "checked")
            if not opts["dry_run"]:
                mode = WriteMode.ALL if opts["all"] else WriteMode.VALID
                if imp.checked and (imp.checked["create"] or imp.checked["update"]):
                    imp = self._run(services.apply_to(actor, imp, mode, dispatch=False), "write")
                    self._print(imp, "written")
                else:
                    self.stdout.write("Nothing to write.")
        except InvalidInput as e:
            details = [m for ms in e.fields.values() for m in ms] or [str(e.message)]
            raise CommandError("\n".join(details)) from None
        except ServiceError as e:
            raise CommandError(str(e.message)) from None
        if opts["errors"] and imp.error_report:
            with imp.error_report.open("rb") as src:
                Path(opts["errors"]).write_bytes(src.read())
            self.stdout.write(f"Rows with errors written to {opts['errors']}.")

    def _run(self, imp: Import, what: str) -> Import:
        assert imp.job is not None
        with tqdm(desc=f"{what} #{imp.pk} (job #{imp.job_id})", unit=" rows") as bar:

            def progress(job: Job) -> None:
                bar.update(job.done - bar.n)

            job = jobs.run_now(imp.job, progress)
        if job.status != "succeeded":
            raise CommandError(f"The {what} failed (job #{job.pk}): {job.message}")
        imp.refresh_from_db()
        return imp

    def _print(self, imp: Import, key: str) -> None:
        counts = imp.written if key == "written" else imp.checked
        self.stdout.write(f"{key}: {json.dumps(counts, ensure_ascii=False)}")
        if key == "checked":
            for row, column, message in imp.problems[:20]:
                self.stdout.write(f"  row {row}, {column}: {message}")
            if imp.unknown_columns:
                self.stdout.write("ignored columns: " + ", ".join(imp.unknown_columns))

    def _actor(self, username: str, region: str) -> Actor:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {username!r}.")
            return actor_for(user)
        if region:
            found = Region.objects.filter(code=region).first()
            if found is None:
                raise CommandError(f"No region with the code {region!r}.")
            grant = Grant(Role.AUTHORITY_ADMIN, region_path=found.path)
            return Actor(user_id=None, name="console (xietong import)", grants=(grant,))
        raise CommandError("Give --as-user USERNAME or --region CODE: who imports the file.")
