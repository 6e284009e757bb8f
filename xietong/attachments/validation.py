"""Checks of an uploaded file before it is stored: present, not empty, small enough, of an
allowed type by its content, and named consistently with that content.

Each refusal is an :class:`~xietong.core.errors.InvalidInput` on the ``file`` field with a
message that says what was wrong and what is accepted.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.attachments import sniff
from xietong.core.errors import InvalidInput

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_TYPES = tuple(sniff.TYPES)
NAME_LIMIT = 200
UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')

TYPE_LABELS: dict[str, Promise] = {
    "pdf": gettext_lazy("a PDF document"),
    "png": gettext_lazy("a PNG image"),
    "jpeg": gettext_lazy("a JPEG image"),
    "gif": gettext_lazy("a GIF image"),
    "webp": gettext_lazy("a WebP image"),
    "svg": gettext_lazy("an SVG image"),
    "text": gettext_lazy("plain text"),
    "csv": gettext_lazy("a CSV table"),
    "xlsx": gettext_lazy("an Excel workbook (.xlsx)"),
    "docx": gettext_lazy("a Word document (.docx)"),
    "pptx": gettext_lazy("a PowerPoint presentation (.pptx)"),
    "xls": gettext_lazy("an Excel 97 workbook (.xls)"),
    "doc": gettext_lazy("a Word 97 document (.doc)"),
}

REFUSALS: dict[str, Promise] = {
    "empty": gettext_lazy("The file is empty."),
    "executable": gettext_lazy("Programs and scripts cannot be uploaded."),
    "html": gettext_lazy("Web pages (HTML) cannot be uploaded; save the page as PDF instead."),
    "svg_unsafe": gettext_lazy(
        "This SVG image contains scripts, event handlers, embedded objects or external "
        "references; only plain SVG images are accepted."
    ),
    "svg_invalid": gettext_lazy("This SVG image is not well-formed or declares entities."),
    "archive": gettext_lazy(
        "Archives (ZIP, RAR, 7z, gzip …) cannot be uploaded; upload the files themselves."
    ),
    "macro": gettext_lazy(
        "Office files with macros cannot be uploaded; save the file without macros "
        "(.xlsx, .docx or .pptx)."
    ),
    "encrypted": gettext_lazy(
        "Password-protected Office files cannot be checked; remove the password and retry."
    ),
    "ole_unknown": gettext_lazy(
        "This file is neither a Word nor an Excel document (installers and other compound "
        "files are refused)."
    ),
    "unknown": gettext_lazy(
        "The type of this file is not recognised. Accepted are PDF, images (PNG, JPEG, GIF, "
        "WebP, SVG), text and CSV, and Word, Excel and PowerPoint documents."
    ),
}


@dataclass(frozen=True)
class Checked:
    """An accepted upload: its clean name, its type by content, size and SHA-256."""

    name: str
    file_type: sniff.FileType
    size: int
    sha256: str


def refuse(message: object) -> InvalidInput:
    return InvalidInput(message, fields={"file": [message]})


def max_bytes_setting() -> int:
    return int(getattr(settings, "XIETONG_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def allowed_types_setting() -> tuple[str, ...]:
    return tuple(getattr(settings, "XIETONG_ATTACHMENT_TYPES", DEFAULT_TYPES))


def clean_name(name: str) -> str:
    """A file name safe to show and to send: no path, no control or reserved characters.

    Keeps Chinese and other letters; trims to 200 characters keeping the extension.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = UNSAFE_NAME_CHARS.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > NAME_LIMIT:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: NAME_LIMIT - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:NAME_LIMIT].rstrip(" .")
    return name


def extension_of(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _hash(uploaded: Any) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    uploaded.seek(0)
    for chunk in (
        uploaded.chunks()
        if hasattr(uploaded, "chunks")
        else iter(lambda: uploaded.read(1 << 16), b"")
    ):
        digest.update(chunk)
        size += len(chunk)
    uploaded.seek(0)
    return digest.hexdigest(), size


def check(
    uploaded: Any,
    *,
    max_bytes: int | None = None,
    types: Collection[str] | None = None,
    limit: int | None = None,
) -> Checked:
    """Accept ``uploaded`` (a Django ``File``) or raise :class:`InvalidInput` saying why not.

    ``max_bytes`` and ``types`` may narrow the configured limit and set of types, never widen
    them; ``limit`` replaces the configured limit (an owner type's own, see the registry).
    """
    if uploaded is None or not getattr(uploaded, "name", None):
        raise refuse(_("Choose a file to upload."))
    limit = max_bytes_setting() if limit is None else limit
    if max_bytes is not None:
        limit = min(limit, max_bytes)
    size = uploaded.size
    if not size:
        raise refuse(REFUSALS["empty"])
    if size > limit:
        raise refuse(
            _("The file is %(size)s; at most %(limit)s are accepted.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    try:
        file_type = sniff.sniff(uploaded)
    except sniff.Refused as e:
        raise refuse(REFUSALS[e.reason]) from None
    name = clean_name(uploaded.name)
    extension = extension_of(name)
    file_type = sniff.text_flavour(file_type, extension)
    allowed = set(allowed_types_setting())
    if types is not None:
        allowed &= set(types)
    if file_type.key not in allowed:
        accepted = "、".join(str(TYPE_LABELS[k]) for k in sniff.TYPES if k in allowed)
        raise refuse(
            _("This file is %(type)s, which is not accepted here. Accepted: %(accepted)s.")
            % {"type": TYPE_LABELS[file_type.key], "accepted": accepted or "—"}
        )
    if extension and extension not in file_type.extensions:
        raise refuse(
            _(
                "The file name ends in .%(ext)s, but the file is %(type)s; rename it or choose "
                "the right file."
            )
            % {"ext": extension, "type": TYPE_LABELS[file_type.key]}
        )
    if not extension:
        name = f"{name or 'file'}.{file_type.extension}"
    sha256, measured = _hash(uploaded)
    return Checked(name=name, file_type=file_type, size=measured, sha256=sha256)
