"""Every write of attachments: attach a file to an owner, remove it, and audit downloads."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.attachments import registry, selectors, validation
from xietong.attachments.models import Attachment
from xietong.core.errors import InvalidInput, NotFound

STORAGE_ROOT = "attachments"
KIND_LIMIT = 40
LABEL_LIMIT = 200


def storage_name(checked: validation.Checked) -> str:
    """Where the content lives: by its hash plus a random token, never the uploader's name."""
    sha = checked.sha256
    token = secrets.token_hex(8)
    return f"{STORAGE_ROOT}/{sha[:2]}/{sha[2:4]}/{sha}-{token}.{checked.file_type.extension}"


def _audit_detail(att: Attachment) -> dict[str, Any]:
    return {
        "owner": f"{att.owner_type.app_label}.{att.owner_type.model}:{att.owner_id}",
        "name": att.original_name,
        "content_type": att.content_type,
        "size": att.size,
        "sha256": att.sha256,
        "kind": att.kind,
    }


def attach(
    actor: Actor,
    owner: models.Model,
    uploaded_file: Any,
    *,
    kind: str = "",
    label: str = "",
    max_bytes: int | None = None,
    types: Collection[str] | None = None,
) -> Attachment:
    """Store ``uploaded_file`` as an attachment of ``owner``.

    Refuses an owner out of sight (NotFound), one the actor may only read
    (PermissionDenied), and a file that fails :func:`validation.check` (InvalidInput).
    The file is written before the row; if the row or its audit event fails, the stored file
    is deleted again, so a refusal leaves nothing behind.
    """
    registry.require_manageable(actor, owner)
    kind, label = (kind or "").strip(), (label or "").strip()
    if len(kind) > KIND_LIMIT:
        raise InvalidInput(fields={"kind": [_("The kind is at most 40 characters.")]})
    if len(label) > LABEL_LIMIT:
        raise InvalidInput(fields={"label": [_("The label is at most 200 characters.")]})
    rules = registry.rules_for(owner)
    if rules is not None and rules.types is not None:
        types = set(rules.types) if types is None else set(types) & set(rules.types)
    limit = rules.max_bytes if rules is not None else None
    checked = validation.check(uploaded_file, max_bytes=max_bytes, types=types, limit=limit)
    content = uploaded_file if isinstance(uploaded_file, File) else File(uploaded_file)
    content.seek(0)
    name = default_storage.save(storage_name(checked), content)
    try:
        with transaction.atomic():
            att = Attachment.objects.create(
                owner_type=ContentType.objects.get_for_model(owner),
                owner_id=owner.pk,
                file=name,
                original_name=checked.name,
                content_type=checked.file_type.mime,
                size=checked.size,
                sha256=checked.sha256,
                kind=kind,
                label=label,
                uploaded_by_id=actor.user_id,
            )
            audit.record(actor, "attachment.create", target=att, detail=_audit_detail(att))
    except BaseException:
        default_storage.delete(name)
        raise
    return att


@transaction.atomic
def remove(actor: Actor, attachment: Attachment | int) -> None:
    """Delete an attachment; its file goes once the deletion is committed."""
    pk = attachment.pk if isinstance(attachment, Attachment) else attachment
    att = selectors.downloadable(actor, pk)
    owner = att.owner
    if owner is None:
        raise NotFound()
    registry.require_manageable(actor, owner)
    name = att.file.name
    detail = _audit_detail(att)
    audit.record(actor, "attachment.remove", target=att, detail=detail)
    Attachment.objects.filter(pk=att.pk).delete()
    transaction.on_commit(lambda: default_storage.delete(name))


@dataclass
class Download:
    attachment: Attachment
    file: File  # type: ignore[type-arg]


def open_download(actor: Actor, pk: int) -> Download:
    """Open a visible attachment's file for sending and record the download."""
    att = selectors.downloadable(actor, pk)
    try:
        handle = default_storage.open(att.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise NotFound(_("The file of this attachment is missing from storage.")) from None
    audit.record(actor, "attachment.download", target=att, detail=_audit_detail(att))
    return Download(att, handle)


def _stored_names(directory: str) -> list[str]:
    dirs, files = default_storage.listdir(directory)
    names = [f"{directory}/{f}" for f in files]
    for d in dirs:
        names += _stored_names(f"{directory}/{d}")
    return names


def sweep_orphan_files(min_age: dt.timedelta = dt.timedelta(hours=6)) -> list[str]:
    """Delete stored files that no attachment names, older than ``min_age``.

    :func:`attach` deletes its file when its own transaction fails; a caller's enclosing
    transaction that rolls back later leaves the file without a row. This finds those.
    """
    if not default_storage.exists(STORAGE_ROOT):
        return []
    cutoff = timezone.now() - min_age
    known = set(Attachment.objects.values_list("file", flat=True))
    removed = []
    for name in _stored_names(STORAGE_ROOT):
        if name in known or default_storage.get_modified_time(name) > cutoff:
            continue
        default_storage.delete(name)
        removed.append(name)
    return removed
