"""Reporting periods: a calendar year, a quarter or a month, as one value type.

Plans report by quarter by default (``2025Q3``); indicators snapshot per period; reports
cover a period. A period is written ``2025`` (a year), ``2025Q3`` (a quarter) or
``2025-07`` (a month); :func:`parse` also reads ``2025q3``, ``2025-Q3``, ``2025年第3季度``,
``2025年7月`` and ``2025年``, and refuses anything else with a message for the user.

``code`` is the canonical spelling and what the database stores; codes of periods of one
kind sort as their periods do (``2024Q4`` < ``2025Q1``).

>>> p = parse("2025年第3季度")
>>> p.code, p.starts_on.isoformat(), p.ends_on.isoformat()
('2025Q3', '2025-07-01', '2025-09-30')
>>> p.next().code, p.previous().code
('2025Q4', '2025Q2')
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.translation import gettext_lazy as _

MIN_YEAR = 1990
MAX_YEAR = 2100

Kind = Literal["year", "quarter", "month"]
KINDS: tuple[Kind, ...] = ("year", "quarter", "month")
KIND_LABELS = {"year": _("Year"), "quarter": _("Quarter"), "month": _("Month")}


class PeriodError(ValueError):
    """A value that is not a period; ``message`` is for the user (lazy, translated)."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period: ``number`` is the quarter (1–4) or month (1–12); 0 for a year."""

    kind: Kind
    year: int
    number: int = 0

    def __post_init__(self) -> None:
        top = {"year": 0, "quarter": 4, "month": 12}[self.kind]
        low = 0 if self.kind == "year" else 1
        if not (MIN_YEAR <= self.year <= MAX_YEAR and low <= self.number <= top):
            raise PeriodError(_("“%(value)s” is not a period.") % {"value": self.code})

    @property
    def code(self) -> str:
        if self.kind == "quarter":
            return f"{self.year}Q{self.number}"
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        return str(self.year)

    @property
    def starts_on(self) -> dt.date:
        if self.kind == "quarter":
            return dt.date(self.year, 3 * self.number - 2, 1)
        if self.kind == "month":
            return dt.date(self.year, self.number, 1)
        return dt.date(self.year, 1, 1)

    @property
    def ends_on(self) -> dt.date:
        return self.next().starts_on - dt.timedelta(days=1)

    def label(self) -> str:
        """The period as a reader writes it (``2025年第3季度`` / ``2025 Q3``)."""
        from django.utils.translation import gettext as t

        if self.kind == "quarter":
            return t("%(year)s Q%(n)s") % {"year": self.year, "n": self.number}
        if self.kind == "month":
            return t("%(year)s-%(n)02d") % {"year": self.year, "n": self.number}
        return t("Year %(year)s") % {"year": self.year}

    def next(self) -> Period:
        return self._shift(1)

    def previous(self) -> Period:
        return self._shift(-1)

    def _shift(self, by: int) -> Period:
        if self.kind == "year":
            return Period("year", self.year + by)
        size = 4 if self.kind == "quarter" else 12
        index = self.year * size + self.number - 1 + by
        return Period(self.kind, index // size, index % size + 1)

    def contains(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def __str__(self) -> str:
        return self.code


def containing(day: dt.date, kind: Kind = "quarter") -> Period:
    """The period of ``kind`` that ``day`` falls in."""
    if kind == "quarter":
        return Period("quarter", day.year, (day.month - 1) // 3 + 1)
    if kind == "month":
        return Period("month", day.year, day.month)
    return Period("year", day.year)


def between(first: Period, last: Period) -> list[Period]:
    """The periods from ``first`` to ``last``, both included (of ``first``'s kind)."""
    out: list[Period] = []
    p = first
    while p <= last and len(out) < 2000:
        out.append(p)
        p = p.next()
    return out


_PATTERNS: tuple[tuple[re.Pattern[str], Kind], ...] = (
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^(\d{4})年(?:度)?$"), "year"),
    (re.compile(r"^(\d{4})[-/ ]?Q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})年?第?([1-4一二三四])季度?$"), "quarter"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})年(\d{1,2})月$"), "month"),
)
_CHINESE_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}


def read(value: object, field: str = "period") -> Period:
    """:func:`parse` for what a person wrote: the period, or an ``InvalidInput`` whose
    message (and the error of ``field``) says what is wrong with it."""
    from xietong.core.errors import InvalidInput

    try:
        return parse(value)
    except PeriodError as e:
        raise InvalidInput(e.message, fields={field: [str(e.message)]}) from None


def parse(value: object) -> Period:
    """Read a period in any spelling :mod:`this module <xietong.core.periods>` names."""
    if isinstance(value, Period):
        return value
    text = unicodedata.normalize("NFKC", str(value or "")).strip().upper().replace(" ", "")
    if not text:
        raise PeriodError(_("Give a period, such as 2025Q3, 2025-07 or 2025."))
    for pattern, kind in _PATTERNS:
        m = pattern.match(text)
        if m:
            year = int(m.group(1))
            number = 0 if kind == "year" else int(_CHINESE_DIGITS.get(m.group(2), m.group(2)))
            try:
                return Period(kind, year, number)
            except PeriodError:
                break
    raise PeriodError(
        _(
            "“%(value)s” is not a period: write a year (2025), a quarter (2025Q3) or a month "
            "(2025-07)."
        )
        % {"value": str(value)[:40]}
    )
