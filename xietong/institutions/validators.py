"""Validators for the national school identifier and the resident ID number."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
SCHOOL_CODE_RE = re.compile(r"^\d{10}$")
PROVINCE_CODES = {"11", "12", "13"}


def id_check_char(first17: str) -> str:
    """GB 11643-1999 check character (ISO 7064 MOD 11-2) for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    return (value or "").strip().upper()


def validate_id_number(value: str) -> None:
    """An 18-character resident ID: 17 digits, a valid birth date, the right check char."""
    value = normalise_id_number(value)
    if not _ID_RE.match(value):
        raise ValidationError(
            _("A resident ID number has 17 digits followed by a digit or X."), code="id_format"
        )
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date inside this ID number does not exist."), code="id_birth_date"
        ) from None
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The check character of this ID number is wrong; please check for a typing error."),
            code="id_checksum",
        )


def birth_date_from_id(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender_from_id(value: str) -> str:
    return "M" if int(value[16]) % 2 else "F"


def validate_phone(value: str) -> None:
    if not re.fullmatch(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}", value or ""):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline with its area code."), code="phone"
        )


def validate_school_code(value: str) -> None:
    """The national ten-digit school identifier (学校标识码).

    Ten digits; a category digit, then the two-digit province code. Higher-education
    codes start ``41`` followed by the province (``4111010004`` is 北京交通大学); other codes
    start with a category digit 1–3 followed by the province (``1111…`` in Beijing).
    """
    if not SCHOOL_CODE_RE.match(value or ""):
        raise ValidationError(
            _("A school identifier has exactly 10 digits."), code="school_code_format"
        )
    if school_code_province(value) is None:
        raise ValidationError(
            _("This school identifier does not belong to Beijing, Tianjin or Hebei."),
            code="school_code_province",
        )


def school_code_province(value: str) -> str | None:
    """The province code embedded in a school identifier, or None if it names none here."""
    if value.startswith("41") and value[2:4] in PROVINCE_CODES:
        return value[2:4]
    if value[0] in "123" and value[1:3] in PROVINCE_CODES:
        return value[1:3]
    return None
