"""The fingerprint of an agreement version: SHA-256 of its canonical content."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

_SPACES = re.compile(r"\s+")


def clean_text(text: Any) -> str:
    """NFC-normalised text with runs of whitespace as one space, trimmed at both ends."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(text or ""))).strip()


def clean_clauses(clauses: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Clauses as ``[{"heading", "text"}]`` with clean text; empty clauses dropped."""
    out = []
    for c in clauses:
        heading, text = clean_text(c.get("heading")), clean_text(c.get("text"))
        if heading or text:
            out.append({"heading": heading, "text": text})
    return out


def canonical(
    *,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    clauses: Sequence[Mapping[str, Any]],
    note: str = "",
) -> str:
    """The canonical JSON of a version's content: sorted keys, no insignificant whitespace,
    NFC text with whitespace runs collapsed, dates in ISO 8601, non-ASCII kept as is."""
    content = {
        "clauses": clean_clauses(clauses),
        "ends_on": ends_on.isoformat() if ends_on else None,
        "note": clean_text(note),
        "starts_on": starts_on.isoformat(),
        "title": clean_text(title),
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def fingerprint(
    *,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    clauses: Sequence[Mapping[str, Any]],
    note: str = "",
) -> str:
    """SHA-256 (hex) of :func:`canonical` encoded as UTF-8 — every field that makes a version.

    The same content gives the same hash however it was typed (decomposed or composed
    Unicode, extra spaces or line breaks); any change of a word, a date, the order of the
    clauses or the note gives another. Pure; linear in the text's length.

    >>> import datetime as dt
    >>> a = fingerprint(title="协议", starts_on=dt.date(2024, 9, 1), ends_on=None,
    ...                 clauses=[{"heading": "一、目标", "text": "共同 教研"}])
    >>> b = fingerprint(title=" 协议 ", starts_on=dt.date(2024, 9, 1), ends_on=None,
    ...                 clauses=[{"heading": "一、目标", "text": "共同  教研\\n"}])
    >>> a == b, len(a)
    (True, 64)
    """
    text = canonical(title=title, starts_on=starts_on, ends_on=ends_on, clauses=clauses, note=note)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def of_version(version: Any) -> str:
    """The fingerprint a stored version should carry (to verify it)."""
    return fingerprint(
        title=version.title,
        starts_on=version.starts_on,
        ends_on=version.ends_on,
        clauses=version.clauses,
        note=version.note,
    )
