"""One export mechanism for every table a user may take away (the audit log, coverage …).

An app declares an :class:`ExportKind` in its ``exports`` module (imported when Django
starts, in the web server and in every worker)::

    register(ExportKind(
        name="audit",                       # audited as "audit.export"; job kind "exports.audit"
        label=_("Audit log export"),
        capability="audit.export",          # who may export: the access mechanism decides
        check=parse_range,                  # the request's parameters, checked, as JSON
        count=lambda actor, p: …,           # how many rows (bounded query)
        columns=lambda p: […],              # headers in the reader's language
        rows=lambda actor, p: …,            # the rows, streamed, through the scoped selector
        filename=lambda p: …,
        reauthenticate=True,                # personal data: a recent re-authentication first
    ))

and calls :func:`export` from its view and its API endpoint. Up to
``XIETONG_EXPORT_SYNC_ROWS`` rows the file is written now and sent as the response; past
that the export becomes a job (``xietong.jobs``) whose result file the user downloads from
"My jobs" or ``GET /api/jobs/{id}/result``. Either way the export is one audit event
(``<name>.export``: format, parameters, rows, and the job); the job runs as its owner, so
the scope at run time is the owner's scope, checked again.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xietong import access
from xietong.accounts import audit
from xietong.accounts.access import Actor, actor_for
from xietong.core import tables
from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.jobs import registry
from xietong.jobs.models import Job
from xietong.jobs.registry import JobFailed
from xietong.jobs.runner import Reporter

JOB_PREFIX = "exports."
REPORT_EVERY = 500  # rows between two progress reports of an export job

Params = dict[str, Any]


@dataclass(frozen=True)
class ExportKind:
    name: str
    label: str | Promise  # the job's kind in "My jobs"
    capability: str
    denied: str | Promise
    check: Callable[[Actor, Mapping[str, Any]], Params]  # raises InvalidInput
    count: Callable[[Actor, Params], int]
    columns: Callable[[Params], Sequence[tables.Column]]
    rows: Callable[[Actor, Params], Iterable[Sequence[Any]]]
    filename: Callable[[Params], str]  # without the extension, in the reader's language
    sheet: Callable[[Params], str] = lambda p: "Sheet1"
    formats: tuple[str, ...] = ("xlsx", "csv")
    reauthenticate: bool = False  # the rows may carry personal data
    # Whether these parameters ask for personal data in clear: then a recent
    # re-authentication too, and the audit event says so (``personal_data: true``).
    personal_data: Callable[[Params], bool] | None = None

    def unmasked(self, params: Params) -> bool:
        return bool(self.personal_data and self.personal_data(params))

    @property
    def action(self) -> str:
        """The audit event of an export of this kind."""
        return f"{self.name}.export"

    @property
    def job_kind(self) -> str:
        return f"{JOB_PREFIX}{self.name}"


_kinds: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    """Declare an export (once) and the job kind its large exports run as."""
    _kinds[kind.name] = kind
    registry.register(kind.job_kind, label=kind.label)(_run)
    return kind


def kind_named(name: str) -> ExportKind:
    return _kinds[name]


def sync_limit() -> int:
    return int(settings.XIETONG_EXPORT_SYNC_ROWS)


def format_choices(kind: ExportKind) -> list[tuple[str, str]]:
    names = {"xlsx": _("Excel workbook (.xlsx)"), "csv": _("CSV (.csv)")}
    return [(f, names[f]) for f in kind.formats]


@dataclass
class Exported:
    """What :func:`export` made: a file to send now (``content``) or a job to follow."""

    kind: ExportKind
    rows: int
    filename: str
    content_type: str
    content: bytes | None = None
    job: Job | None = None


def _allowed(actor: Actor, kind: ExportKind) -> None:
    if not access.can(actor, kind.capability):
        raise PermissionDenied(str(kind.denied))


def _format(kind: ExportKind, fmt: str) -> tables.Format:
    if fmt not in kind.formats:
        choices = ", ".join(kind.formats)
        raise InvalidInput(
            fields={"format": [_("Choose one of the formats: %(formats)s.") % {"formats": choices}]}
        )
    return tables.FORMATS[fmt]


def may_export(actor: Actor, name: str) -> bool:
    """Whether the actor holds the capability of this export (pages show its button)."""
    return access.can(actor, _kinds[name].capability)


@transaction.atomic
def export(
    actor: Actor,
    name: str,
    params: Mapping[str, Any],
    fmt: str,
    *,
    reauthenticated_at: Any = None,
) -> Exported:
    """Export the rows ``params`` select, as ``actor``: now when few, else as a job.

    Refuses, in this order: an actor without the kind's capability (PermissionDenied),
    an unknown format or bad parameters (InvalidInput, with the field and the reason),
    and — for kinds with personal data — an actor who has not re-authenticated lately
    (``ReauthenticationRequired``). Either way one audit event records the export.
    """
    from xietong.accounts import second_factor
    from xietong.jobs import services as jobs

    kind = _kinds[name]
    _allowed(actor, kind)
    table = _format(kind, fmt)
    clean = kind.check(actor, params)
    unmasked = kind.unmasked(clean)
    if kind.reauthenticate or unmasked:
        second_factor.require_recent(reauthenticated_at)
    n = kind.count(actor, clean)
    filename = f"{kind.filename(clean)}.{table.extension}"
    detail: dict[str, Any] = {"format": fmt, "params": clean}
    if kind.personal_data is not None:
        detail["personal_data"] = unmasked
    if n <= sync_limit():
        buffer = io.BytesIO()
        written = table.write(
            kind.columns(clean), kind.rows(actor, clean), buffer, kind.sheet(clean)
        )
        content = buffer.getvalue()
        digest = hashlib.sha256(content).hexdigest()
        audit.record(
            actor,
            kind.action,
            label=filename,
            detail={**detail, "rows": written, "delivery": "download", "sha256": digest},
        )
        return Exported(kind, written, filename, table.content_type, content=content)
    job = jobs.enqueue(
        actor,
        kind.job_kind,
        {
            "export": kind.name,
            "params": clean,
            "format": fmt,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
            "filename": filename,
        },
    )
    audit.record(
        actor,
        kind.action,
        target=job,
        label=filename,
        detail={**detail, "rows": n, "delivery": "job"},
    )
    return Exported(kind, n, filename, table.content_type, job=job)


def export_to(
    actor: Actor,
    name: str,
    params: Mapping[str, Any],
    fmt: str,
    out: IO[bytes],
    *,
    progress: Callable[[int, int], None] | None = None,
    reauthenticated_at: Any = None,
) -> int:
    """Export into ``out`` now, whatever the size — the console's export (``xietong
    export``): the same checks, rows and single audit event as :func:`export`;
    ``progress(done, total)`` every ``REPORT_EVERY`` rows. Returns the rows written."""
    from xietong.accounts import second_factor

    kind = _kinds[name]
    _allowed(actor, kind)
    table = _format(kind, fmt)
    clean = kind.check(actor, params)
    unmasked = kind.unmasked(clean)
    if kind.reauthenticate or unmasked:
        second_factor.require_recent(reauthenticated_at)
    total = kind.count(actor, clean)
    rows: Iterable[Sequence[Any]] = kind.rows(actor, clean)
    if progress is not None:
        rows = _reporting(rows, lambda done, n, _m: progress(done, n), total)
    written = table.write(kind.columns(clean), rows, out, kind.sheet(clean))
    detail: dict[str, Any] = {
        "format": fmt,
        "params": clean,
        "rows": written,
        "delivery": "file",
    }
    if kind.personal_data is not None:
        detail["personal_data"] = unmasked
    audit.record(
        actor, kind.action, label=f"{kind.filename(clean)}.{table.extension}", detail=detail
    )
    return written


# --- lists: an export of exactly what a list shows ------------------------------------------


def filter_params(cls: type, actor: Actor, raw: Mapping[str, Any]) -> Params:
    """A list's filters (its ``filters`` dataclass) checked by the list's own filter form, as
    JSON parameters (the ones set, by their query names) — the ``check`` of a list export.

    ``raw`` is a page's POST, an API body or a job's parameters (where flags are booleans).
    """
    from xietong.core.filters import fields_of, filter_form

    data: dict[str, str] = {}
    for f in fields_of(cls):
        value = raw.get(f.param)
        if value is None or value is False or value == "":
            continue
        data[f.param] = "on" if value is True else str(value)
    form = filter_form(cls, paging=None)(data, actor=actor)
    if not form.is_valid():
        raise InvalidInput(fields={k: [str(m) for m in v] for k, v in form.errors.items()})
    filters = form.filters()
    values = {f.param: getattr(filters, f.attr) for f in fields_of(cls)}
    return {k: v for k, v in values.items() if v not in ("", None, False)}


def filters_from(cls: type, params: Params) -> Any:
    """The filters dataclass of checked parameters (see :func:`filter_params`)."""
    from xietong.core.filters import fields_of

    return cls(**{f.attr: params[f.param] for f in fields_of(cls) if f.param in params})


def flag(raw: Mapping[str, Any], name: str) -> bool:
    """A checkbox of a page's POST (``on``), a boolean of an API body or of a job."""
    value = raw.get(name)
    return value is True or str(value).lower() in ("on", "true", "1")


def _reporting(
    rows: Iterable[Sequence[Any]], report: Callable[[int, int, str], Any], total: int
) -> Iterator[Any]:
    for done, row in enumerate(rows, 1):
        yield row
        if done % REPORT_EVERY == 0:
            report(done, total, gettext_noop("Writing rows"))


def _run(job: Job, report: Reporter) -> dict[str, Any]:
    """The handler of every export job: the owner's export, written to the result file."""
    p = job.parameters
    kind = _kinds.get(str(p.get("export", "")))
    if kind is None or job.owner is None:
        raise JobFailed(gettext_noop("This export cannot be made: its kind or its owner is gone."))
    actor = actor_for(job.owner)
    with translation.override(str(p.get("language") or settings.LANGUAGE_CODE)):
        if not access.can(actor, kind.capability):
            raise JobFailed(gettext_noop("You may no longer make this export."))
        params = kind.check(actor, p["params"])
        table = tables.FORMATS[p["format"]]
        total = kind.count(actor, params)
        report(0, total, gettext_noop("Writing rows"))
        with tempfile.TemporaryFile() as out:
            rows = _reporting(kind.rows(actor, params), report, total)
            written = table.write(kind.columns(params), rows, out, kind.sheet(params))
            out.seek(0)
            digest = _sha256(out)
            out.seek(0)
            report.save_file(str(p["filename"]), File(out))
        report(written, written, gettext_noop("Writing rows"))
    return {"rows": written, "format": table.name, "sha256": digest}


def _sha256(handle: IO[bytes]) -> str:
    h = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 16), b""):
        h.update(chunk)
    return h.hexdigest()


# --- responses ----------------------------------------------------------------------------


def file_response(handle: IO[bytes], filename: str, content_type: str) -> FileResponse:
    """A file sent as a download that is never cached nor rendered."""
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def download(exported: Exported) -> FileResponse:
    """The response of an export written now."""
    assert exported.content is not None
    return file_response(io.BytesIO(exported.content), exported.filename, exported.content_type)


# --- list pages: the export panel under a list and its POST ---------------------------------


def panel(actor: Actor, name: str, filters: Any, *, unmasked: bool = False) -> dict[str, Any]:
    """The context of ``partials/list_export.html``: the list's current ``filters`` (None
    when they did not validate: no panel) as hidden fields, for an actor who may export;
    ``unmasked``: offer personal data in clear (the kind's own rule decides which rows)."""
    from xietong.core.filters import fields_of

    if filters is None or not may_export(actor, name):
        return {"export_params": None}
    params = {
        f.param: "on" if value is True else value
        for f in fields_of(type(filters))
        if (value := getattr(filters, f.attr)) not in ("", None, False)
    }
    return {
        "export_params": params,
        "export_formats": format_choices(_kinds[name]),
        "export_unmasked": unmasked,
        "sync_limit": sync_limit(),
    }


def respond(request: HttpRequest, name: str, back: str) -> HttpResponseBase:
    """A list page's export POST: the file now, or the job's page past the row limit; bad
    filters go back to the list (URL name ``back``) with their messages. Refusals
    (PermissionDenied, a re-authentication) are left to ``core.views.refusals``."""
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.urls import reverse

    from xietong.accounts.second_factor_views import reauthenticated_at

    params = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    try:
        done = export(
            request.actor,  # type: ignore[attr-defined]
            name,
            params,
            request.POST.get("format", ""),
            reauthenticated_at=reauthenticated_at(request),
        )
    except InvalidInput as e:
        for text in [m for msgs in e.fields.values() for m in msgs] or [str(e.message)]:
            messages.error(request, text)
        keep = {k: v for k, v in params.items() if k != "format"}
        return redirect(f"{reverse(back)}?{urlencode(keep)}")
    if done.job is not None:
        messages.success(
            request,
            _(
                "%(n)s rows are more than a download holds: the export runs as a job. "
                "Download the file here when it is done."
            )
            % {"n": done.rows},
        )
        return redirect("jobs:detail", pk=done.job.pk)
    return download(done)
