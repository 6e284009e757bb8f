"""Writing tables to files: CSV and Excel workbooks (.xlsx), row by row.

Exports (the audit log, coverage) stream their rows through :func:`write` into any binary
file, so a job writes a million rows without holding them in memory. The xlsx writer is
our own and small: a workbook is a zip of XML parts (ECMA-376) of sheets of inline
strings and numbers (:func:`write_workbook`; an export writes one, a periodic report several) — no dependency, and cells are never formulas.

* Text cells that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@`` first)
  are written with a leading apostrophe in CSV (OWASP "CSV injection"); in xlsx every text
  is an inline string, which is never evaluated.
* Characters XML 1.0 cannot hold (control characters) are dropped from xlsx text.
* Datetimes are written in the platform's time zone (Asia/Shanghai), as Excel dates in
  xlsx and ``YYYY-MM-DD HH:MM:SS`` in CSV; shares (``percent``) as fractions shown as %.
"""

# ruff: noqa: E501  (the OOXML parts below keep one XML element per line, however long)
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Literal
from xml.sax.saxutils import escape

from django.utils import timezone

Kind = Literal["text", "int", "float", "percent", "datetime", "date", "bool"]


@dataclass(frozen=True)
class Column:
    """One column: its header (already in the reader's language), its kind and width."""

    label: str
    kind: Kind = "text"
    width: int = 16  # characters, for xlsx


@dataclass(frozen=True)
class Marked:
    """A cell value to be shown highlighted (an error report marks the faulty cells)."""

    value: Any


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    content_type: str
    write: Callable[[Sequence[Column], Iterable[Sequence[Any]], IO[bytes], str], int]


def _local(value: dt.datetime) -> dt.datetime:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


# --- CSV ---------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any, kind: Kind) -> str:
    if isinstance(value, Marked):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and kind != "text":
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(
    columns: Sequence[Column], rows: Iterable[Sequence[Any]], out: IO[bytes], sheet: str = ""
) -> int:
    """UTF-8 with a byte-order mark (so Excel reads Chinese), CRLF lines; returns the rows."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow([c.label for c in columns])
        n = 0
        for row in rows:
            writer.writerow([_csv_cell(v, c.kind) for v, c in zip(row, columns, strict=True)])
            n += 1
        text.flush()
    finally:
        text.detach()  # leave ``out`` open for the caller
    return n


# --- xlsx --------------------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = dt.datetime(1899, 12, 30)
MAX_CELL = 32767  # characters Excel keeps in a cell

# Style indexes in styles.xml's cellXfs, in this order.
_STYLES = {
    "text": 0,
    "header": 1,
    "percent": 2,
    "datetime": 3,
    "date": 4,
    "float": 5,
    "marked": 6,
    "marked_date": 7,
}

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
{sheets}
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""
_SHEET_TYPE = '<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'

_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""

# Sheet n is relationship rIdn; the styles come after the last sheet.
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
{sheets}
<Relationship Id="rId{styles}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
_SHEET_REL = '<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>'

_STYLES_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="4"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFE9EEF7"/><bgColor indexed="64"/></patternFill></fill><fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="8">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>
<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="0" fillId="3" borderId="0" xfId="0" applyFill="1"/>
<xf numFmtId="165" fontId="0" fillId="3" borderId="0" xfId="0" applyNumberFormat="1" applyFill="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value)[:MAX_CELL])


def _xlsx_cell(ref: str, value: Any, kind: Kind) -> str:
    if isinstance(value, Marked):
        return _marked_cell(ref, value.value)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.datetime):
        serial = (_local(value) - _EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="{_STYLES["datetime"]}"><v>{serial!r}</v></c>'
    if isinstance(value, dt.date):
        serial = (dt.datetime.combine(value, dt.time.min) - _EPOCH).days
        return f'<c r="{ref}" s="{_STYLES["date"]}"><v>{serial}</v></c>'
    if isinstance(value, (int, float)) and kind != "text":
        style = f' s="{_STYLES[kind]}"' if kind in ("percent", "float") else ""
        number = repr(float(value)) if isinstance(value, float) else str(value)
        return f'<c r="{ref}"{style}><v>{number}</v></c>'
    return (
        f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_text(str(value))}</t></is></c>'
    )


def _marked_cell(ref: str, value: Any) -> str:
    """A highlighted cell: a date stays a date, anything else is written as its text."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        serial = (dt.datetime.combine(value, dt.time.min) - _EPOCH).days
        return f'<c r="{ref}" s="{_STYLES["marked_date"]}"><v>{serial}</v></c>'
    text = "" if value is None else _text(str(value))
    return (
        f'<c r="{ref}" t="inlineStr" s="{_STYLES["marked"]}">'
        f'<is><t xml:space="preserve">{text}</t></is></c>'
    )


def _core_xml() -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>Xietong</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        "</cp:coreProperties>"
    )


def _sheet_name(name: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    clean = re.sub(r"[\[\]:*?/\\]", " ", name).strip() or "Sheet1"
    return clean[:31]


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its name, columns and rows (streamed).

    ``choices`` gives columns (by index) a drop-down list: the cells of rows 2 to
    ``choice_rows + 1`` accept only the values of a range such as ``'代码'!$A$2:$A$9``
    (Excel and WPS show the list and refuse other input). A ``hidden`` sheet holds such
    lists out of the user's way."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    choices: Mapping[int, str] = field(default_factory=dict)
    choice_rows: int = 10_000
    hidden: bool = False


def _validations(choices: Mapping[int, str], rows: int) -> str:
    if not choices:
        return ""
    items = "".join(
        '<dataValidation type="list" allowBlank="1" showErrorMessage="1" '
        f'sqref="{column_letter(i)}2:{column_letter(i)}{rows + 1}">'
        f"<formula1>{escape(source)}</formula1></dataValidation>"
        for i, source in sorted(choices.items())
    )
    return f'<dataValidations count="{len(choices)}">{items}</dataValidations>'


def _write_sheet(
    part: IO[bytes],
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    choices: Mapping[int, str] | None = None,
    choice_rows: int = 0,
) -> int:
    """A sheet's XML: a bold header row (frozen, with filters), then one row per item."""
    letters = [column_letter(i) for i in range(len(columns))]
    cols = "".join(
        f'<col min="{i + 1}" max="{i + 1}" width="{c.width}" customWidth="1"/>'
        for i, c in enumerate(columns)
    )
    header = "".join(
        f'<c r="{letters[i]}1" t="inlineStr" s="{_STYLES["header"]}">'
        f'<is><t xml:space="preserve">{_text(c.label)}</t></is></c>'
        for i, c in enumerate(columns)
    )
    part.write(
        (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            f"<cols>{cols}</cols><sheetData>"
            f'<row r="1">{header}</row>'
        ).encode()
    )
    n = 0
    for row in rows:
        r = n + 2
        cells = "".join(
            _xlsx_cell(f"{letters[i]}{r}", v, c.kind)
            for i, (v, c) in enumerate(zip(row, columns, strict=True))
        )
        part.write(f'<row r="{r}">{cells}</row>'.encode())
        n += 1
    last = f"{letters[-1]}{n + 1}" if letters else "A1"
    validations = _validations(choices or {}, max(choice_rows, n))
    part.write(f'</sheetData><autoFilter ref="A1:{last}"/>{validations}</worksheet>'.encode())
    return n


def write_workbook(sheets: Iterable[Sheet], out: IO[bytes]) -> list[int]:
    """A workbook of several sheets, each written as :func:`write_xlsx` writes one; returns
    the rows of each. Sheet names are cleaned to Excel's rules and made unique."""
    written: list[int] = []
    entries: list[str] = []
    names: list[str] = []
    filters: list[str] = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("docProps/core.xml", _core_xml())
        zf.writestr("xl/styles.xml", _STYLES_XML)
        for index, sheet in enumerate(sheets):
            n = index + 1
            with zf.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as part:
                rows = _write_sheet(
                    part, sheet.columns, sheet.rows, sheet.choices, sheet.choice_rows
                )
            written.append(rows)
            name = _sheet_name(sheet.name)
            base, k = name, 2
            while name.lower() in (x.lower() for x in names):
                suffix = f" ({k})"
                name, k = base[: 31 - len(suffix)] + suffix, k + 1
            names.append(name)
            quoted = escape(name.replace("'", "''"))
            last = column_letter(len(sheet.columns) - 1) if sheet.columns else "A"
            state = ' state="hidden"' if sheet.hidden else ""
            entries.append(
                f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{n}"{state} '
                f'r:id="rId{n}"/>'
            )
            filters.append(
                f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
                f"'{quoted}'!$A$1:${last}${rows + 1}</definedName>"
            )
        count = len(written)
        # Written last: they name every sheet, and the filters need the number of rows.
        zf.writestr(
            "[Content_Types].xml",
            _CONTENT_TYPES.format(
                sheets="\n".join(_SHEET_TYPE.format(n=n) for n in range(1, count + 1))
            ),
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            _WORKBOOK_RELS.format(
                sheets="\n".join(_SHEET_REL.format(n=n) for n in range(1, count + 1)),
                styles=count + 1,
            ),
        )
        zf.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{''.join(entries)}</sheets>"
            f"<definedNames>{''.join(filters)}</definedNames></workbook>",
        )
    return written


def write_xlsx(
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    out: IO[bytes],
    sheet: str = "Sheet1",
) -> int:
    """One sheet: a bold header row (frozen, with filters), then one row per item."""
    return write_workbook([Sheet(sheet, columns, rows)], out)[0]


XLSX = Format(
    "xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write_xlsx
)
CSV = Format("csv", "csv", "text/csv; charset=utf-8", write_csv)
FORMATS: dict[str, Format] = {f.name: f for f in (XLSX, CSV)}


def write(
    fmt: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    out: IO[bytes],
    sheet: str = "Sheet1",
) -> int:
    """Write the table in ``fmt`` (a key of :data:`FORMATS`); returns how many rows."""
    return FORMATS[fmt].write(columns, rows, out, sheet)
