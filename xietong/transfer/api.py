"""Imports over JSON (under /api/imports): the templates, upload and check, the write, the
error report — the same services as the pages, refusals alike."""

from __future__ import annotations

import io
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from xietong.institutions.schemas import Error
from xietong.jobs.exports import file_response
from xietong.transfer import selectors, services
from xietong.transfer.models import Import
from xietong.transfer.template import write_template

router = Router(tags=["imports"])
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
NO_FILE: Any = File(None)  # the service explains a missing file, as on the page
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportOut(Schema):
    id: int
    roster: str
    file_name: str
    sha256: str
    size: int
    created_at: Any
    job: int | None
    job_status: str | None
    checked: dict[str, int] | None
    written: dict[str, int] | None
    mode: str
    unknown_columns: list[str]
    problems: list[dict[str, Any]]
    error_report: str | None


class ApplyIn(Schema):
    mode: str


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _out(imp: Import) -> dict[str, Any]:
    return {
        "id": imp.pk,
        "roster": imp.roster,
        "file_name": imp.file_name,
        "sha256": imp.sha256,
        "size": imp.size,
        "created_at": imp.created_at,
        "job": imp.job_id,
        "job_status": imp.job.status if imp.job else None,
        "checked": imp.checked,
        "written": imp.written,
        "mode": imp.mode,
        "unknown_columns": imp.unknown_columns,
        "problems": [{"row": r, "column": c, "message": m} for r, c, m in imp.problems],
        "error_report": f"/api/imports/{imp.pk}/errors" if imp.error_report else None,
    }


@router.get(
    "/templates/{roster}", response={200: None, **ERRORS}, summary="A roster's xlsx template"
)
def get_template(request: HttpRequest, roster: str) -> Any:
    actor = _actor(request)
    found = services.roster_for(actor, roster)
    out = io.BytesIO()
    write_template(actor, found, out)
    out.seek(0)
    return file_response(out, f"{found.label}导入模板_{timezone.localdate():%Y%m%d}.xlsx", XLSX)


@router.get("/", response={200: list[ImportOut], **ERRORS}, summary="My imports, newest first")
def list_imports(request: HttpRequest) -> Any:
    return [_out(i) for i in selectors.my_imports(_actor(request))[:100]]


@router.post(
    "/",
    response={201: ImportOut, **ERRORS},
    summary="Upload a roster file: it is read and its rows are checked as a job",
)
def upload_import(
    request: HttpRequest, roster: Form[str], file: UploadedFile | None = NO_FILE
) -> Any:
    imp = services.start_import(_actor(request), roster, file)
    return 201, _out(Import.objects.select_related("job").get(pk=imp.pk))


@router.get("/{int:pk}", response={200: ImportOut, **ERRORS}, summary="One import")
def get_import(request: HttpRequest, pk: int) -> Any:
    return _out(selectors.import_detail(_actor(request), pk))


@router.post(
    "/{int:pk}/apply",
    response={202: ImportOut, **ERRORS},
    summary="Write a checked import: mode 'valid' (the valid rows) or 'all' (all or nothing)",
)
def apply_import(request: HttpRequest, pk: int, payload: ApplyIn) -> Any:
    imp = services.apply(_actor(request), pk, payload.mode)
    return 202, _out(imp)


@router.get(
    "/{int:pk}/errors",
    response={200: None, **ERRORS},
    summary="The rows with errors, in the template's shape (audited)",
)
def get_error_report(request: HttpRequest, pk: int) -> Any:
    handle, name = services.open_error_report(_actor(request), pk)
    return file_response(handle, name, XLSX)
