"""Writing tables to files: CSV and Excel workbooks (.xlsx), row by row.

Exports (the audit log, coverage) stream their rows through :func:`write` into any binary
file, so a job writes a million rows without holding them in memory. The xlsx writer is
our own and small: a workbook is a zip of XML parts (ECMA-376), and one sheet of inline
strings and numbers is all an export needs — no dependency, and cells are never formulas.

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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
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
_STYLES = {"text": 0, "header": 1, "percent": 2, "datetime": 3, "date": 4, "float": 5}

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""

_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""

_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""

_STYLES_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFE9EEF7"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="6">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>
<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


def _column_letter(index: int) -> str:
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


def write_xlsx(
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    out: IO[bytes],
    sheet: str = "Sheet1",
) -> int:
    """One sheet: a bold header row (frozen, with filters), then one row per item."""
    letters = [_column_letter(i) for i in range(len(columns))]
    n = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("docProps/core.xml", _core_xml())
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/styles.xml", _STYLES_XML)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
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
            for row in rows:
                r = n + 2
                cells = "".join(
                    _xlsx_cell(f"{letters[i]}{r}", v, c.kind)
                    for i, (v, c) in enumerate(zip(row, columns, strict=True))
                )
                part.write(f'<row r="{r}">{cells}</row>'.encode())
                n += 1
            last = f"{letters[-1]}{n + 1}" if letters else "A1"
            part.write(f'</sheetData><autoFilter ref="A1:{last}"/></worksheet>'.encode())
        # Written last: the filter's defined name needs the number of rows.
        name = _sheet_name(sheet)
        quoted = escape(name.replace("'", "''"))
        span = f"$A$1:${letters[-1] if letters else 'A'}${n + 1}"
        zf.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/>'
            "</sheets><definedNames>"
            '<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
            f"'{quoted}'!{span}</definedName></definedNames></workbook>",
        )
    return n


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
