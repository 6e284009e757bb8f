"""The streaming xlsx reader: the cell types and forms other writers than ours use (shared
and rich strings, booleans, date styles, cells without references, skipped rows), read the
same by the fast path (the numba kernel) and by the regular-expression path (a sheet with
prefixed elements), and across chunk boundaries."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from django.utils import translation

from xietong.core import tables
from xietong.transfer import xlsx
from xietong.transfer.reading import Column, TableError, open_table

COLUMNS = [
    Column("name", "姓名", required=True),
    Column("id_number", "身份证号", required=True, kind="code"),
    Column("birth", "出生日期", kind="date"),
    Column("years", "教龄", kind="int"),
    Column("note", "备注"),
]

HEADER = (
    '<row r="1">'
    + "".join(
        f'<c r="{col}1" t="inlineStr"><is><t>{text}</t></is></c>'
        for col, text in zip("ABCDE", ["姓名", "身份证号", "出生日期", "教龄", "备注"], strict=True)
    )
    + "</row>"
)

STYLES = """<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="3">
<numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>
<numFmt numFmtId="165" formatCode="0&quot;天&quot;"/>
<numFmt numFmtId="166" formatCode="[h]:mm"/>
</numFmts>
<cellXfs count="5">
<xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/>
</cellXfs>
</styleSheet>"""

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def prefixed(sheet: str) -> str:
    """The same sheet with every element in the ``x:`` prefix (the regex path)."""
    sheet = sheet.replace(f'<worksheet xmlns="{MAIN}">', f'<x:worksheet xmlns:x="{MAIN}">')
    sheet = sheet.replace("</worksheet>", "</x:worksheet>")
    return re.sub(
        r"<(/?)(sheetData|row|c|v|f|is|t|r|rPr|b|rPh|mergeCells|mergeCell)\b", r"<\1x:\2", sheet
    )


def workbook(rows: str, strings: list[str] | None = None, *, prefix: bool = False) -> bytes:
    """A hand-written workbook of one sheet: the header row, then ``rows`` (XML)."""
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{HEADER}{rows}</sheetData></worksheet>'
    if prefix:
        sheet = prefixed(sheet)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        z.writestr("xl/styles.xml", STYLES)
        items = "".join(f"<si>{s}</si>" for s in strings or [])
        z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{items}</sst>')
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def rows_of(data: bytes, columns=COLUMNS):
    return list(open_table(io.BytesIO(data), "upload.xlsx", columns).rows)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(params=["fast", "prefixed"])
def form(request):
    return request.param


def test_shared_strings_are_read_with_entities_escapes_and_rich_runs(form):
    strings = [
        "<t>王芳</t>",
        "<t>110101199003071234</t>",
        '<t xml:space="preserve">A&amp;B &lt;1&gt; &#x4E2D;&#25991;</t>',
        "<t>line_x000D__x000A_two and _x005F_x000D_ kept</t>",
        '<r><t>张</t></r><r><rPr><b/></rPr><t xml:space="preserve">三</t></r>'
        '<rPh sb="0" eb="1"><t>ZHANG</t></rPh>',
        "<t/>",
    ]
    cells = (
        '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c>'
        '<c r="E2" t="s"><v>2</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>4</v></c><c r="B3" t="s"><v>1</v></c>'
        '<c r="E3" t="s"><v>3</v></c><c r="D3" t="s"><v>5</v></c></row>'
    )
    first, second = rows_of(workbook(cells, strings, prefix=form == "prefixed"))
    assert first.values == {
        "name": "王芳",
        "id_number": "110101199003071234",
        "birth": None,
        "years": None,
        "note": "A&B <1> 中文",
    }
    assert second.values["name"] == "张三"
    assert second.values["note"] == "line\r\ntwo and _x000D_ kept"
    assert second.values["years"] is None and second.problems == []


def test_inline_strings_rich_text_escapes_and_formula_strings_are_read(form):
    cells = (
        '<row r="2"><c r="A2" t="inlineStr"><is><r><t>王</t></r><r><rPr><b/></rPr>'
        '<t>芳</t></r></is></c><c r="B2" t="inlineStr"><is><t>110101199003071234</t></is></c>'
        '<c r="E2" t="inlineStr"><is><t>R&amp;D_x000D_</t></is></c></row>'
        '<row r="3"><c r="A3" t="str"><f>A2&amp;""</f><v>李明</v></c>'
        '<c r="B3" t="inlineStr">\n  <is>\n    <t>7</t>\n  </is>\n</c></row>'
    )
    first, second = rows_of(workbook(cells, prefix=form == "prefixed"))
    assert first.values["name"] == "王芳"
    assert first.values["note"] == "R&D"  # the carriage return is stripped with the spaces
    assert second.values["name"] == "李明" and second.values["id_number"] == "7"


def test_booleans_numbers_and_iso_dates_are_read_as_calamine_gives_them(form):
    cells = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>王芳</t></is></c><c r="B2"><v>1234</v></c>'
        '<c r="C2" t="d"><v>2024-03-01T00:00:00</v></c><c r="D2" t="n"><v>12</v></c>'
        '<c r="E2" t="b"><v>1</v></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>李明</t></is></c>'
        '<c r="B3"><v>1.1010119900307123E17</v></c><c r="C3" t="d"><v>2024-03-01</v></c>'
        '<c r="D3"><v>3.5</v></c><c r="E3" t="b"><v>0</v></c></row>'
    )
    first, second = rows_of(workbook(cells, prefix=form == "prefixed"))
    assert first.values == {
        "name": "王芳",
        "id_number": "1234",
        "birth": dt.date(2024, 3, 1),
        "years": 12,
        "note": "TRUE",
    }
    assert second.values["birth"] == dt.date(2024, 3, 1)
    assert second.values["note"] == "FALSE"
    assert [k for k, _ in second.problems] == ["id_number", "years"]  # lost digits; 3.5


def test_numbers_in_date_styles_are_dates_and_other_custom_formats_are_numbers(form):
    cells = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>王芳</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>1</t></is></c>'
        '<c r="C2" s="1"><v>45352</v></c><c r="D2" s="3"><v>12</v></c>'
        '<c r="E2" s="4"><v>1.5</v></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>李明</t></is></c>'
        '<c r="B3" t="inlineStr"><is><t>2</t></is></c>'
        '<c r="C3" s="2"><v>45352.5</v></c><c r="D3" s="2"><v>45352</v></c></row>'
    )
    first, second = rows_of(workbook(cells, prefix=form == "prefixed"))
    assert first.values["birth"] == dt.date(2024, 3, 1)  # built-in 14
    assert first.values["years"] == 12  # 0"天": the quoted 天 is no date
    assert first.values["note"] == "1 day, 12:00:00"  # [h]:mm: a duration
    assert second.values["birth"] == dt.date(2024, 3, 1)  # yyyy"年"m"月"d"日", 12:00
    assert second.problems == [
        ("years", "“2024-03-01” is not a whole number."),
    ]


def test_cells_without_references_follow_one_another_and_skipped_rows_keep_numbers(form):
    cells = (
        '<row r="4"><c t="inlineStr"><is><t>王芳</t></is></c><c t="inlineStr"><is><t>1</t>'
        '</is></c><c r="E4" t="inlineStr"><is><t>调入</t></is></c></row>'
        '<row><c t="inlineStr"><is><t>李明</t></is></c><c><v>2</v></c><c/><c><v>9</v></c>'
        "</row>"
        '<row r="9" spans="1:5"><c r="B9" t="inlineStr"><is><t>3</t></is></c>'
        '<c r="A9" t="inlineStr"><is><t>赵敏</t></is></c></row>'
    )
    rows = rows_of(workbook(cells, prefix=form == "prefixed"))
    assert [r.number for r in rows] == [4, 5, 9]
    assert rows[0].values["note"] == "调入" and rows[0].values["id_number"] == "1"
    assert rows[1].values["years"] == 9 and rows[1].values["id_number"] == "2"
    assert rows[2].values["name"] == "赵敏" and rows[2].values["id_number"] == "3"


def test_a_sheet_read_in_tiny_chunks_reads_the_same(monkeypatch):
    header = [c.header for c in COLUMNS]
    rows = [
        [f"教师{i}", f"1101011990030{i:05d}", dt.date(1990, 1, 1 + i % 28), i % 40, "&_x"]
        for i in range(300)
    ]
    out = io.BytesIO()
    kinds = ["text", "text", "date", "int", "text"]
    tables.write_xlsx([tables.Column(h, k) for h, k in zip(header, kinds, strict=True)], rows, out)
    whole = [(r.number, r.values) for r in rows_of(out.getvalue())]
    monkeypatch.setattr(xlsx, "CHUNK", 97)
    chunked = [(r.number, r.values) for r in rows_of(out.getvalue())]
    assert chunked == whole
    assert whole[-1] == (
        301,
        {
            "name": "教师299",
            "id_number": "110101199003000299",
            "birth": dt.date(1990, 1, 20),
            "years": 19,
            "note": "&_x",
        },
    )


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("yyyy-mm-dd", "date"),
        ('yyyy"年"m"月"d"日"', "date"),
        ("m/d/yy h:mm", "date"),
        ("[$-F800]dddd, mmmm dd, yyyy", "date"),
        ("[h]:mm:ss", "duration"),
        ("0.00", None),
        ('0"天"', None),
        ("[Red]#,##0.00", None),
        ("General", None),
        ("@", None),
        (r"0\d", None),
    ],
)
def test_custom_number_formats_are_told_apart(code, kind):
    assert xlsx.format_kind(code) == kind


def test_serial_numbers_convert_as_calamine_converts_them():
    assert xlsx.serial_date(45352) == dt.date(2024, 3, 1)
    assert xlsx.serial_date(45352.333333333336) == dt.datetime(2024, 3, 1, 8)
    assert xlsx.serial_date(59) == dt.date(1900, 2, 28)
    assert xlsx.serial_date(61) == dt.date(1900, 3, 1)
    assert xlsx.serial_date(0.5) == dt.time(12)


def test_shared_strings_longer_than_the_sheet_itself_are_copied_whole(monkeypatch):
    long = "长" * 20_000
    cells = (
        '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c>'
        '<c r="E2" t="s"><v>0</v></c></row>'
    )
    monkeypatch.setattr(xlsx, "CHUNK", 200)
    (row,) = rows_of(workbook(cells, [f"<t>{long}</t>", "<t>1</t>"]))
    assert row.values["name"] == long and row.values["note"] == long


def test_a_shared_string_index_beyond_the_table_is_refused_as_damaged():
    cells = '<row r="2"><c r="A2" t="s"><v>7</v></c><c r="B2" t="s"><v>0</v></c></row>'
    with pytest.raises(TableError) as caught:
        rows_of(workbook(cells, ["<t>1</t>"]))
    assert str(caught.value).startswith("The workbook is damaged or incomplete")
