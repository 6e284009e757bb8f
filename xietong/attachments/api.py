"""Attachments over JSON: metadata, upload for an owner, download, removal."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from xietong.attachments import registry, selectors, services
from xietong.attachments.models import Attachment
from xietong.attachments.responses import file_response
from xietong.attachments.schemas import AttachmentOut
from xietong.institutions.schemas import Error

router = Router(tags=["attachments"])
NO_FILE: Any = File(None)  # optional: the service explains a missing file, as on the page
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _out(actor: Any, att: Attachment, owner: Any = None) -> dict[str, Any]:
    owner = owner if owner is not None else att.owner
    return {
        "id": att.pk,
        "owner_type": f"{att.owner_type.app_label}.{att.owner_type.model}",
        "owner_id": att.owner_id,
        "name": att.original_name,
        "content_type": att.content_type,
        "size": att.size,
        "sha256": att.sha256,
        "kind": att.kind,
        "label": att.label,
        "uploaded_by": att.uploaded_by.get_full_name() or att.uploaded_by.get_username()
        if att.uploaded_by
        else None,
        "uploaded_at": att.uploaded_at,
        "download_url": f"/api/attachments/{att.pk}/download",
        "can_remove": owner is not None and registry.can_manage_owner(actor, owner),
    }


class OwnerQuery(Schema):
    owner_type: str = Field(max_length=100, description="e.g. exchanges.placementreport")
    owner_id: int = Field(ge=1)


@router.get("/", response={200: list[AttachmentOut], **ERRORS}, summary="An owner's attachments")
def list_attachments(request: HttpRequest, query: Query[OwnerQuery]) -> Any:
    actor = _actor(request)
    owner = registry.resolve_owner(actor, query.owner_type, query.owner_id)
    can_remove = registry.can_manage_owner(actor, owner)
    rows = selectors.attachments_of(actor, owner).select_related("owner_type")
    return [{**_out(actor, a, owner), "can_remove": can_remove} for a in rows]


@router.post("/", response={201: AttachmentOut, **ERRORS}, summary="Attach a file to an owner")
def upload_attachment(
    request: HttpRequest,
    owner_type: Form[str],
    owner_id: Form[int],
    kind: Form[str] = "",
    label: Form[str] = "",
    file: UploadedFile | None = NO_FILE,
) -> Any:
    actor = _actor(request)
    owner = registry.resolve_owner(actor, owner_type, owner_id)
    att = services.attach(actor, owner, file, kind=kind, label=label)
    return 201, _out(actor, att, owner)


@router.get("/{int:pk}", response={200: AttachmentOut, **ERRORS}, summary="One attachment")
def get_attachment(request: HttpRequest, pk: int) -> Any:
    actor = _actor(request)
    return _out(actor, selectors.downloadable(actor, pk))


@router.get(
    "/{int:pk}/download",
    response={200: None, **ERRORS},
    summary="Download an attachment's file (audited)",
)
def download_attachment(request: HttpRequest, pk: int) -> Any:
    return file_response(services.open_download(_actor(request), pk))


@router.delete("/{int:pk}", response={204: None, **ERRORS}, summary="Remove an attachment")
def delete_attachment(request: HttpRequest, pk: int) -> Any:
    services.remove(_actor(request), pk)
    return 204, None
