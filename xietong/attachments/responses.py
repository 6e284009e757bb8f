"""The one way an attachment is sent: as a download, never rendered, never cached."""

from __future__ import annotations

from urllib.parse import quote

from django.http import FileResponse

from xietong.attachments.services import Download


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the exact name as RFC 5987 ``filename*``."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_response(download: Download) -> FileResponse:
    att = download.attachment
    response = FileResponse(download.file, content_type=att.content_type)
    response["Content-Length"] = str(att.size)
    response["Content-Disposition"] = content_disposition(att.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
