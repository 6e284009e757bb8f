"""Every write of imports: upload a roster file, check it, write it, report its errors.

:func:`start_import` checks the file can be read as the roster's table (a file-level fault
is refused at once, with its reason), stores it as an attachment of a new
:class:`~xietong.transfer.models.Import` and queues its check as a job. :func:`apply`
queues the write of a checked import in a mode: the valid rows, or all rows only if every
row is valid. :func:`run` does the work of either job (and of the CLI, in the foreground):
it reads the file again, plans every row through the roster, and — when writing — writes
batch by batch inside one transaction, so that an interrupted or refused write leaves
nothing behind and can simply be run again. Each check and write is one audit event with
the counts and the file's SHA-256.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xietong import access
from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.attachments import services as attachments
from xietong.attachments.models import Attachment
from xietong.core import tables
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.transfer import reading
from xietong.transfer.models import Import, WriteMode
from xietong.transfer.rosters import ACTIONS, Outcome, Planned, Roster, roster_named
from xietong.transfer.template import EXAMPLE_MARK

JOB_KIND = "transfer.import"
PREVIEW = 200  # problems kept on the import for the page and the API
ERROR_COLUMN = "错误原因"
WRITE_FIELDS = ("written", "mode", "written_at", "checked", "problems", "error_report")


class Aborted(Exception):
    """Raised inside the write's transaction to undo it (all or nothing, with errors)."""


def require_importer(actor: Actor) -> None:
    """The import pages are for whoever may import at least one roster."""
    if not access.can(actor, "transfer.import"):
        raise PermissionDenied(
            _("Rosters are imported by the administrators of an authority or an institution.")
        )


def roster_for(actor: Actor, name: str) -> Roster:
    roster = roster_named(name)
    if roster is None:
        raise InvalidInput(
            fields={"roster": [_("Unknown roster: %(name)s.") % {"name": name[:40]}]}
        )
    if not access.can(actor, roster.capability):
        raise PermissionDenied(str(roster.denied))
    return roster


def open_file(roster: Roster, handle: IO[bytes], name: str) -> reading.Table:
    """The file as the roster's table, or InvalidInput naming the file's fault."""
    try:
        return reading.open_table(handle, name, roster.columns)
    except reading.TableError as e:
        raise InvalidInput(fields={"file": [e.message]}) from None


@transaction.atomic
def start_import(actor: Actor, roster_name: str, upload: Any, *, dispatch: bool = True) -> Import:
    """Store ``upload`` (a Django file) as a new import of the roster and queue its check."""
    from xietong.jobs import services as jobs

    roster = roster_for(actor, roster_name)
    if upload is None or not getattr(upload, "name", None):
        raise InvalidInput(fields={"file": [_("Choose a file to upload.")]})
    upload.seek(0)
    table = open_file(roster, upload, upload.name)
    imp = Import.objects.create(
        roster=roster.name,
        owner_id=actor.user_id,
        file_name=upload.name[:255],
        unknown_columns=table.unknown,
    )
    upload.seek(0)
    try:
        att = attachments.attach(actor, imp, upload, kind="roster")
    except InvalidInput as e:
        raise InvalidInput(fields={"file": e.fields.get("file") or [str(e.message)]}) from None
    imp.sha256, imp.size, imp.file_name = att.sha256, att.size, att.original_name
    imp.job = jobs.enqueue(
        actor, JOB_KIND, _job_parameters(actor, imp, WriteMode.CHECK), target=imp, dispatch=dispatch
    )
    imp.save(update_fields=["sha256", "size", "file_name", "job"])
    return imp


def _job_parameters(actor: Actor, imp: Import, mode: str) -> dict[str, Any]:
    params: dict[str, Any] = {
        "import": imp.pk,
        "mode": mode,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    if actor.user_id is None:  # the console: its grants go with the job it runs itself
        params["console"] = {
            "name": actor.name,
            "grants": [[g.role, g.region_path, g.institution_id] for g in actor.grants],
        }
    return params


def actor_of(job: Any) -> Actor | None:
    """Who runs an import's job: its owner, or the console that queued it."""
    from xietong.accounts.access import Grant, actor_for

    if job.owner is not None:
        return actor_for(job.owner)
    console = job.parameters.get("console")
    if not console:
        return None
    grants = tuple(Grant(r, p, i) for r, p, i in console["grants"])
    return Actor(user_id=None, name=str(console["name"]), grants=grants)


@transaction.atomic
def apply(actor: Actor, pk: int, mode: str, *, dispatch: bool = True) -> Import:
    """Queue the write of a checked import: ``valid`` rows, or ``all`` rows if all are valid."""

    return apply_to(actor, _own(actor, pk, lock=True), mode, dispatch=dispatch)


def apply_to(actor: Actor, imp: Import, mode: str, *, dispatch: bool = True) -> Import:
    """:func:`apply` on an import already found (the console's own, which has no owner)."""
    from xietong.jobs import services as jobs

    roster_for(actor, imp.roster)
    if mode not in (WriteMode.VALID, WriteMode.ALL):
        raise InvalidInput(fields={"mode": [_("Choose to import the valid rows or all rows.")]})
    if imp.job is not None and not imp.job.finished:
        raise Conflict(_("This import is still being checked or written; wait until it is done."))
    if imp.written is not None:
        raise Conflict(_("This file has already been imported; upload it again to re-import it."))
    if imp.checked is None:
        raise Conflict(_("This file has not been checked yet."))
    if mode == WriteMode.ALL and imp.checked.get("failed"):
        raise Conflict(
            _(
                "%(n)d rows have errors, so nothing can be imported all at once: fix them, or "
                "import the valid rows only."
            )
            % {"n": imp.checked["failed"]}
        )
    imp.job = jobs.enqueue(
        actor, JOB_KIND, _job_parameters(actor, imp, mode), target=imp, dispatch=dispatch
    )
    imp.save(update_fields=["job"])
    return imp


def _own(actor: Actor, pk: int, *, lock: bool = False) -> Import:
    qs = Import.objects.filter(access.read_q(actor, Import), pk=pk).select_related("job")
    if lock:
        qs = qs.select_for_update(of=("self",))
    imp = qs.first()
    if imp is None:
        raise NotFound()
    return imp


# --- the work ----------------------------------------------------------------------------


@dataclass
class Progress:
    rows: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    problems: list[list[Any]] = field(default_factory=list)


Report = Callable[[int, int | None, str], None]


def _file_of(imp: Import) -> Attachment:
    att = Attachment.objects.filter(
        owner_type__app_label="transfer", owner_type__model="import", owner_id=imp.pk
    ).first()
    if att is None:
        raise NotFound(_("The file of this import is missing."))
    return att


def run(actor: Actor, imp: Import, mode: str, report: Report | None = None) -> Progress:
    """Check (``mode="check"``) or write the import's file; returns the counts.

    The file is read once: rows are planned batch by batch; failed rows go to a temporary
    file from which the error report is written at the end (memory stays bounded)."""
    roster = roster_for(actor, imp.roster)
    att = _file_of(imp)
    progress = Progress()
    with att.file.open("rb") as handle, tempfile.TemporaryFile("w+", encoding="utf-8") as failed:
        table = open_file(roster, handle, imp.file_name)
        total = _estimate(table)
        checking = gettext_noop("Checking rows")
        step = checking if mode == WriteMode.CHECK else gettext_noop("Writing rows")
        if report:
            report(0, total, checking)

        def batches() -> Iterator[Outcome]:
            for outcome in roster.plan(actor, _skip_examples(table.rows)):
                _count(roster, outcome, progress, failed)
                if report:
                    report(
                        progress.rows,
                        max(total or 0, progress.rows) or None,
                        step,
                    )
                yield outcome

        if mode == WriteMode.CHECK:
            for _outcome in batches():
                pass
            _finish_check(actor, roster, imp, progress, failed)
        else:
            _write(actor, roster, imp, mode, batches, progress, failed)
    return progress


def _estimate(table: reading.Table) -> int | None:
    return getattr(table, "row_count", None)


def _skip_examples(rows: Iterator[reading.Row]) -> Iterator[reading.Row]:
    for row in rows:
        name = row.values.get("name")
        if isinstance(name, str) and name.startswith(EXAMPLE_MARK):
            continue
        yield row


def _count(roster: Roster, outcome: Outcome, progress: Progress, failed: IO[str]) -> None:
    for p in outcome.rows:
        progress.rows += 1
        progress.counts[p.action] += 1
        if p.action != "failed":
            continue
        failed.write(json.dumps(_failed_row(p)) + "\n")
        for key, message in p.problems:
            if len(progress.problems) < PREVIEW:
                progress.problems.append([p.row.number, roster.header_of(key), message])


def _failed_row(p: Planned) -> dict[str, Any]:
    values: dict[str, Any] = {
        k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in p.row.values.items()
    }
    values.update(p.row.raw)
    return {"number": p.row.number, "values": values, "problems": p.problems}


def _summary(progress: Progress) -> dict[str, int]:
    return {"rows": progress.rows, **progress.counts}


def _finish_check(
    actor: Actor, roster: Roster, imp: Import, progress: Progress, failed: IO[str]
) -> None:
    with transaction.atomic():
        imp.checked = _summary(progress)
        imp.problems = progress.problems
        _save_error_report(roster, imp, progress, failed)
        imp.save(update_fields=["checked", "problems", "error_report"])
        audit.record(
            actor,
            f"{roster.audit_action}_check",
            target=imp,
            detail={**_summary(progress), "sha256": imp.sha256, "file": imp.file_name},
        )


def _write(
    actor: Actor,
    roster: Roster,
    imp: Import,
    mode: str,
    batches: Callable[[], Iterator[Outcome]],
    progress: Progress,
    failed: IO[str],
) -> None:
    try:
        with transaction.atomic():
            touched: set[int] = set()
            for outcome in batches():
                if mode == WriteMode.ALL and progress.counts["failed"]:
                    raise Aborted()
                touched |= roster.write(actor, outcome)
            if mode == WriteMode.ALL and progress.counts["failed"]:
                raise Aborted()
            roster.after_write(actor, touched)
            imp.written = {
                "rows": progress.rows,
                **{k: progress.counts[k] for k in ("create", "update", "unchanged", "failed")},
            }
            imp.mode, imp.written_at = mode, timezone.now()
            imp.checked, imp.problems = _summary(progress), progress.problems
            _save_error_report(roster, imp, progress, failed)
            imp.save(
                update_fields=[
                    "written",
                    "mode",
                    "written_at",
                    "checked",
                    "problems",
                    "error_report",
                ]
            )
            audit.record(
                actor,
                roster.audit_action,
                target=imp,
                detail={
                    "mode": mode,
                    "created": progress.counts["create"],
                    "updated": progress.counts["update"],
                    "unchanged": progress.counts["unchanged"],
                    "failed": progress.counts["failed"],
                    "sha256": imp.sha256,
                    "file": imp.file_name,
                },
            )
    except Aborted:
        from xietong.jobs.registry import JobFailed

        raise JobFailed(
            gettext_noop(
                "Rows with errors were found, so nothing was imported (all or nothing); fix "
                "them, or import the valid rows only."
            )
        ) from None


def _save_error_report(roster: Roster, imp: Import, progress: Progress, failed: IO[str]) -> None:
    if imp.error_report:
        imp.error_report.delete(save=False)
    if not progress.counts["failed"]:
        imp.error_report = ""
        return
    failed.seek(0)
    with tempfile.TemporaryFile() as out:
        write_error_report(roster, (json.loads(line) for line in failed), out)
        out.seek(0)
        name = f"{imp.roster}-errors-{imp.pk}.xlsx"
        imp.error_report.save(name, File(out), save=False)


def write_error_report(roster: Roster, rows: Iterator[dict[str, Any]], out: IO[bytes]) -> int:
    """The failed rows in the template's shape, each faulty cell marked, reasons in a last
    column: ready to fix and upload again."""
    from xietong.transfer.template import header

    fields = list(roster.fields)
    columns = [
        tables.Column(
            header(f.column.required, f.column.header),
            "date" if f.column.kind == "date" else "text",
            width=18,
        )
        for f in fields
    ] + [tables.Column(ERROR_COLUMN, width=60), tables.Column("原行号", "int", width=8)]

    def lines() -> Iterator[list[Any]]:
        for item in rows:
            bad = {k for k, _m in item["problems"]}
            cells: list[Any] = []
            for f in fields:
                value = item["values"].get(f.column.key)
                if f.column.kind == "date" and isinstance(value, str) and f.column.key not in bad:
                    value = _date(value)
                cells.append(tables.Marked(value) if f.column.key in bad else value)
            reasons = "；".join(f"{roster.header_of(k)}：{m}" for k, m in item["problems"])
            yield [*cells, reasons, item["number"]]

    return tables.write_xlsx(columns, lines(), out, sheet=str(roster.label))


def _date(value: str) -> Any:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return value


def open_error_report(actor: Actor, pk: int) -> tuple[IO[bytes], str]:
    """The error report of one's own import, opened for sending; the download is audited
    (the rows it holds are personal data)."""
    imp = _own(actor, pk)
    if not imp.error_report:
        raise NotFound(_("This import has no rows with errors."))
    try:
        handle = imp.error_report.open("rb")
    except (FileNotFoundError, OSError):
        raise NotFound(_("The error report is missing from storage.")) from None
    audit.record(
        actor,
        "transfer.error_report",
        target=imp,
        detail={"rows": (imp.checked or {}).get("failed", 0), "file": imp.file_name},
    )
    name = f"{Path(imp.file_name).stem}_错误行.xlsx"
    return handle, name
