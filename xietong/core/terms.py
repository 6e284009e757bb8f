"""School terms: one value type and one calendar rule.

A school year runs from autumn to summer and has two terms. ``SchoolTerm(2024, 1)`` is the
first term of the 2024–2025 school year. Terms order by ``key`` (``start_year * 10 + term``),
which is also the integer the database stores, so SQL orders and filters terms the same way.

The calendar is one rule, ``settings.XIETONG_TERM_CALENDAR`` (month, day pairs):

* ``first_starts`` in the start year; ``first_ends``, ``second_starts`` and
  ``second_ends`` in the following year, in that order.

The default follows the calendars of Beijing, Tianjin and Hebei schools: term 1 from 1
September to 20 January, term 2 from 20 February to 10 July. ``containing(day)`` is the
latest term that has started by that day, so the winter and summer holidays belong to the
term before them and every day has exactly one term.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

MIN_YEAR = 1900
MAX_YEAR = 2998

MonthDay = tuple[int, int]
DEFAULT_CALENDAR: dict[str, MonthDay] = {
    "first_starts": (9, 1),
    "first_ends": (1, 20),
    "second_starts": (2, 20),
    "second_ends": (7, 10),
}
_ORDER = ("first_starts", "first_ends", "second_starts", "second_ends")


class TermError(ValueError):
    """A value that is not a school term; ``message`` is for the user (lazy, translated)."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Calendar:
    """Where the two terms of a school year start and end (see the module docstring)."""

    first_starts: MonthDay
    first_ends: MonthDay
    second_starts: MonthDay
    second_ends: MonthDay

    @classmethod
    def from_setting(cls, value: Mapping[str, Any] | None) -> Calendar:
        merged = {**DEFAULT_CALENDAR, **(value or {})}
        unknown = set(merged) - set(_ORDER)
        if unknown:
            raise ValueError(f"XIETONG_TERM_CALENDAR: unknown keys {sorted(unknown)}")
        days = {k: (int(merged[k][0]), int(merged[k][1])) for k in _ORDER}
        for key, (month, day) in days.items():
            if (month, day) == (2, 29):
                raise ValueError(f"XIETONG_TERM_CALENDAR[{key!r}]: 29 February is not every year")
            dt.date(2001, month, day)  # raises ValueError for a day that does not exist
        cal = cls(**days)
        points = [cal.first_start(2001), cal.first_end(2001)]
        points += [cal.second_start(2001), cal.second_end(2001), cal.first_start(2002)]
        if points != sorted(points) or len(set(points)) != len(points):
            raise ValueError(
                "XIETONG_TERM_CALENDAR: term 1 starts, term 1 ends, term 2 starts, term 2 ends "
                "must follow each other within one school year"
            )
        return cal

    def first_start(self, year: int) -> dt.date:
        return dt.date(year, *self.first_starts)

    def first_end(self, year: int) -> dt.date:
        return dt.date(year + 1, *self.first_ends)

    def second_start(self, year: int) -> dt.date:
        return dt.date(year + 1, *self.second_starts)

    def second_end(self, year: int) -> dt.date:
        return dt.date(year + 1, *self.second_ends)


def calendar() -> Calendar:
    """The configured calendar (read each time, so ``override_settings`` works in tests)."""
    from django.conf import settings

    return Calendar.from_setting(getattr(settings, "XIETONG_TERM_CALENDAR", None))


_DASH = r"\s*[-–—~/至]\s*"
_PATTERNS = [
    # 2024-2025-1, 2024-2025-2 (the code used in URLs and the API)
    re.compile(rf"^(?P<a>\d{{4}}){_DASH}(?P<b>\d{{4}})\s*[-–—/.]\s*(?P<t>\d)$"),
    # 2024–2025学年第一学期, 2024-2025学年第2学期, 2024-2025学年上学期
    re.compile(
        rf"^(?P<a>\d{{4}}){_DASH}(?P<b>\d{{4}})\s*(?:学年(?:度)?)?\s*[,，]?\s*"
        r"(?:第\s*(?P<zt>[一二三四1-9])\s*学期|(?P<ud>[上下])\s*学期)$"
    ),
    # 2024-2025 term 2, 2024–2025, term 1, 2024/2025 semester 1
    re.compile(
        rf"^(?P<a>\d{{4}}){_DASH}(?P<b>\d{{4}})\s*[,，]?\s*(?:term|semester)\s*(?P<t>\d)$",
        re.IGNORECASE,
    ),
]
_ZH_NUMBER = {"一": 1, "二": 2, "三": 3, "四": 4, "上": 1, "下": 2}


def _not_a_term(value: object) -> TermError:
    return TermError(
        _("“%(value)s” is not a school term; write it as 2024-2025-1 or 2024–2025学年第一学期.")
        % {"value": str(value)[:40]}
    )


def _years(a: int, b: int, value: object) -> int:
    if b != a + 1:
        raise TermError(
            _("A school year spans two consecutive years, such as 2024-2025; “%(value)s” does not.")
            % {"value": str(value)[:40]}
        )
    if not MIN_YEAR <= a <= MAX_YEAR:
        raise TermError(
            _("The school year must start between %(low)d and %(high)d.")
            % {"low": MIN_YEAR, "high": MAX_YEAR}
        )
    return a


def _term_number(t: int) -> int:
    if t not in (1, 2):
        raise TermError(_("A school year has two terms: 1 and 2."))
    return t


def parse_school_year(value: object) -> int:
    """The start year of a school year written "2024-2025" (or with –, —, / between)."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    m = re.fullmatch(rf"(\d{{4}}){_DASH}(\d{{4}})\s*(?:学年(?:度)?)?", text)
    if not m:
        raise TermError(
            _("“%(value)s” is not a school year; write it as two consecutive years: 2024-2025.")
            % {"value": text[:40]}
        )
    return _years(int(m.group(1)), int(m.group(2)), text)


@dataclass(frozen=True, order=True)
class SchoolTerm:
    """One term of one school year; ordered, hashable, immutable."""

    start_year: int
    term: int

    def __post_init__(self) -> None:
        if isinstance(self.start_year, bool) or not isinstance(self.start_year, int):
            raise TermError(_not_a_term(self.start_year).message)
        if isinstance(self.term, bool) or not isinstance(self.term, int):
            raise TermError(_("A school year has two terms: 1 and 2."))
        _years(self.start_year, self.start_year + 1, self.start_year)
        _term_number(self.term)

    # --- parsing ------------------------------------------------------------------------

    @classmethod
    def parse(cls, value: object) -> SchoolTerm:
        """A term from any of its spellings, a ``(year, term)`` pair or a key; else TermError.

        Accepted: ``"2024-2025-1"``, ``"2024–2025学年第一学期"``, ``"2024-2025学年第二学期"``,
        ``"2024-2025 term 2"``, ``"2024–2025, term 1"``, ``(2024, 1)``, ``("2024-2025", 1)``,
        ``20241`` (the key).
        """
        if isinstance(value, SchoolTerm):
            return value
        if isinstance(value, (tuple, list)):
            if len(value) != 2:
                raise _not_a_term(value)
            year, term = value
            start = year if isinstance(year, int) else parse_school_year(year)
            return cls(start, cls._number(term, value))
        if isinstance(value, int) and not isinstance(value, bool):
            return cls.from_key(value)
        if not isinstance(value, str):
            raise _not_a_term(value)
        text = unicodedata.normalize("NFKC", value).strip()
        for pattern in _PATTERNS:
            m = pattern.match(text)
            if m:
                start = _years(int(m.group("a")), int(m.group("b")), text)
                groups = m.groupdict()
                word = groups.get("zt") or groups.get("ud")
                number = _ZH_NUMBER.get(word or "") or int(word or groups.get("t") or 0)
                return cls(start, _term_number(number))
        raise _not_a_term(value)

    @staticmethod
    def _number(term: object, whole: object) -> int:
        if isinstance(term, bool):
            raise _not_a_term(whole)
        if isinstance(term, str) and term.strip().isdigit():
            term = int(term.strip())
        if not isinstance(term, int):
            raise _not_a_term(whole)
        return _term_number(term)

    @classmethod
    def from_key(cls, key: int) -> SchoolTerm:
        year, term = divmod(key, 10)
        if term not in (1, 2) or not MIN_YEAR <= year <= MAX_YEAR:
            raise _not_a_term(key)
        return cls(year, term)

    @classmethod
    def containing(cls, day: dt.date) -> SchoolTerm:
        """The latest term that has started by ``day`` (holidays belong to the term before)."""
        cal = calendar()
        year = day.year if day >= cal.first_start(day.year) else day.year - 1
        return cls(year, 2) if day >= cal.second_start(year) else cls(year, 1)

    @classmethod
    def school_year(cls, start_year: int) -> tuple[SchoolTerm, SchoolTerm]:
        """Both terms of the school year that starts in ``start_year``."""
        return cls(start_year, 1), cls(start_year, 2)

    # --- arithmetic -----------------------------------------------------------------------

    @property
    def key(self) -> int:
        """``start_year * 10 + term``: sorts like the terms; the column SQL filters on."""
        return self.start_year * 10 + self.term

    @property
    def code(self) -> str:
        """The machine spelling for URLs, forms and the API: ``2024-2025-1``."""
        return f"{self.start_year}-{self.start_year + 1}-{self.term}"

    @property
    def year_label(self) -> str:
        """The school year as stored beside the term number: ``2024-2025``."""
        return f"{self.start_year}-{self.start_year + 1}"

    def next(self) -> SchoolTerm:
        return (
            SchoolTerm(self.start_year, 2) if self.term == 1 else SchoolTerm(self.start_year + 1, 1)
        )

    def previous(self) -> SchoolTerm:
        return (
            SchoolTerm(self.start_year, 1) if self.term == 2 else SchoolTerm(self.start_year - 1, 2)
        )

    @property
    def starts_on(self) -> dt.date:
        cal = calendar()
        return (
            cal.first_start(self.start_year)
            if self.term == 1
            else cal.second_start(self.start_year)
        )

    @property
    def ends_on(self) -> dt.date:
        """The last teaching day (the holiday after it still belongs to this term)."""
        cal = calendar()
        return cal.first_end(self.start_year) if self.term == 1 else cal.second_end(self.start_year)

    # --- display --------------------------------------------------------------------------

    def label(self) -> str:
        """``2024–2025学年第一学期`` in Chinese, ``2024–2025, term 1`` in English."""
        values = {"first": self.start_year, "second": self.start_year + 1}
        if self.term == 1:
            return pgettext("school term", "%(first)d–%(second)d, term 1") % values
        return pgettext("school term", "%(first)d–%(second)d, term 2") % values

    def __str__(self) -> str:
        return self.label()


@dataclass(frozen=True)
class TermSpan:
    """Consecutive terms from ``first`` to ``last`` inclusive (a school year is one span)."""

    first: SchoolTerm
    last: SchoolTerm

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise TermError(_("The last term comes before the first."))

    @classmethod
    def of(cls, term: SchoolTerm) -> TermSpan:
        return cls(term, term)

    @classmethod
    def school_year(cls, start_year: int) -> TermSpan:
        return cls(*SchoolTerm.school_year(start_year))

    @property
    def keys(self) -> tuple[int, int]:
        """``(low, high)`` for a ``term_key__range`` lookup."""
        return self.first.key, self.last.key

    def __contains__(self, term: object) -> bool:
        return isinstance(term, SchoolTerm) and self.first <= term <= self.last
