"""Tables written to CSV and xlsx row by row: what a spreadsheet reads back, and what it
must never run (formulas) or choke on (control characters)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from xietong.core import tables
from xietong.core.tables import Column

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
COLUMNS = [
    Column("单位", "text"),
    Column("Teachers", "int"),
    Column("Share", "percent"),
    Column("At", "datetime"),
]


def _cells(content: bytes) -> list[list[tuple[str, str | None, str | None]]]:
    """(type, style, text) of every cell of the first sheet, row by row."""
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        assert zf.testzip() is None
        names = set(zf.namelist())
        assert {"[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml"} <= names
        sheet = ElementTree.fromstring(zf.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{{{NS['m']}}}row"):
        cells = []
        for c in row:
            text = "".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t"))
            value = c.find("m:v", NS)
            cells.append(
                (c.get("t", "n"), c.get("s"), text or (value.text if value is not None else ""))
            )
        rows.append(cells)
    return rows


def test_it_writes_an_xlsx_sheet_with_a_header_numbers_shares_and_local_times():
    at = dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC)  # 00:30 on 1 December in Beijing
    out = io.BytesIO()
    n = tables.write_xlsx(COLUMNS, iter([["三河市实验小学", 27, 0.1111, at]]), out, "覆盖率")
    assert n == 1
    header, row = _cells(out.getvalue())
    assert [c[2] for c in header] == ["单位", "Teachers", "Share", "At"]
    assert all(c[1] == "1" for c in header)  # the bold header style
    assert row[0] == ("inlineStr", None, "三河市实验小学")
    assert row[1] == ("n", None, "27")
    assert row[2][1] == "2" and float(row[2][2]) == pytest.approx(0.1111)  # shown as %
    serial = float(row[3][2])
    local = dt.datetime(1899, 12, 30) + dt.timedelta(days=serial)
    assert local.replace(microsecond=0) == dt.datetime(2026, 12, 1, 0, 30)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        assert 'name="覆盖率"' in zf.read("xl/workbook.xml").decode()


def test_it_never_writes_a_formula_into_a_workbook_and_drops_control_characters():
    out = io.BytesIO()
    tables.write_xlsx([Column("x")], [['=HYPERLINK("http://evil")'], ["a\x00b\x07c"]], out)
    _header, formula, control = _cells(out.getvalue())
    assert formula[0][0] == "inlineStr" and formula[0][2].startswith("=HYPERLINK")
    assert control[0][2] == "abc"
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(out.getvalue())).read(
        "xl/worksheets/sheet1.xml"
    )


def test_it_writes_a_csv_that_excel_reads_as_utf8_with_formulas_defused():
    at = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 5))
    out = io.BytesIO()
    rows = [["=cmd|' /C calc'!A0", 3, 0.5, at], ["李三河", None, 0.0, None]]
    assert tables.write_csv(COLUMNS, rows, out) == 2
    raw = out.getvalue()
    assert raw.startswith("\ufeff".encode())
    parsed = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert parsed[0] == ["单位", "Teachers", "Share", "At"]
    assert parsed[1] == ["'=cmd|' /C calc'!A0", "3", "0.5", "2026-12-01 09:05:00"]
    assert parsed[2] == ["李三河", "", "0.0", ""]
    assert not out.closed  # the caller's file stays open


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_csv_cell_starting_as_a_formula_would_is_written_as_text(start):
    out = io.BytesIO()
    tables.write_csv([Column("x"), Column("n", "int")], [[f"{start}1+1", -5]], out)
    parsed = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert parsed[1] == [f"'{start}1+1", "-5"]  # numbers are numbers, not text to defuse


def test_it_streams_rows_from_a_generator_and_counts_them():
    def rows():
        for i in range(2500):
            yield [f"school {i}", i, i / 2500, None]

    for fmt in ("xlsx", "csv"):
        assert tables.write(fmt, COLUMNS, rows(), io.BytesIO()) == 2500


def test_it_names_columns_past_z_as_a_spreadsheet_does():
    assert [tables.column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]
