"""Validators for the national school identifier and the resident ID number."""

from __future__ import annotations

import datetime as dt
import operator
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
SCHOOL_CODE_RE = re.compile(r"^\d{10}$")
PROVINCE_CODES = {"11", "12", "13"}
# 学校类别码 of the Ministry of Education's 学校(机构)代码管理办法: 11 kindergarten, 21–22
# primary, 31–37 secondary, 41–42 higher education, 51 special, 91–93 other institutions.
SCHOOL_CATEGORY_CODES = {"11", "21", "22", "31", "32", "33", "34", "35", "36", "37", "41", "42"}
SCHOOL_CATEGORY_CODES |= {"51", "91", "92", "93"}
# The category code a school identifier starts with, by kind of institution (an authority
# is not a school and has none).
SCHOOL_CATEGORY_OF_KIND = {
    "kindergarten": "11",
    "primary": "21",
    "junior": "31",
    "nine_year": "32",
    "complete_secondary": "33",
    "senior": "34",
    "twelve_year": "35",
    "secondary_vocational": "36",
    "higher_vocational": "41",
    "university": "41",
    "training": "91",
    "research": "92",
}


def id_check_char(first17: str) -> str:
    """GB 11643-1999 check character (ISO 7064 MOD 11-2) for the first 17 digits."""
    if len(first17) != len(_ID_WEIGHTS):
        raise ValueError(f"17 digits expected, got {len(first17)}")
    total = sum(map(operator.mul, map(int, first17), _ID_WEIGHTS))
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
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        born = None
    if born is None or born > dt.date.today():  # nobody registered is born tomorrow
        raise ValidationError(
            _("The birth date inside this ID number does not exist."), code="id_birth_date"
        )
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

    Ten digits: a two-digit category code, the two-digit province code, a six-digit serial
    (``4111010004`` is 北京交通大学: 41 university, 11 Beijing; ``2113…`` is a primary
    school in Hebei: 21 primary, 13 Hebei).
    """
    if not SCHOOL_CODE_RE.match(value or ""):
        raise ValidationError(
            _("A school identifier has exactly 10 digits."), code="school_code_format"
        )
    if value[:2] not in SCHOOL_CATEGORY_CODES:
        raise ValidationError(
            _("A school identifier starts with a school category code such as 21 (primary)."),
            code="school_code_category",
        )
    if school_code_province(value) is None:
        raise ValidationError(
            _("This school identifier does not belong to Beijing, Tianjin or Hebei."),
            code="school_code_province",
        )


def school_code_province(value: str) -> str | None:
    """The province code embedded in a school identifier, or None if it names none here."""
    if value[:2] in SCHOOL_CATEGORY_CODES and value[2:4] in PROVINCE_CODES:
        return value[2:4]
    return None
