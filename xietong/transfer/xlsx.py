"""Reading xlsx workbooks as streams: a sheet's rows one at a time, in bounded memory.

A workbook is a zip of XML parts (ECMA-376). The sheet's XML is decompressed twice: a first
pass (:func:`scan_sheet`) finds what comes after the data or what is rare — the merged
ranges (written after ``<sheetData>``), the last row, formulas never calculated and error
cells — searching cell by cell only the chunks that hold such a cell; the second pass
(:func:`sheet_rows`) finds the cells with the numba kernel of
:mod:`xietong.transfer.xlsx_tokens` (or, for prefixed elements or UTF-16, one regular
expression) and converts them as python-calamine does (numbers as floats, dates from the
cell's style, booleans, shared and inline strings). Shared strings are kept as one UTF-8
``bytearray`` and an array of offsets, not a list of Python strings. Nothing here knows
about columns or messages: faults are raised as :class:`XlsxError` or as the zip, zlib and
XML errors they are, and the caller words them.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from array import array
from codecs import getincrementaldecoder
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from xml.etree import ElementTree

import numpy as np

from xietong.transfer import xlsx_tokens as tk

CHUNK = 1 << 20  # bytes of XML decompressed at a time
MARGIN = 64 * 1024  # bytes kept from a chunk for a cell cut at its end (scan)
MAX_PENDING = 64 * 2**20  # characters of one row or shared string: more is no real workbook
MAX_CELL_PROBLEMS = 1000  # formula/error cells listed before the sheet is refused
MAX_TAIL = 16 * 2**20  # bytes after </sheetData> searched for merged ranges
MEMO = 100_000  # converted numbers and dates kept per sheet

REL_WORKSHEET = "/worksheet"
REL_STRINGS = "/sharedStrings"
REL_STYLES = "/styles"


class XlsxError(Exception):
    """The workbook's parts are not what an xlsx holds (the caller says "damaged")."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# --- the workbook: sheets, shared strings, styles -------------------------------------------


@dataclass(frozen=True)
class SheetInfo:
    """A sheet as the workbook lists it: its name, its part, whether it is shown."""

    name: str
    part: str
    visible: bool
    worksheet: bool


@dataclass(frozen=True)
class Workbook:
    sheets: list[SheetInfo]
    strings_part: str | None
    styles_part: str | None


def _rels(archive: zipfile.ZipFile, names: set[str]) -> dict[str, tuple[str, str]]:
    """The workbook's relationships: id → (type, part name)."""
    rels: dict[str, tuple[str, str]] = {}
    if "xl/_rels/workbook.xml.rels" not in names:
        return rels
    for rel in ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels")):
        target = rel.get("Target", "")
        if target.startswith("/"):
            target = target.lstrip("/")
        else:
            target = posixpath.normpath("xl/" + target)
        rels[rel.get("Id", "")] = (rel.get("Type", ""), target)
    return rels


def read_workbook(archive: zipfile.ZipFile) -> Workbook:
    """The sheets in workbook order and the parts of shared strings and styles."""
    names = set(archive.namelist())
    rels = _rels(archive, names)
    root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheets = []
    for element in root.iter():
        if _local(element.tag) != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if k.endswith("}id")), "")
        kind, part = rels.get(rid, ("", ""))
        sheets.append(
            SheetInfo(
                name=element.get("name", ""),
                part=part,
                visible=element.get("state", "visible") == "visible",
                worksheet=not kind or kind.endswith(REL_WORKSHEET),
            )
        )

    def part_of(suffix: str, default: str) -> str | None:
        found = next((p for k, p in rels.values() if k.endswith(suffix)), default)
        return found if found in names else None

    return Workbook(
        sheets,
        part_of(REL_STRINGS, "xl/sharedStrings.xml"),
        part_of(REL_STYLES, "xl/styles.xml"),
    )


_ENTITY = re.compile(r"&(?:#(\d+)|#x([0-9A-Fa-f]+)|(amp|lt|gt|quot|apos));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _entity(match: re.Match[str]) -> str:
    decimal, hexadecimal, name = match.groups()
    if name:
        return _NAMED[name]
    return chr(int(decimal) if decimal else int(hexadecimal, 16))


def _escaped(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))


def text(raw: str) -> str:
    """XML character data as the cell's text: entities, then Excel's ``_xHHHH_`` escapes
    (``_x000D_`` a carriage return, ``_x005F_`` an underscore)."""
    if "&" in raw:
        raw = _ENTITY.sub(_entity, raw)
    if "_x" in raw:
        raw = _ESCAPE.sub(_escaped, raw)
    return raw


_PHONETIC = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.DOTALL)
_RUN_TEXT = re.compile(r"<(?:\w+:)?t(?:\s[^>]*)?(?:/>|>([^<]*)</(?:\w+:)?t>)")


def rich_text(body: str) -> str:
    """The text of a string item: its ``<t>`` or its runs' ``<t>``, without phonetic runs."""
    if "rPh" in body:
        body = _PHONETIC.sub("", body)
    return text("".join(_RUN_TEXT.findall(body)))


class SharedStrings:
    """The shared-string table: every string, UTF-8 encoded, joined in one ``bytearray``
    (grown in place as the part is read, never joined at the end); string ``i`` runs from
    byte ``ends[i]`` to ``ends[i + 1]`` (the fast path copies them from there without
    making Python strings)."""

    def __init__(self, joined: bytes | bytearray = b"", ends: array[int] | None = None):
        self.joined = joined
        self.ends = ends if ends is not None else array("I", [0])

    def __len__(self) -> int:
        return len(self.ends) - 1

    def __getitem__(self, index: int) -> str:
        ends = self.ends
        return self.joined[ends[index] : ends[index + 1]].decode()


@lru_cache(maxsize=8)
def _string_item(prefix: str) -> re.Pattern[str]:
    p = re.escape(prefix)
    return re.compile(
        rf"<{p}si>(?:<{p}t(?:\s[^>]*)?>([^<]*)</{p}t>|<{p}t\s*/>)?</{p}si>"
        rf"|<{p}si>(.*?)</{p}si>|<{p}si\s*/>",
        re.DOTALL,
    )


_PREFIX = re.compile(r"<(\w+):(?:sst|worksheet)\b")


def _prefix(head: str) -> str:
    match = _PREFIX.search(head)
    return match.group(1) + ":" if match else ""


def _chunks(stream: Any, first: bytes | None = None) -> Iterator[str]:
    """A part's text, decoded chunk by chunk (UTF-8; a part in UTF-16 is read as such)."""
    if first is None:
        first = stream.read(CHUNK)
    encoding = "utf-16" if first[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    decoder = getincrementaldecoder(encoding)()
    chunk = first
    while chunk:
        yield decoder.decode(chunk)
        chunk = stream.read(CHUNK)
    yield decoder.decode(b"", final=True)


def read_strings(archive: zipfile.ZipFile, part: str | None) -> SharedStrings:
    """The shared-string table, read in chunks."""
    if part is None:
        return SharedStrings()
    pieces: list[bytes] = []  # the strings of the current chunk
    joined = bytearray()
    ends = array("I", [0])
    total = 0
    pattern: re.Pattern[str] | None = None
    end_tag = ""
    pending = ""
    with archive.open(part) as stream:
        for chunk in _chunks(stream):
            pending += chunk
            if pattern is None:
                prefix = _prefix(pending[:4096])
                pattern, end_tag = _string_item(prefix), f"</{prefix}si>"
            final = not chunk
            cut = len(pending) if final else pending.rfind(end_tag) + len(end_tag)
            if cut < len(end_tag):
                if len(pending) > MAX_PENDING:
                    raise XlsxError("a shared string too long")
                continue
            for simple, rich in pattern.findall(pending, 0, cut):
                value = (rich_text(rich) if rich else text(simple) if simple else "").encode()
                pieces.append(value)
                total += len(value)
                if total >= 2**32:
                    raise XlsxError("shared strings beyond 4 GB")
                ends.append(total)
            pending = pending[cut:]
            joined += b"".join(pieces)
            pieces.clear()
    return SharedStrings(joined, ends)


# Built-in number formats that show a date or a time (ECMA-376 18.8.30, and the CJK ones).
_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)])
_DURATION_FORMATS = frozenset([46])
_QUOTED = re.compile(r'"[^"]*"|\\.|_.|\*.')
_BRACKETS = re.compile(r"\[[^\]]*\]")
_ELAPSED = re.compile(r"\[(?:h+|m+|s+)\]", re.IGNORECASE)
_DATE_LETTERS = re.compile(r"[ymdhs]", re.IGNORECASE)


def format_kind(code: str) -> str | None:
    """``"date"`` for a custom number format showing a date or time, ``"duration"`` for an
    elapsed time (``[h]:mm``), otherwise None."""
    bare = _QUOTED.sub("", code)
    if _ELAPSED.search(bare):
        return "duration"
    bare = _BRACKETS.sub("", bare)
    if "general" in bare.lower():
        bare = re.sub("general", "", bare, flags=re.IGNORECASE)
    return "date" if _DATE_LETTERS.search(bare) else None


@dataclass(frozen=True)
class Styles:
    """The cell style indexes (as written in ``s="…"``) whose number format is a date or a
    duration."""

    dates: frozenset[str] = frozenset()
    durations: frozenset[str] = frozenset()


def read_styles(archive: zipfile.ZipFile, part: str | None) -> Styles:
    if part is None:
        return Styles()
    root = ElementTree.fromstring(archive.read(part))
    custom: dict[int, str | None] = {}
    xfs: list[int] = []
    for element in root:
        name = _local(element.tag)
        if name == "numFmts":
            for fmt in element:
                try:
                    custom[int(fmt.get("numFmtId", ""))] = format_kind(fmt.get("formatCode", ""))
                except ValueError:
                    continue
        elif name == "cellXfs":
            for xf in element:
                try:
                    xfs.append(int(xf.get("numFmtId", "0")))
                except ValueError:
                    xfs.append(0)
    dates, durations = set(), set()
    for index, fmt_id in enumerate(xfs):
        kind = custom.get(fmt_id)
        if fmt_id not in custom and fmt_id in _DATE_FORMATS:
            kind = "duration" if fmt_id in _DURATION_FORMATS else "date"
        if kind == "date":
            dates.add(str(index))
        elif kind == "duration":
            durations.add(str(index))
    return Styles(frozenset(dates), frozenset(durations))


# --- the first pass: what the rows alone do not tell ---------------------------------------


@dataclass
class SheetScan:
    """A sheet's merged ranges (0-based ``((row, col), (row, col))``), its last row number
    (1-based, 0 when it has no rows), and its cells with a formula never calculated or an
    error, by 0-based ``(row, col)``; ``truncated`` when there were too many to list."""

    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    last_row: int = 0
    cells: dict[tuple[int, int], str] = field(default_factory=dict)
    truncated: bool = False


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_HAS_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_HAS_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)\b")
_BYTES_PREFIX = re.compile(rb"<(\w+):(?:worksheet|sheetData)\b")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?\bref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')


def column_index(letters: str | bytes) -> int:
    """A → 0, Z → 25, AA → 26."""
    n = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        n = n * 26 + (ch - 64)
    return n - 1


def scan_sheet(archive: zipfile.ZipFile, part: str) -> SheetScan:
    """The first pass over a sheet's XML (see :class:`SheetScan`).

    Only chunks that hold a formula or an error cell are searched cell by cell, so a sheet
    of plain values costs little more than its decompression."""
    scan = SheetScan()
    rows = 0
    last_numbered = 0
    with archive.open(part) as stream:
        head = stream.peek(4096) if hasattr(stream, "peek") else b""
        match = _BYTES_PREFIX.search(head)
        p = match.group(1) + b":" if match else b""
        markers = (b"</" + p + b"f></" + p + b"c>", b"/></" + p + b"c>", b't="e"')
        row_tags = (b"<" + p + b"row ", b"<" + p + b"row>")
        end_of_data = b"</" + p + b"sheetData>"
        merge_tag = b"<" + p + b"mergeCell"
        buffer = b""
        tail = 0  # bytes read after </sheetData>
        in_tail = False
        data_end = -1
        while True:
            chunk = stream.read(CHUNK)
            buffer += chunk
            final = not chunk
            limit = len(buffer) if final else len(buffer) - MARGIN
            keep = max(limit, 0)
            if limit > 0 and not in_tail:
                if any(marker in buffer for marker in markers):
                    for cell in _CELL.finditer(buffer):
                        if cell.start() >= limit:
                            break
                        keep = max(keep, cell.end())
                        _scan_cell(scan, cell.group(1), cell.group(2) or b"")
                # The last row tag tells the last row; only rows without numbers are
                # counted (tags starting before ``keep`` now, the others next time).
                at = max(buffer.rfind(tag, 0, keep + len(tag) - 1) for tag in row_tags)
                if at >= 0 and (number := _ROW_NUMBER.match(buffer, at)):
                    last_numbered = int(number.group(1))
                elif at >= 0:
                    rows += sum(buffer.count(tag, 0, keep + len(tag) - 1) for tag in row_tags)
                data_end = buffer.find(end_of_data)
                in_tail = 0 <= data_end < keep
            if limit > 0 and (in_tail or data_end >= 0) and merge_tag in buffer:
                for merge in _MERGE.finditer(buffer):
                    if merge.start() >= limit:
                        break
                    keep = max(keep, merge.end())
                    c0, r0, c1, r1 = merge.groups()
                    start = (int(r0) - 1, column_index(c0))
                    end = (int(r1) - 1, column_index(c1)) if c1 and r1 else start
                    scan.merged.append((start, end))
            if in_tail:
                tail += len(chunk)
                if tail > MAX_TAIL:
                    break
            if final:
                break
            buffer = buffer[keep:]
    scan.last_row = max(rows, last_numbered)
    return scan


def _scan_cell(scan: SheetScan, attrs: bytes, body: bytes) -> None:
    if _ERROR_TYPE.search(attrs):
        problem = "error"
    elif _HAS_FORMULA.search(body) and not _HAS_VALUE.search(body):
        problem = "formula"
    else:
        return
    ref = _REF.search(attrs)
    if ref and len(scan.cells) < MAX_CELL_PROBLEMS:
        scan.cells[(int(ref.group(2)) - 1, column_index(ref.group(1)))] = problem
    elif ref:
        scan.truncated = True


# --- the second pass: the rows -------------------------------------------------------------


@lru_cache(maxsize=8)
def _tokens(prefix: str) -> re.Pattern[str]:
    """Row tags and cells: ``(row tag, column letters, other attributes, <v> text, inline
    <t> text, any other content)``; the common cells match without the last group."""
    p = re.escape(prefix)
    return re.compile(
        rf"(<{p}row(?=[\s>/])[^>]*>|</{p}row>)"
        rf'|<{p}c(?=[\s>/])(?:\s+r="([A-Z]{{1,3}})\d*")?([^>]*?)'
        rf"(?:/>|>(?:<{p}v>([^<]*)</{p}v>|<{p}is><{p}t(?:\s[^>]*)?>([^<]*)</{p}t></{p}is>"
        rf"|(.*?))</{p}c>)",
        re.DOTALL,
    )


_ATTRIBUTE = re.compile(r'([\w:]+)\s*=\s*"([^"]*)"')
_ROW_R = re.compile(r'\br="(\d+)"')
_VALUE = re.compile(r"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_INLINE = re.compile(r"<(?:\w+:)?is>(.*?)</(?:\w+:)?is>", re.DOTALL)
_FORMULA = re.compile(r"<(?:\w+:)?f\b")

EPOCH = dt.datetime(1899, 12, 30)
EPOCH_EARLY = dt.datetime(1899, 12, 31)  # serials before 60: Excel's 1900-02-29 never was


def serial_date(serial: float) -> dt.date | dt.datetime | dt.time:
    """An Excel serial as calamine gives it: a date when it falls on midnight, a datetime
    otherwise, a time of day under 1 (rounded to the millisecond)."""
    if serial < 1:
        ms = max(round(serial * 86_400_000), 0)
        if ms >= 86_400_000:
            return dt.time(0)
        return (dt.datetime.min + dt.timedelta(milliseconds=ms)).time()
    days = int(serial)
    ms = round((serial - days) * 86_400_000)
    moment = (EPOCH_EARLY if serial < 60 else EPOCH) + dt.timedelta(days=days, milliseconds=ms)
    return moment.date() if moment.time() == dt.time(0) else moment


def iso_date(value: str) -> Any:
    """A ``t="d"`` cell (ISO 8601): a date, a datetime, or the text when it is neither."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        try:
            return dt.time.fromisoformat(value.lstrip("T"))
        except ValueError:
            return value
    moment = moment.replace(tzinfo=None)
    return moment.date() if moment.time() == dt.time(0) else moment


def sheet_rows(
    archive: zipfile.ZipFile, part: str, strings: SharedStrings, styles: Styles
) -> Iterator[tuple[int, list[Any]]]:
    """The rows of a sheet that hold cells: ``(1-based row number, values from column A)``,
    a missing cell as None. The XML is read up to ``</sheetData>`` only. Un-prefixed UTF-8
    XML (what Excel, WPS and our writer write) goes through the numba kernel of
    :mod:`xietong.transfer.xlsx_tokens`, anything else through a regular expression."""
    with archive.open(part) as stream:
        first = stream.read(CHUNK)
        if first[:2] in (b"\xff\xfe", b"\xfe\xff") or _BYTES_PREFIX.search(first[:4096]):
            yield from _regex_rows(_chunks(stream, first), strings, styles)
        else:
            yield from _fast_rows(stream, first, strings, styles)


def _fast_rows(
    stream: Any, first: bytes, strings: SharedStrings, styles: Styles
) -> Iterator[tuple[int, list[Any]]]:
    size = max((int(s) + 1 for s in styles.dates | styles.durations), default=0)
    dates = np.zeros(size, dtype=np.bool_)
    durations = np.zeros(size, dtype=np.bool_)
    dates[[int(s) for s in styles.dates]] = True
    durations[[int(s) for s in styles.durations]] = True
    sst = np.frombuffer(strings.joined, dtype=np.uint8)
    sst_ends = np.frombuffer(strings.ends, dtype=np.uint32)
    row = 0
    pending = b""
    chunk = first
    memo: dict[Any, Any] = {}  # (type code, text) → value: rosters repeat dates and numbers
    text_out = np.empty(0, dtype=np.uint8)
    cols = np.empty(0, dtype=np.int64)
    rows = np.empty((0, 4), dtype=np.int64)
    specials = np.empty((0, 2), dtype=np.int64)
    while True:
        pending += chunk
        final = not chunk
        stop = pending.find(b"</sheetData>")
        if stop >= 0:
            cut, final = stop, True
        elif final:
            cut = len(pending)
        else:
            cut = pending.rfind(b"</row>") + 6
            if cut < 6:
                if len(pending) > MAX_PENDING:
                    raise XlsxError("a row too long")
                chunk = stream.read(CHUNK)
                continue
        region = np.frombuffer(pending, dtype=np.uint8, count=cut)
        cells = cut // 7 + 1  # a cell with content takes at least 7 bytes: <c><v/>…
        if cols.shape[0] < cells:
            cols = np.empty(cells, dtype=np.int64)
            rows = np.empty((cells, 4), dtype=np.int64)
            specials = np.empty((cells, 2), dtype=np.int64)
        if text_out.shape[0] < 2 * cut:
            text_out = np.empty(2 * cut, dtype=np.uint8)
        while True:
            full, count, row_count, special_count, used, last = tk.tokenize(
                region, row, dates, durations, sst, sst_ends, text_out, cols, rows, specials
            )
            if not full:
                break
            text_out = np.empty(2 * text_out.shape[0], dtype=np.uint8)
        row = last
        if count:
            pieces = text_out[:used].tobytes().decode("utf-8").split("\x00")
            fix_cells = specials[:special_count, 0].tolist()
            fix_cells.append(count)  # a sentinel past the last cell
            fix_codes = specials[:special_count, 1].tolist()
            at = 0
            next_fix = fix_cells[0]
            for number, start, size, dense in zip(
                rows[:row_count, 0].tolist(),
                rows[:row_count, 1].tolist(),
                rows[:row_count, 2].tolist(),
                rows[:row_count, 3].tolist(),
                strict=True,
            ):
                end = start + size
                values = pieces[start:end]
                while next_fix < end:
                    i = next_fix - start
                    key = (fix_codes[at], values[i])
                    value = memo.get(key, memo)
                    if value is memo:
                        value = _special(key[1], key[0], strings)
                        if len(memo) < MEMO and len(key[1]) < 64:
                            memo[key] = value
                    values[i] = value
                    at += 1
                    next_fix = fix_cells[at]
                if not dense:
                    values = _placed(values, cols[start:end].tolist())
                yield number, values
        if final:
            break
        pending = pending[cut:]
        chunk = stream.read(CHUNK)


def _special(raw: str, code: int, strings: SharedStrings) -> Any:
    """The value of a cell the kernel left as text (see :func:`xlsx_tokens.tokenize`)."""
    kind, flags = code & 15, code >> 4
    if flags & tk.FLAG_OTHER:
        v, inline_text = _other(raw)
        raw = inline_text if kind == tk.INLINE and inline_text else text(v)
    elif flags & tk.FLAG_ESCAPE:
        raw = text(raw)
    return _typed(raw, kind, strings)


def _placed(values: list[Any], cols: list[int]) -> list[Any]:
    """A row's values at their columns, None where a row has no cell."""
    out: list[Any] = []
    for value, col in zip(values, cols, strict=True):
        if col == len(out):
            out.append(value)
        elif col > len(out):
            out.extend([None] * (col - len(out)))
            out.append(value)
        else:
            out[col] = value
    return out


def _typed(raw: str, kind: int, strings: SharedStrings) -> Any:
    """A cell's value from its text and its type code (:mod:`xietong.transfer.xlsx_tokens`);
    None for a cell with nothing to read (an error cell is named from the scan)."""
    if kind in (tk.INLINE, tk.STR):
        return raw
    if not raw.strip():
        return None
    if kind == tk.NUMBER:
        return float(raw)
    if kind == tk.SERIAL_DATE:
        return serial_date(float(raw))
    if kind == tk.SERIAL_DURATION:
        return dt.timedelta(days=float(raw))
    if kind == tk.SHARED:
        return strings[int(raw)]
    if kind == tk.BOOL:
        return raw.strip() in ("1", "true")
    if kind == tk.DATE:
        return iso_date(raw.strip())
    return None


def _regex_rows(
    chunks: Iterator[str], strings: SharedStrings, styles: Styles
) -> Iterator[tuple[int, list[Any]]]:
    """:func:`sheet_rows` for any sheet XML (prefixed elements, UTF-16): one regular
    expression over the decoded text."""
    dates, durations = styles.dates, styles.durations
    letters_cache: dict[str, int] = {}
    attrs_cache: dict[str, tuple[str | None, str | None, str | None]] = {}
    number = 0
    place = 0
    values: list[Any] = []
    pending = ""
    pattern: re.Pattern[str] | None = None
    row_end = ""
    data_end = ""
    for chunk in chunks:
        pending += chunk
        if pattern is None:
            prefix = _prefix(pending[:4096])
            pattern = _tokens(prefix)
            row_end, data_end = f"</{prefix}row>", f"</{prefix}sheetData>"
        stop = pending.find(data_end)
        final = stop >= 0 or not chunk
        cut = stop if stop >= 0 else pending.rfind(row_end) + len(row_end)
        if not final and cut < len(row_end):
            if len(pending) > MAX_PENDING:
                raise XlsxError("a row too long")
            continue
        if final and stop < 0:
            cut = len(pending)
        for row_tag, letters, attrs, v, inline, other in pattern.findall(pending, 0, cut):
            if row_tag:
                if row_tag[1] == "/":
                    if values:
                        yield number, values
                        values = []
                    continue
                if values:  # a row never closed
                    yield number, values
                    values = []
                place = 0
                found = _ROW_R.search(row_tag)
                number = int(found.group(1)) if found else number + 1
                continue
            kind = style = None
            if attrs:
                cached = attrs_cache.get(attrs)
                if cached is None:
                    cached = _attributes(attrs)
                    if cached[2] is None and len(attrs_cache) < 10_000:
                        attrs_cache[attrs] = cached
                kind, style, ref = cached
                if ref is not None:
                    letters = ref
            if letters:  # a cell without a reference takes the place after the one before
                col = letters_cache.get(letters)
                if col is None:
                    col = letters_cache[letters] = column_index(letters)
            else:
                col = place
            place = col + 1
            if other:  # the uncommon forms: inline is then already decoded
                v, inline = _other(other)
            if kind is None or kind == "n":
                if not v:
                    continue
                if style in dates:
                    value: Any = serial_date(float(v))
                elif style in durations:
                    value = dt.timedelta(days=float(v))
                else:
                    value = float(v)
            elif kind == "s":
                if not v:
                    continue
                value = strings[int(v)]
            elif kind == "inlineStr":
                value = inline if other else text(inline)
                if not value and v:
                    value = text(v)
            elif kind == "str":
                value = text(v)
            elif kind == "b":
                value = v.strip() in ("1", "true")
            elif kind == "d":
                value = iso_date(v.strip()) if v else None
            else:  # "e": an error, named from the scan; anything else: nothing to read
                continue
            size = len(values)
            if col == size:
                values.append(value)
            elif col > size:
                values.extend([None] * (col - size))
                values.append(value)
            else:
                values[col] = value
        if final:
            break
        pending = pending[cut:]
    if values:
        yield number, values


def _attributes(attrs: str) -> tuple[str | None, str | None, str | None]:
    """A cell's ``(t, s, column letters of r)`` from its attributes' text."""
    found = dict(_ATTRIBUTE.findall(attrs))
    ref = found.get("r")
    letters = re.match(r"[A-Z]{1,3}", ref) if ref else None
    return found.get("t"), found.get("s"), letters.group(0) if letters else None


def _other(body: str) -> tuple[str, str]:
    """The ``<v>`` text and the inline string (decoded) of a cell written otherwise than the
    common forms (a formula, rich text, whitespace between elements)."""
    found = _VALUE.search(body)
    inline = _INLINE.search(body)
    return (found.group(1) if found else ""), (rich_text(inline.group(1)) if inline else "")
