"""Reading table files: xlsx, xls and CSV, row by row, with headers matched to columns.

:func:`open_table` looks at a file's bytes (never its name) to tell its format, refuses what
is not a table — a renamed PDF, an image, a Word document, a damaged or half-written
workbook, a zip bomb, a file over the size limit — with a :class:`TableError` naming the
fault, finds the header row (title rows above it are allowed), matches headers to
:class:`Column` specs by name or alias in any order, and returns a :class:`Table` whose
:attr:`Table.rows` yields :class:`Row` objects one at a time, each value normalised to its
column's kind and each bad cell named in :attr:`Row.problems`.

xlsx workbooks are read by our own streaming reader (:mod:`xietong.transfer.xlsx`: the
sheet's XML tokenized chunk by chunk, so memory stays bounded whatever the number of rows;
cached values of formulas; a formula never calculated and an error cell such as ``#N/A``
named); xls workbooks (at most 65,536 rows) with python-calamine. Cell values are converted
by :mod:`xietong.transfer.cells`. CSV is UTF-8 (with or without a byte-order mark),
UTF-16 with a byte-order mark, or GBK/GB18030, with comma, tab or semicolon delimiters.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import IO, Any, Literal
from xml.etree import ElementTree

import python_calamine
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core.errors import InvalidInput
from xietong.core.tables import column_letter
from xietong.transfer import xlsx
from xietong.transfer.cells import (
    Kind,
    Value,
    cell_text,
    convert,
    header_keys,
    is_blank,
    normalise_header,
)
from xietong.transfer.xlsx import MAX_CELL_PROBLEMS

__all__ = [
    "Column",
    "Found",
    "Kind",
    "Row",
    "Table",
    "TableError",
    "Value",
    "convert",
    "normalise_header",
    "open_table",
]

MAX_BYTES = 160 * 2**20  # a province's staff roster as xlsx is about 100 MB
MAX_ROWS = 2_000_000
MAX_UNPACKED = 2 * 2**30  # total uncompressed size of an xlsx's parts
MAX_RATIO = 200  # uncompressed / compressed, for parts over RATIO_FLOOR
RATIO_FLOOR = 2**20
MAX_PARTS = 10_000
HEADER_SEARCH = 10  # rows in which the header row is looked for
SAMPLE = 64 * 1024  # bytes read to tell the format and the CSV encoding

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class TableError(InvalidInput):
    """A file-level fault: the file cannot be read as a table at all."""

    code = "bad_table"

    def default_message(self) -> object:
        return gettext_lazy("The file could not be read as a table.")


@dataclass(frozen=True)
class Column:
    """An expected column: its key, its Chinese header, other names it may carry."""

    key: str
    header: str
    aliases: Sequence[str] = ()
    required: bool = False
    kind: Kind = "text"


@dataclass(frozen=True)
class Found:
    """A header of the file matched to a column (``index`` is the 0-based sheet column)."""

    key: str
    header: str
    index: int


@dataclass
class Row:
    """One data row: its 1-based row number as the user sees it, values, and problems."""

    number: int
    values: dict[str, Value]
    problems: list[tuple[str, str]] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)  # the text of cells that did not convert


@dataclass
class Table:
    """What was read: the format and where the data sits; :attr:`rows` yields the rows."""

    name: str
    format: Literal["xlsx", "xls", "csv"]
    encoding: str | None
    sheet: str | None
    header_row: int
    columns: list[Found]
    unknown: list[str]
    rows: Iterator[Row]
    merged: list[str] = field(default_factory=list)  # merged ranges above the header


# --- telling the format --------------------------------------------------------------------

_SIGNATURES: list[tuple[bytes, Any]] = [
    (
        b"%PDF",
        gettext_lazy("This is a PDF document, not a table; upload an xlsx, xls or CSV file."),
    ),
    (b"\x89PNG", gettext_lazy("This is an image, not a table; upload an xlsx, xls or CSV file.")),
    (
        b"\xff\xd8\xff",
        gettext_lazy("This is an image, not a table; upload an xlsx, xls or CSV file."),
    ),
    (b"GIF8", gettext_lazy("This is an image, not a table; upload an xlsx, xls or CSV file.")),
    (b"BM", None),  # checked below: too short a signature to trust alone
    (b"Rar!", gettext_lazy("This is a compressed archive; unpack it and upload the table inside.")),
    (
        b"7z\xbc\xaf",
        gettext_lazy("This is a compressed archive; unpack it and upload the table inside."),
    ),
    (
        b"\x1f\x8b",
        gettext_lazy("This is a compressed archive; unpack it and upload the table inside."),
    ),
]


def _size(fileobj: IO[bytes]) -> int:
    """The file's size from seeking to its end (nothing is read)."""
    here = fileobj.tell()
    end = fileobj.seek(0, os.SEEK_END)
    fileobj.seek(here)
    return end


def _megabytes(n: int) -> str:
    """A size as people say it: "200 MB", "12 KB"."""
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{max(n // 1024, 1)} KB"


def _refuse_other(sample: bytes) -> None:
    """Refuse files whose first bytes say they are something other than a table."""
    for magic, message in _SIGNATURES:
        if message is not None and sample.startswith(magic):
            raise TableError(message)
    head = sample[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table")):
        raise TableError(
            _(
                "This is a web page saved under a spreadsheet name; open it in Excel or WPS "
                "and save it as .xlsx."
            )
        )
    if head.startswith(b"<?xml"):
        raise TableError(_("This is an XML file; open it in Excel or WPS and save it as .xlsx."))


def open_table(
    fileobj: IO[bytes],
    name: str,
    columns: Sequence[Column],
    *,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    max_unpacked: int = MAX_UNPACKED,
    max_ratio: float = MAX_RATIO,
) -> Table:
    """Open ``fileobj`` (binary, seekable) as a table of ``columns``.

    ``name`` (the uploaded file's name) is kept in the :class:`Table`, never used to tell
    the format. Raises :class:`TableError` for a file-level fault, also while iterating
    the rows (a CSV longer than ``max_rows``, undecodable text further down)."""
    size = _size(fileobj)
    if size > max_bytes:
        raise TableError(
            _("The file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": _megabytes(size), "limit": _megabytes(max_bytes)}
        )
    if size == 0:
        raise TableError(_("The file is empty."))
    fileobj.seek(0)
    sample = fileobj.read(SAMPLE)
    fileobj.seek(0)
    if sample.startswith(OLE2):
        return _open_xls(fileobj, name, columns, max_rows)
    if sample.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _open_xlsx(fileobj, name, columns, max_rows, max_unpacked, max_ratio)
    _refuse_other(sample)
    return _open_csv(fileobj, name, sample, columns, max_rows)


# --- xlsx: the zip's central directory --------------------------------------------------------

_DAMAGE = (
    zipfile.BadZipFile,
    OSError,
    EOFError,
    zlib.error,
    ElementTree.ParseError,
    KeyError,
    IndexError,
    ValueError,
    UnicodeDecodeError,
    xlsx.XlsxError,
)


def _damaged() -> TableError:
    return TableError(
        _(
            "The workbook is damaged or incomplete (perhaps not fully uploaded or saved); "
            "save it again in Excel or WPS and upload it again."
        )
    )


def _check_zip(fileobj: IO[bytes], max_unpacked: int, max_ratio: float) -> zipfile.ZipFile:
    """The workbook's zip, once it is known to be a safe xlsx (the caller closes it)."""
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _damaged() from None
    try:
        _refuse_zip(archive, max_unpacked, max_ratio)
    except BaseException:
        archive.close()
        raise
    return archive


def _refuse_zip(archive: zipfile.ZipFile, max_unpacked: int, max_ratio: float) -> None:
    infos = archive.infolist()
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise TableError(
                _("This is a Word document, not a table; upload an xlsx, xls or CSV file.")
            )
        if any(n.startswith("ppt/") for n in names):
            raise TableError(
                _("This is a PowerPoint file, not a table; upload an xlsx, xls or CSV file.")
            )
        if "xl/workbook.bin" in names:
            raise TableError(
                _("This is a binary workbook (.xlsb); save it as .xlsx and upload it again.")
            )
        if "content.xml" in names:
            raise TableError(
                _("This is an OpenDocument file; save it as .xlsx and upload it again.")
            )
        raise TableError(
            _("This is a zip archive, not a workbook; upload an xlsx, xls or CSV file.")
        )
    total = sum(i.file_size for i in infos)
    bomb = (
        len(infos) > MAX_PARTS
        or total > max_unpacked
        or any(
            i.file_size > RATIO_FLOOR and i.file_size > max_ratio * max(i.compress_size, 1)
            for i in infos
        )
    )
    if bomb:
        raise TableError(
            _(
                "The workbook would unpack to %(size)s or is compressed beyond any real "
                "spreadsheet; it was refused as unsafe."
            )
            % {"size": _megabytes(total)}
        )


# --- sheets: what both Excel readers give --------------------------------------------------


@dataclass
class _Sheet:
    """A sheet as the table reader needs it, whichever library read it: its rows with
    their 1-based numbers (values from column ``first_col``), the number of its last row,
    its merged ranges (0-based), and its cells with a formula never calculated or an error."""

    name: str
    rows: Iterator[tuple[int, Sequence[Any]]]
    first_col: int
    last_row: int
    merged: list[tuple[tuple[int, int], tuple[int, int]]]
    cells: dict[tuple[int, int], str] = field(default_factory=dict)
    truncated: bool = False


def _range_name(start: tuple[int, int], end: tuple[int, int]) -> str:
    return f"{column_letter(start[1])}{start[0] + 1}:{column_letter(end[1])}{end[0] + 1}"


def _first_readable(
    name: str,
    fmt: Literal["xlsx", "xls"],
    sheets: Iterator[_Sheet],
    columns: Sequence[Column],
    max_rows: int,
) -> Table:
    """The first sheet that reads wins (a template's instructions sheet may come first);
    otherwise the fault of the sheet that came closest: a header row found but wrong,
    then no header row, then empty."""
    faults: list[tuple[int, TableError]] = []
    for sheet in sheets:
        try:
            return _sheet_table(name, fmt, sheet, columns, max_rows)
        except _NoHeader as fault:
            faults.append((fault.rank, fault.error))
        except TableError as error:
            faults.append((3, error))
    if not faults:
        raise TableError(_("The file is empty."))
    raise max(faults, key=lambda f: f[0])[1]


class _NoHeader(Exception):
    """This sheet cannot be read (another sheet may be); ``rank`` says how close it came:
    1 empty, 2 no header row, 4 a header row with every required column."""

    def __init__(self, error: TableError, *, rank: int = 2):
        self.error = error
        self.rank = rank


def _sheet_table(
    name: str,
    fmt: Literal["xlsx", "xls"],
    sheet: _Sheet,
    columns: Sequence[Column],
    max_rows: int,
) -> Table:
    """The table of a sheet: its header among the first rows from the first one that holds
    a value, then its data rows."""
    rows = sheet.rows
    first = next((r for r in rows if any(not is_blank(v) for v in r[1])), None)
    if first is None:
        raise _NoHeader(TableError(_("The file is empty.")), rank=1)
    start = first[0]
    head: list[Sequence[Any]] = [first[1]]
    after: tuple[int, Sequence[Any]] | None = None
    for number, values in rows:
        if number >= start + HEADER_SEARCH:
            after = (number, values)
            break
        head.extend([] for _ in range(number - start - len(head)))  # rows with no cells
        head.append(values)
    header_at, found, unknown = _find_header(head, columns, sheet.first_col)
    header_row = start + header_at
    try:
        data_rows = sheet.last_row - header_row
        if data_rows > max_rows:
            raise TableError(
                _("The sheet has %(count)s rows; at most %(limit)s can be imported at once.")
                % {"count": data_rows, "limit": max_rows}
            )
        merged = []
        for (r0, c0), (r1, c1) in sheet.merged:
            if r1 + 1 >= header_row:
                raise TableError(
                    _(
                        "The sheet has merged cells at %(range)s; unmerge them and fill in "
                        "every cell, so that each row stands on its own."
                    )
                    % {"range": _range_name((r0, c0), (r1, c1))}
                )
            merged.append(_range_name((r0, c0), (r1, c1)))
        if sheet.truncated:
            raise TableError(
                _(
                    "More than %(count)s cells hold formulas that were never calculated or "
                    "errors such as #N/A; open the file in Excel or WPS, correct them and save "
                    "it again."
                )
                % {"count": MAX_CELL_PROBLEMS}
            )

        def numbered() -> Iterator[tuple[int, Sequence[Any]]]:
            yield from enumerate(head[header_at + 1 :], start=header_row + 1)
            if after is not None:
                yield after
                yield from rows

        rows_out = _rows(numbered(), found, columns, sheet.first_col, sheet.cells)
        _peek_or_refuse(rows_out)
    except TableError as error:
        raise _NoHeader(error, rank=4) from None
    return Table(
        name=name,
        format=fmt,
        encoding=None,
        sheet=sheet.name,
        header_row=header_row,
        columns=found,
        unknown=unknown,
        rows=rows_out.iterator(),
        merged=merged,
    )


# --- xlsx: our streaming reader -------------------------------------------------------------


def _open_xlsx(
    fileobj: IO[bytes],
    name: str,
    columns: Sequence[Column],
    max_rows: int,
    max_unpacked: int,
    max_ratio: float,
) -> Table:
    archive = _check_zip(fileobj, max_unpacked, max_ratio)
    try:
        try:
            workbook = xlsx.read_workbook(archive)
            strings = xlsx.read_strings(archive, workbook.strings_part)
            styles = xlsx.read_styles(archive, workbook.styles_part)
        except _DAMAGE:
            raise _damaged() from None
        shown = [s for s in workbook.sheets if s.visible and s.worksheet]
        table = _first_readable(
            name, "xlsx", _xlsx_sheets(archive, shown, strings, styles), columns, max_rows
        )
    except BaseException:
        archive.close()
        raise
    table.rows = _closing(table.rows, archive)
    return table


def _xlsx_sheets(
    archive: zipfile.ZipFile,
    shown: Sequence[xlsx.SheetInfo],
    strings: xlsx.SharedStrings,
    styles: xlsx.Styles,
) -> Iterator[_Sheet]:
    for info in shown:
        try:
            scan = xlsx.scan_sheet(archive, info.part)
        except _DAMAGE:
            raise _damaged() from None
        rows = _guarded(xlsx.sheet_rows(archive, info.part, strings, styles), archive)
        yield _Sheet(
            name=info.name,
            rows=rows,
            first_col=0,
            last_row=scan.last_row,
            merged=scan.merged,
            cells=scan.cells,
            truncated=scan.truncated,
        )


def _guarded(
    rows: Iterator[tuple[int, list[Any]]], archive: zipfile.ZipFile
) -> Iterator[tuple[int, list[Any]]]:
    """The rows, a fault of the zip or the XML found on the way raised as a damaged
    workbook."""
    try:
        yield from rows
    except _DAMAGE:
        archive.close()
        raise _damaged() from None


def _closing(rows: Iterator[Row], archive: zipfile.ZipFile) -> Iterator[Row]:
    """The table's rows; the archive is closed after the last one."""
    try:
        yield from rows
    finally:
        archive.close()


# --- xls: python-calamine -------------------------------------------------------------------


def _real_path(fileobj: IO[bytes]) -> str | None:
    """The path of the file on disk, when ``fileobj`` is one (calamine then reads it there)."""
    temporary = getattr(fileobj, "temporary_file_path", None)
    if callable(temporary):
        return str(temporary())
    path = getattr(fileobj, "name", None)
    try:
        if isinstance(path, str) and os.path.samestat(os.fstat(fileobj.fileno()), os.stat(path)):
            return path
    except (OSError, AttributeError, io.UnsupportedOperation):
        pass
    return None


def _open_xls(fileobj: IO[bytes], name: str, columns: Sequence[Column], max_rows: int) -> Table:
    try:
        path = _real_path(fileobj)
        workbook = (
            python_calamine.CalamineWorkbook.from_path(path)
            if path
            else python_calamine.CalamineWorkbook.from_filelike(fileobj)
        )
    except python_calamine.PasswordError:
        raise TableError(
            _("The workbook is protected by a password; remove the password and upload it again.")
        ) from None
    except (python_calamine.CalamineError, OSError, ValueError):
        if _encrypted_ooxml(fileobj):
            raise TableError(
                _(
                    "The workbook is protected by a password; remove the password and upload it "
                    "again."
                )
            ) from None
        raise TableError(
            _(
                "The file is not an Excel 97–2003 workbook that can be read (perhaps a Word "
                "document or a damaged file); save it as .xlsx and upload it again."
            )
        ) from None
    shown = [
        (i, meta.name)
        for i, meta in enumerate(workbook.sheets_metadata)
        if meta.visible == python_calamine.SheetVisibleEnum.Visible
        and meta.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]

    def sheets() -> Iterator[_Sheet]:
        for index, sheet_name in shown:
            try:
                sheet = workbook.get_sheet_by_index(index)
            except python_calamine.CalamineError:
                raise _damaged() from None
            first_row, first_col = sheet.start or (0, 0)
            yield _Sheet(
                name=sheet_name,
                rows=(
                    (first_row + offset + 1, row) for offset, row in enumerate(sheet.iter_rows())
                ),
                first_col=first_col,
                last_row=first_row + sheet.height,
                merged=list(sheet.merged_cell_ranges or []),
            )

    return _first_readable(name, "xls", sheets(), columns, max_rows)


def _encrypted_ooxml(fileobj: IO[bytes]) -> bool:
    """An xlsx under a password is an OLE2 file with an ``EncryptionInfo`` stream."""
    fileobj.seek(0)
    marker = "EncryptionInfo".encode("utf-16-le")
    tail = b""
    while chunk := fileobj.read(1 << 20):
        if marker in tail + chunk:
            return True
        tail = chunk[-len(marker) :]
    return False


# --- headers ---------------------------------------------------------------------------------


def _find_header(
    head: Sequence[Sequence[Any]], columns: Sequence[Column], first_col: int
) -> tuple[int, list[Found], list[str]]:
    """The header row among the first rows: the first one naming at least half of the
    required columns (or any column, when none is required)."""
    if not any(any(not is_blank(v) for v in row) for row in head):
        raise _NoHeader(TableError(_("The file is empty.")), rank=1)
    names: dict[str, Column] = {}
    for column in columns:
        for text in (column.header, column.key, *column.aliases):
            names.setdefault(normalise_header(text), column)
    required = [c for c in columns if c.required]
    for at, row in enumerate(head):
        matched = {c.key for v in row if (c := _lookup(v, names)) is not None}
        hits = len([c for c in required if c.key in matched]) if required else len(matched)
        if hits and (not required or hits * 2 >= len(required)):
            return (at, *_match_headers(row, names, required, first_col))
    expected = "、".join(c.header for c in (required or columns)[:6])
    raise _NoHeader(
        TableError(
            _(
                "No header row was found in the first %(count)s rows; the headers expected "
                "include %(headers)s."
            )
            % {"count": HEADER_SEARCH, "headers": expected}
        )
    )


def _lookup(value: Any, names: dict[str, Column]) -> Column | None:
    """The column a header cell names, if any."""
    if is_blank(value):
        return None
    return next((names[k] for k in header_keys(value) if k in names), None)


def _match_headers(
    row: Sequence[Any], names: dict[str, Column], required: Sequence[Column], first_col: int
) -> tuple[list[Found], list[str]]:
    found: list[Found] = []
    unknown: list[str] = []
    seen: dict[str, str] = {}
    for i, value in enumerate(row):
        if is_blank(value):
            continue
        text = cell_text(value)
        column = _lookup(value, names)
        if column is None:
            unknown.append(text)
            continue
        if column.key in seen:
            raise TableError(
                _(
                    "The headers “%(first)s” and “%(second)s” both name the column "
                    "“%(column)s”; keep only one of them."
                )
                % {"first": seen[column.key], "second": text, "column": column.header}
                if seen[column.key] != text
                else _("The header “%(header)s” appears more than once; keep only one of them.")
                % {"header": text}
            )
        seen[column.key] = text
        found.append(Found(column.key, text, first_col + i))
    missing = [c.header for c in required if c.key not in seen]
    if missing:
        raise TableError(
            _("Required columns are missing: %(headers)s.") % {"headers": "、".join(missing)}
        )
    return found, unknown


# --- rows ------------------------------------------------------------------------------------


class _Rows:
    """The data rows, with the first one read ahead (to tell a headers-only file)."""

    def __init__(self, source: Iterator[Row]):
        self.source = source
        self.first: Row | None = None

    def iterator(self) -> Iterator[Row]:
        if self.first is not None:
            yield self.first
        yield from self.source


def _peek_or_refuse(rows: _Rows) -> None:
    rows.first = next(rows.source, None)
    if rows.first is None:
        raise TableError(_("The file has a header row but no data rows."))


def _rows(
    numbered: Iterator[tuple[int, Sequence[Any]]],
    found: Sequence[Found],
    columns: Sequence[Column],
    first_col: int,
    cells: dict[tuple[int, int], str],
) -> _Rows:
    spec = {c.key: c for c in columns}
    plan = [(f.key, f.index - first_col, spec[f.key]) for f in found]
    formula = _(
        "The formula in this cell has no calculated value; open the file in Excel or WPS "
        "and save it again."
    )
    error = _("This cell holds an error (such as #N/A or #DIV/0!); correct it.")
    required = _("This column must be filled in.")

    def generate() -> Iterator[Row]:
        for number, raw in numbered:
            if all(v is None or (type(v) is str and not v.strip()) for v in raw):
                continue
            values: dict[str, Value] = {}
            problems: list[tuple[str, str]] = []
            texts: dict[str, str] = {}
            for key, at, column in plan:
                cell = raw[at] if at < len(raw) else None
                value, problem = convert(cell, column.kind)
                values[key] = value
                fault = cells.get((number - 1, first_col + at)) if cells else None
                if fault:
                    problems.append((key, formula if fault == "formula" else error))
                elif problem:
                    problems.append((key, problem))
                    texts[key] = cell_text(cell)
                elif value is None and column.required:
                    problems.append((key, required))
            yield Row(number, values, problems, texts)

    return _Rows(generate())


# --- CSV -------------------------------------------------------------------------------------


class _Borrowed(io.RawIOBase):
    """The caller's file, read through a text wrapper that must not close it."""

    def __init__(self, fileobj: IO[bytes]):
        self.fileobj = fileobj

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.fileobj.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _encoding(sample: bytes) -> str:
    """The text encoding of a CSV from its first bytes."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > len(odd) * 0.4 and even.count(0) < len(even) * 0.1:
            return "utf-16-le"
        if even.count(0) > len(even) * 0.4 and odd.count(0) < len(odd) * 0.1:
            return "utf-16-be"
        raise TableError(
            _("The file is not a spreadsheet or a CSV text file; upload an xlsx, xls or CSV file.")
        )
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=len(sample) < SAMPLE)
            return encoding
        except UnicodeDecodeError:
            continue
    raise TableError(
        _("The text of the file is in an unknown encoding; save it as UTF-8 CSV or as .xlsx.")
    )


def _delimiter(text: str) -> str:
    """Comma, tab or semicolon: the one that splits the first lines most consistently."""
    lines = text.splitlines()[:20]
    best, best_score = ",", 0
    for delimiter in (",", "\t", ";"):
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delimiter) if r]
        except csv.Error:
            continue
        wide = [n for n in counts if n > 1]
        if not wide:
            continue
        mode = max(set(wide), key=wide.count)
        score = wide.count(mode) * mode
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _open_csv(
    fileobj: IO[bytes], name: str, sample: bytes, columns: Sequence[Column], max_rows: int
) -> Table:
    encoding = _encoding(sample)
    try:
        preview = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
    except UnicodeDecodeError:
        raise TableError(
            _("The text of the file is in an unknown encoding; save it as UTF-8 CSV or as .xlsx.")
        ) from None
    fileobj.seek(0)
    text = io.TextIOWrapper(
        io.BufferedReader(_Borrowed(fileobj)), encoding=encoding, newline="", errors="strict"
    )
    if not preview.strip():
        raise TableError(_("The file is empty."))
    reader = csv.reader(text, delimiter=_delimiter(preview))
    shown = "gb18030" if encoding == "gb18030" else encoding

    def records() -> Iterator[list[str]]:
        number = 0
        try:
            for record in reader:
                number += 1
                yield record
        except UnicodeDecodeError:
            raise TableError(
                _("The text after row %(row)s is not in the file's encoding (%(encoding)s).")
                % {"row": number, "encoding": shown}
            ) from None
        except csv.Error:
            raise TableError(
                _("Row %(row)s is not valid CSV (perhaps an unclosed quotation mark).")
                % {"row": number + 1}
            ) from None

    source = records()
    head = []
    for record in source:
        head.append(record)
        if len(head) == HEADER_SEARCH:
            break
    try:
        header_at, found, unknown = _find_header(head, columns, 0)
    except _NoHeader as error:
        raise error.error from None

    def numbered() -> Iterator[tuple[int, Sequence[Any]]]:
        for number, record in enumerate(chain(head[header_at + 1 :], source), header_at + 2):
            if number - header_at - 1 > max_rows:
                raise TableError(
                    _(
                        "The file has more than %(limit)s rows; at most %(limit)s can be "
                        "imported at once."
                    )
                    % {"limit": max_rows}
                )
            yield number, record

    rows_out = _rows(numbered(), found, columns, 0, {})
    _peek_or_refuse(rows_out)
    return Table(
        name=name,
        format="csv",
        encoding=shown,
        sheet=None,
        header_row=header_at + 1,
        columns=found,
        unknown=unknown,
        rows=rows_out.iterator(),
    )
