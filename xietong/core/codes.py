"""Code tables: stages, subjects, titles and honours, shipped as TSV files in ``core/data``.

Every entry point (forms, the API, the importer) turns what a person wrote into codes with
one parser, ``parse_codes(table, value)``; only codes are stored (decision 0007). Labels are
the table's Chinese or English name, by the active language.

>>> parse_codes(SUBJECTS, "语文、数学")
['13', '14']
>>> parse_codes(SUBJECTS, ["Physics", "化学"])
['16', '17']
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from xietong.core.delimited import pack, unpack
from xietong.core.errors import InvalidInput

DATA = Path(__file__).resolve().parent / "data"
SEPARATORS = re.compile(r"[、,，;；/／|\n]+")
MAX_ENTRIES = 50  # more entries than any list needs: refused, not parsed


class CodeError(ValueError):
    """Entries that are not in the table; ``message`` names them in the user's language."""

    def __init__(self, message: Any, unknown: list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.unknown = unknown


@dataclass(frozen=True)
class Entry:
    code: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()

    def label(self, language: str | None = None) -> str:
        language = language or get_language() or "zh-hans"
        return self.en if language.startswith("en") else self.zh


def _fold(text: str) -> str:
    """Full-width to half-width, case and runs of spaces ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True)
class CodeTable:
    """One code table; ``unknown`` is the message for entries it does not know."""

    name: str
    filename: str
    unknown: Any = field(compare=False)
    one: Any = field(compare=False)  # the message when exactly one entry is expected

    @cached_property
    def entries(self) -> tuple[Entry, ...]:
        with (DATA / self.filename).open(encoding="utf-8", newline="") as fh:
            lines = [line for line in fh if line.strip() and not line.startswith("#")]
        rows = list(csv.DictReader(lines, delimiter="\t"))
        return tuple(
            Entry(
                code=row["code"].strip(),
                zh=row["zh"].strip(),
                en=row["en"].strip(),
                aliases=tuple(
                    a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()
                ),
            )
            for row in rows
        )

    @cached_property
    def _index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for e in self.entries:
            for key in (e.code, e.zh, e.en, *e.aliases):
                folded = _fold(key)
                if index.setdefault(folded, e.code) != e.code:
                    raise ValueError(f"{self.filename}: {key!r} names two codes")
        return index

    @cached_property
    def _by_code(self) -> dict[str, Entry]:
        return {e.code: e for e in self.entries}

    def codes(self) -> list[str]:
        return [e.code for e in self.entries]

    def lookup(self, text: str) -> str | None:
        """The code a code, name or alias stands for (any case, full- or half-width)."""
        return self._index.get(_fold(text))

    def label(self, code: str, language: str | None = None) -> str:
        """The name in the active language; a code the table does not know shows as itself."""
        entry = self._by_code.get(code)
        return entry.label(language) if entry else code

    def labels(self, codes: Iterable[str]) -> list[str]:
        return [self.label(c) for c in codes]

    def labelled(self, codes: Iterable[str]) -> list[dict[str, str]]:
        """``[{"code": "13", "label": "语文"}, …]`` — how the API shows codes."""
        return [{"code": c, "label": self.label(c)} for c in codes]

    def choices(self) -> list[tuple[str, str]]:
        """``(code, label)`` pairs for a form's select, in table order."""
        return [(e.code, e.label()) for e in self.entries]

    def describe(self) -> str:
        """One line for API documentation: ``13 语文 Chinese; 14 数学 Mathematics; …``."""
        return "; ".join(f"{e.code} {e.zh} {e.en}" for e in self.entries)


def _pieces(value: Any) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            item = str(item)
        out += [p.strip() for p in SEPARATORS.split(item) if p.strip()]
    return out


def parse_codes(table: CodeTable, value: Any) -> list[str]:
    """Codes for a list of codes or names, or one string of them separated by 、,，;；/ or spaces.

    A piece with spaces is first read whole (``Physical education and health``), then word
    by word (``语文 数学``). Repeats collapse, order is kept. Raises ``CodeError`` naming
    every entry the table does not know.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, (str, list, tuple, type(None))):
        raise CodeError(table.unknown % {"names": str(value)[:40]}, [str(value)[:40]])
    codes: list[str] = []
    unknown: list[str] = []
    pieces = _pieces(value)
    if len(pieces) > MAX_ENTRIES:
        raise CodeError(_("Give at most %(n)d entries.") % {"n": MAX_ENTRIES}, [])
    for piece in pieces:
        code = table.lookup(piece)
        if code is not None:
            codes.append(code)
            continue
        words = piece.split()
        found = [table.lookup(w) for w in words]
        if len(words) > 1 and any(found):  # "语文 数学": words; name each unknown word
            codes += [c for c in found if c]
            unknown += [w[:40] for w, c in zip(words, found, strict=True) if c is None]
        else:
            unknown.append(piece[:40])
    if unknown:
        raise CodeError(table.unknown % {"names": "、".join(unknown)}, unknown)
    return list(dict.fromkeys(codes))


def parse_code(table: CodeTable, value: Any) -> str:
    """Exactly one code (a slot's subject, a person's title); CodeError otherwise."""
    codes = parse_codes(table, value)
    if len(codes) != 1:
        raise CodeError(table.one, [])
    return codes[0]


STAGES = CodeTable(
    "stages",
    "stages.tsv",
    unknown=_("Unknown stages: %(names)s."),
    one=_("Give exactly one stage."),
)
SUBJECTS = CodeTable(
    "subjects",
    "subjects.tsv",
    unknown=_("Unknown subjects: %(names)s."),
    one=_("Give exactly one subject."),
)
TITLES = CodeTable(
    "titles",
    "titles.tsv",
    unknown=_("Unknown professional titles: %(names)s."),
    one=_("Give exactly one professional title."),
)
HONOURS = CodeTable(
    "honours",
    "honours.tsv",
    unknown=_("Unknown honours: %(names)s."),
    one=_("Give exactly one honour."),
)
TABLES = {t.name: t for t in (STAGES, SUBJECTS, TITLES, HONOURS)}


def packed(table: CodeTable, value: Any, field: str) -> str:
    """``parse_codes`` for a service: the stored ``,a,b,`` string, or InvalidInput on ``field``."""
    try:
        return pack(parse_codes(table, value))
    except CodeError as e:
        raise InvalidInput(str(e.message), fields={field: [str(e.message)]}) from e


def single(table: CodeTable, value: Any, field: str) -> str:
    """``parse_code`` for a service: one code, "" for blank, or InvalidInput on ``field``."""
    if value in (None, "", []):
        return ""
    try:
        return parse_code(table, value)
    except CodeError as e:
        raise InvalidInput(str(e.message), fields={field: [str(e.message)]}) from e


def normalise_stored(table: CodeTable, stored: str) -> tuple[str, list[str]]:
    """A stored ``,a,b,`` list with names turned into codes; entries not found are kept.

    For data migrations: returns the new stored value and the entries left as they were.
    """
    out: list[str] = []
    unknown: list[str] = []
    for entry in unpack(stored):
        code = table.lookup(entry)
        if code is None:
            unknown.append(entry)
        out.append(code or entry)
    return pack(out), unknown


def report_unknown(what: str, unknown: dict[str, int]) -> None:
    """Print the entries a data migration could not turn into codes (they stay stored)."""
    if unknown:
        listed = ", ".join(f"{name} ×{n}" for name, n in sorted(unknown.items()))
        print(f"\n  {what}: kept {sum(unknown.values())} entries that are no code: {listed}")
