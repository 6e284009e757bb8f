"""Cell values: normalised to a column's kind, or named as a problem; header text as
compared. Shared by every format's reader (xlsx, xls, CSV)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, Literal

from django.utils.translation import gettext as _

Kind = Literal["text", "int", "date", "code"]
Value = str | int | dt.date | None

EXCEL_EPOCH = dt.date(1899, 12, 30)


# --- normalising ---------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_NOTE = re.compile(r"\([^()]*\)$")


def normalise_header(text: object) -> str:
    """Header text as compared: half-width, no spaces, case-folded, no '*' marks."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = _SPACES.sub("", value).casefold()
    return value.strip("*")


def header_keys(text: object) -> list[str]:
    """The forms a header may match under: itself, then without a trailing ``(note)``."""
    full = normalise_header(text)
    bare = _NOTE.sub("", full).strip("*")
    return [full] if bare == full or not bare else [full, bare]


def cell_text(value: Any) -> str:
    """A cell as text: 12.0 → "12", dates in ISO form."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_DATE_PATTERNS = [
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
]


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 19000101 <= value <= 99991231:
            return _to_date(str(int(value)))
        if 1 <= value < 2958466:  # Excel's serial days, 1900-01-01 to 9999-12-31
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    raise ValueError


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?\d+\.0*", text):
        return int(text.split(".")[0])
    raise ValueError


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def convert(value: Any, kind: Kind) -> tuple[Value, str | None]:
    """A cell's value in ``kind``, or ``(None, message)`` when it cannot be one."""
    if type(value) is str:  # the common cases first: a million rows pass through here
        text = value.strip()
        if not text:
            return None, None
        if kind == "text":
            return text, None
        if text.isascii():
            if kind == "code":
                return text.replace(" ", ""), None
            if kind == "int" and text.isdigit():
                return int(text), None
            if kind == "date" and (match := _ISO_DATE.fullmatch(text)):
                try:
                    return dt.date(*(int(g) for g in match.groups())), None
                except ValueError:
                    pass  # reported below
    elif value is None:
        return None, None
    if isinstance(value, dt.timedelta | dt.time) and kind != "text":
        return None, _("Enter a date or a number here, not a time.")
    if kind == "int":
        try:
            return _to_int(value), None
        except ValueError:
            return None, _("“%(value)s” is not a whole number.") % {"value": cell_text(value)}
    if kind == "date":
        try:
            return _to_date(value), None
        except (ValueError, OverflowError):
            return None, _(
                "“%(value)s” is not a date; write it as 2024-03-01, 2024/3/1, 2024.3.1, "
                "2024年3月1日 or 20240301."
            ) % {"value": cell_text(value)}
    if kind == "code":
        if isinstance(value, float) and abs(value) >= 1e15:
            return None, _(
                "This code was stored as a number and has lost its last digits; format the "
                "column as text and enter it again."
            )
        return unicodedata.normalize("NFKC", cell_text(value)).replace(" ", ""), None
    return cell_text(value), None
