"""Reading table files: the formats, the refusals (a corpus of bad files), the headers and
the values. Every file is generated in ``tmp_path`` and kept small."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import struct
import zipfile
from collections.abc import Iterator

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from xietong.core import tables
from xietong.transfer.reading import Column, TableError, convert, open_table

COLUMNS = [
    Column("name", "姓名", aliases=("Name", "教师姓名"), required=True),
    Column("id_number", "身份证号", aliases=("ID number", "证件号码"), required=True, kind="code"),
    Column("birth", "出生日期", aliases=("Birth date",), kind="date"),
    Column("years", "教龄", aliases=("Years",), kind="int"),
    Column("school_code", "学校标识码", aliases=("School code",), kind="code"),
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def xlsx(header, rows, kinds=None) -> bytes:
    """A workbook of one sheet written by the platform's own xlsx writer."""
    kinds = kinds or ["text"] * len(header)
    columns = [tables.Column(h, k) for h, k in zip(header, kinds, strict=True)]
    out = io.BytesIO()
    tables.write_workbook([tables.Sheet("花名册", columns, rows)], out)
    return out.getvalue()


def patch_sheet(data: bytes, *replacements: tuple[bytes, bytes]) -> bytes:
    """The workbook with its first sheet's XML edited (for cases our writer never makes)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                for old, new in replacements:
                    assert old in part
                    part = part.replace(old, new, 1)
            target.writestr(info.filename, part)
    return out.getvalue()


def read(data: bytes, name: str = "upload.xlsx", **limits):
    return open_table(io.BytesIO(data), name, COLUMNS, **limits)


def refused(data: bytes, name: str = "upload.xlsx", **limits) -> str:
    with pytest.raises(TableError) as caught:
        table = read(data, name, **limits)
        list(table.rows)
    return str(caught.value)


def rows_of(data: bytes, name: str = "upload.xlsx"):
    return list(read(data, name).rows)


GOOD_HEADER = ["姓名", "身份证号", "出生日期", "教龄", "学校标识码"]
GOOD_ROW = ["王芳", "110101199003071234", "1990-03-07", "12", "1111000001"]


# --- files that are not tables -------------------------------------------------------------


def test_a_renamed_pdf_is_refused_as_a_pdf():
    message = refused(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "roster.xlsx")
    assert message == "This is a PDF document, not a table; upload an xlsx, xls or CSV file."


def test_an_image_renamed_to_csv_is_refused_as_an_image():
    message = refused(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "roster.csv")
    assert message == "This is an image, not a table; upload an xlsx, xls or CSV file."


def test_a_word_document_renamed_to_xlsx_is_refused_as_a_word_document():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert refused(out.getvalue()) == (
        "This is a Word document, not a table; upload an xlsx, xls or CSV file."
    )


def test_a_zip_archive_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("roster.csv", "姓名,身份证号\n")
    assert refused(out.getvalue()) == (
        "This is a zip archive, not a workbook; upload an xlsx, xls or CSV file."
    )


def test_a_binary_workbook_is_refused_with_advice_to_save_as_xlsx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/workbook.bin", b"\x00\x01")
    assert refused(out.getvalue()) == (
        "This is a binary workbook (.xlsb); save it as .xlsx and upload it again."
    )


def test_a_web_page_saved_as_xls_is_refused_with_advice():
    message = refused(b"<html><body><table><tr><td>\xe5\xa7\x93\xe5\x90\x8d</td></tr>", "a.xls")
    assert message == (
        "This is a web page saved under a spreadsheet name; open it in Excel or WPS and save "
        "it as .xlsx."
    )


def test_binary_noise_is_refused_as_neither_spreadsheet_nor_text():
    message = refused(bytes(range(256)) * 8, "a.csv")
    assert message == (
        "The file is not a spreadsheet or a CSV text file; upload an xlsx, xls or CSV file."
    )


def test_an_ole2_file_that_is_no_workbook_is_refused_as_unreadable_xls():
    message = refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024, "a.xls")
    assert message.startswith("The file is not an Excel 97–2003 workbook that can be read")


def test_an_xlsx_under_a_password_is_refused_as_protected():
    data = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 600
        + "EncryptionInfo".encode("utf-16-le")
        + b"\x00" * 600
    )
    assert refused(data) == (
        "The workbook is protected by a password; remove the password and upload it again."
    )


# --- damaged, oversized and hostile files --------------------------------------------------


def test_a_half_written_xlsx_is_refused_as_damaged_or_incomplete():
    data = xlsx(GOOD_HEADER, [GOOD_ROW] * 50)
    message = refused(data[: len(data) // 2])
    assert message.startswith("The workbook is damaged or incomplete")


def test_a_workbook_whose_sheet_is_corrupted_inside_is_refused_as_damaged():
    data = bytearray(xlsx(GOOD_HEADER, [GOOD_ROW] * 200))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for at in range(start + 40, start + 80):
        data[at] ^= 0x5A
    assert refused(bytes(data)).startswith("The workbook is damaged or incomplete")


def test_a_zip_bomb_disguised_as_xlsx_is_refused_before_it_is_unpacked():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as part:
            zeros = b"\x00" * 2**20
            for _ in range(16):
                part.write(zeros)
    assert len(out.getvalue()) < 100_000
    message = refused(out.getvalue())
    assert message.startswith("The workbook would unpack to 16 MB or is compressed beyond")


def test_a_workbook_unpacking_beyond_the_limit_is_refused():
    data = xlsx(GOOD_HEADER, [GOOD_ROW] * 20)
    message = refused(data, max_unpacked=2000)
    assert "it was refused as unsafe" in message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    data = xlsx(GOOD_HEADER, [GOOD_ROW] * 20)
    message = refused(data, max_bytes=2048)
    assert message == f"The file is {len(data) // 1024} KB; the largest accepted is 2 KB."


def test_a_200_mb_file_is_refused_from_its_size_alone(tmp_path):
    path = tmp_path / "huge.xlsx"
    with open(path, "wb") as f:
        f.truncate(200 * 2**20)  # sparse: nothing is written to disk

    class Unreadable(io.FileIO):
        def read(self, *args):
            raise AssertionError("the file was read")

    with Unreadable(path, "rb") as f, pytest.raises(TableError) as caught:
        open_table(f, "huge.xlsx", COLUMNS)
    assert str(caught.value) == "The file is 200 MB; the largest accepted is 160 MB."


def test_a_sheet_longer_than_the_row_limit_is_refused():
    message = refused(xlsx(GOOD_HEADER, [GOOD_ROW] * 5), max_rows=3)
    assert message == "The sheet has 5 rows; at most 3 can be imported at once."


def test_a_csv_longer_than_the_row_limit_is_refused_while_reading():
    data = ("\n".join([",".join(GOOD_HEADER)] + [",".join(GOOD_ROW)] * 5)).encode()
    assert refused(data, "a.csv", max_rows=3) == (
        "The file has more than 3 rows; at most 3 can be imported at once."
    )


def test_a_csv_in_no_known_encoding_is_refused():
    assert refused(b"name,id\n\xff\xfd,\xff\xff\n" * 3, "a.csv").startswith(
        "The text of the file is in an unknown encoding"
    )


# --- empty files and headers ---------------------------------------------------------------


def test_an_empty_file_is_refused_as_empty():
    assert refused(b"", "a.csv") == "The file is empty."


def test_a_csv_of_blank_lines_is_refused_as_empty():
    assert refused(b"\r\n \r\n\r\n", "a.csv") == "The file is empty."


def test_a_workbook_with_an_empty_sheet_is_refused_as_empty():
    assert refused(xlsx([], [])) == "The file is empty."


def test_a_workbook_with_only_headers_is_refused_for_having_no_rows():
    assert refused(xlsx(GOOD_HEADER, [])) == "The file has a header row but no data rows."


def test_a_csv_with_only_headers_is_refused_for_having_no_rows():
    data = (",".join(GOOD_HEADER) + "\r\n,,,,\r\n").encode()
    assert refused(data, "a.csv") == "The file has a header row but no data rows."


def test_a_file_with_wrong_headers_is_refused_naming_the_expected_ones():
    message = refused(xlsx(["Product", "Price"], [["pen", "3"]]))
    assert message == (
        "No header row was found in the first 10 rows; the headers expected include 姓名、身份证号."
    )


def test_a_missing_required_header_is_named():
    header = ["姓名", "出生日期", "教龄"]
    message = refused(xlsx(header, [["王芳", "1990-03-07", "3"]]))
    assert message == "Required columns are missing: 身份证号."


def test_a_duplicate_header_is_refused():
    header = ["姓名", "身份证号", "教龄", "教龄"]
    message = refused(xlsx(header, [["王芳", "1", "3", "4"]]))
    assert message == "The header “教龄” appears more than once; keep only one of them."


def test_a_header_and_its_alias_naming_the_same_column_are_refused():
    header = ["姓名", "身份证号", "Name"]
    message = refused(xlsx(header, [["王芳", "1", "Wang Fang"]]))
    assert message == (
        "The headers “姓名” and “Name” both name the column “姓名”; keep only one of them."
    )


def test_merged_cells_in_the_data_area_are_refused():
    data = patch_sheet(
        xlsx(GOOD_HEADER, [GOOD_ROW, GOOD_ROW, GOOD_ROW]),
        (
            b"</sheetData>",
            b'</sheetData><mergeCells count="1"><mergeCell ref="E2:E4"/></mergeCells>',
        ),
    )
    assert refused(data) == (
        "The sheet has merged cells at E2:E4; unmerge them and fill in every cell, so that "
        "each row stands on its own."
    )


# --- bad cells: reported per row -----------------------------------------------------------


def test_a_formula_never_calculated_is_reported_on_its_row():
    data = patch_sheet(
        xlsx(GOOD_HEADER, [GOOD_ROW, GOOD_ROW]),
        (
            b'<c r="D3" t="inlineStr"><is><t xml:space="preserve">12</t></is></c>',
            b'<c r="D3"><f>D2+1</f></c>',
        ),
    )
    first, second = rows_of(data)
    assert first.problems == []
    assert second.number == 3
    assert second.problems == [
        (
            "years",
            "The formula in this cell has no calculated value; open the file in Excel or WPS "
            "and save it again.",
        )
    ]


def test_a_formula_with_its_cached_value_is_read_as_that_value():
    data = patch_sheet(
        xlsx(GOOD_HEADER, [GOOD_ROW, GOOD_ROW]),
        (
            b'<c r="D3" t="inlineStr"><is><t xml:space="preserve">12</t></is></c>',
            b'<c r="D3"><f>D2+1</f><v>13</v></c>',
        ),
    )
    assert rows_of(data)[1].values["years"] == 13
    assert rows_of(data)[1].problems == []


def test_an_error_cell_is_reported_on_its_row():
    data = patch_sheet(
        xlsx(GOOD_HEADER, [GOOD_ROW]),
        (
            b'<c r="C2" t="inlineStr"><is><t xml:space="preserve">1990-03-07</t></is></c>',
            b'<c r="C2" t="e"><f>VLOOKUP(A2,X!A:B,2,0)</f><v>#N/A</v></c>',
        ),
    )
    (row,) = rows_of(data)
    assert row.problems == [
        ("birth", "This cell holds an error (such as #N/A or #DIV/0!); correct it.")
    ]


def test_bad_dates_and_numbers_and_empty_required_cells_are_reported_per_cell():
    rows = [
        ["王芳", "110101199003071234", "1990-13-07", "twelve", ""],
        ["", "110101199003071234", "next week", "3.5", ""],
    ]
    first, second = rows_of(xlsx(GOOD_HEADER, rows))
    assert first.number == 2 and second.number == 3
    assert first.problems == [
        (
            "birth",
            "“1990-13-07” is not a date; write it as 2024-03-01, 2024/3/1, 2024.3.1, "
            "2024年3月1日 or 20240301.",
        ),
        ("years", "“twelve” is not a whole number."),
    ]
    assert second.problems[0] == ("name", "This column must be filled in.")
    assert [k for k, _ in second.problems] == ["name", "birth", "years"]


def test_an_id_number_stored_as_a_number_is_reported_as_having_lost_digits():
    data = xlsx(
        GOOD_HEADER,
        [["王芳", 110101199003071234.0, "", "", ""]],
        ["text", "float", "text", "text", "text"],
    )
    (row,) = rows_of(data)
    assert row.problems == [
        (
            "id_number",
            "This code was stored as a number and has lost its last digits; format the column "
            "as text and enter it again.",
        )
    ]


# --- good files ----------------------------------------------------------------------------


def test_headers_in_any_order_with_aliases_and_unknown_columns_are_matched():
    header = ["备注", "School code", "ID number", "Name", "Years"]
    table = read(xlsx(header, [["新调入", "1111000001", "11010119900307123X", "Wang", "3"]]))
    assert [(f.key, f.header, f.index) for f in table.columns] == [
        ("school_code", "School code", 1),
        ("id_number", "ID number", 2),
        ("name", "Name", 3),
        ("years", "Years", 4),
    ]
    assert table.unknown == ["备注"]
    (row,) = table.rows
    assert row.values == {
        "school_code": "1111000001",
        "id_number": "11010119900307123X",
        "name": "Wang",
        "years": 3,
    }


def test_headers_are_matched_ignoring_width_case_spaces_stars_and_notes():
    header = ["＊姓 名", "身份证号*", " birth DATE ", "教龄（年）", "ＳＣＨＯＯＬ　ＣＯＤＥ"]
    table = read(xlsx(header, [GOOD_ROW]))
    assert [f.key for f in table.columns] == ["name", "id_number", "birth", "years", "school_code"]


def test_title_rows_above_the_header_are_skipped_and_rows_keep_sheet_numbers():
    data = patch_sheet(
        xlsx(
            ["三河市教职工花名册", "", "", "", ""],
            [["填报单位：三河市教育局", "", "", "", ""], GOOD_HEADER, GOOD_ROW],
        ),
        (
            b"</sheetData>",
            b'</sheetData><mergeCells count="1"><mergeCell ref="A1:E1"/></mergeCells>',
        ),
    )
    table = read(data)
    assert table.header_row == 3
    assert table.sheet == "花名册"
    assert table.merged == ["A1:E1"]
    (row,) = table.rows
    assert row.number == 4 and row.values["name"] == "王芳"


def test_dates_are_read_in_every_accepted_form():
    forms = [
        "2024-03-01",
        "2024/3/1",
        "2024.3.1",
        "2024年3月1日",
        "20240301",
        "2024-03-01 00:00:00",
    ]
    rows = [["王芳", "1", form, "", ""] for form in forms]
    for number, row in enumerate(rows_of(xlsx(GOOD_HEADER, rows)), start=2):
        assert row.values["birth"] == dt.date(2024, 3, 1), number
        assert row.problems == []


def test_dates_are_read_from_date_cells_datetime_cells_and_excel_serial_numbers():
    date_cells = xlsx(
        GOOD_HEADER,
        [
            ["王芳", "1", dt.date(2024, 3, 1), "", ""],
            ["王芳", "1", dt.datetime(2024, 3, 1, 8), "", ""],
        ],
        ["text", "text", "date", "text", "text"],
    )
    numbers = xlsx(
        GOOD_HEADER,
        [["王芳", "1", 45352, "", ""], ["王芳", "1", 20240301, "", ""]],
        ["text", "text", "int", "text", "text"],
    )
    for data in (date_cells, numbers):
        rows = rows_of(data)
        assert [r.values["birth"] for r in rows] == [dt.date(2024, 3, 1)] * 2
        assert all(r.problems == [] for r in rows)


def test_numbers_as_text_stay_text_for_codes_and_become_numbers_for_counts():
    rows = [["王芳", "0123", "", "０１２", "0011000001"], ["李明", "7", "", 12.0, 1111000001]]
    kinds = ["text", "text", "text", "text", "text"]
    first = rows_of(xlsx(GOOD_HEADER, rows[:1], kinds))[0]
    assert first.values["id_number"] == "0123"
    assert first.values["years"] == 12
    assert first.values["school_code"] == "0011000001"
    second = rows_of(xlsx(GOOD_HEADER, rows[1:], ["text", "text", "text", "float", "int"]))[0]
    assert second.values["years"] == 12
    assert second.values["school_code"] == "1111000001"


def test_blank_rows_are_skipped_and_rows_are_an_iterator():
    table = read(xlsx(GOOD_HEADER, [GOOD_ROW, ["", "", "", "", ""], GOOD_ROW]))
    assert isinstance(table.rows, Iterator)
    assert [r.number for r in table.rows] == [2, 4]


def test_a_workbook_on_disk_is_read_from_its_path(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx(GOOD_HEADER, [GOOD_ROW]))
    with open(path, "rb") as f:
        table = open_table(f, "roster.xlsx", COLUMNS)
        assert [r.values["name"] for r in table.rows] == ["王芳"]


def test_an_instructions_sheet_before_the_data_sheet_is_passed_over():
    out = io.BytesIO()
    tables.write_workbook(
        [
            tables.Sheet("填写说明", [tables.Column("说明")], [["每行一名教职工"]]),
            tables.Sheet("教职工", [tables.Column(h) for h in GOOD_HEADER], [GOOD_ROW]),
        ],
        out,
    )
    table = read(out.getvalue())
    assert table.sheet == "教职工"


def _csv(text: str, encoding: str) -> bytes:
    return text.encode(encoding)


CSV_TEXT = "姓名,身份证号,出生日期,学校标识码\r\n张伟,110101199003071234,2024/3/1,0011000001\r\n"


def test_a_gbk_csv_with_chinese_is_read():
    table = read(_csv(CSV_TEXT, "gbk"), "a.csv")
    assert table.format == "csv" and table.encoding == "gb18030"
    (row,) = table.rows
    assert row.values["name"] == "张伟" and row.values["birth"] == dt.date(2024, 3, 1)
    assert row.values["school_code"] == "0011000001"


def test_a_utf16_csv_with_a_byte_order_mark_is_read():
    table = read(_csv(CSV_TEXT, "utf-16"), "a.csv")
    assert table.encoding == "utf-16"
    assert [r.values["name"] for r in table.rows] == ["张伟"]


def test_a_utf8_csv_with_and_without_a_byte_order_mark_is_read():
    for data, encoding in (
        (codecs.BOM_UTF8 + CSV_TEXT.encode(), "utf-8-sig"),
        (CSV_TEXT.encode(), "utf-8"),
    ):
        table = read(data, "a.csv")
        assert table.encoding == encoding
        assert table.columns[0].header == "姓名"
        assert [r.values["name"] for r in table.rows] == ["张伟"]


def test_tab_and_semicolon_delimiters_are_recognised():
    for delimiter in ("\t", ";"):
        table = read(CSV_TEXT.replace(",", delimiter).encode(), "a.txt")
        (row,) = table.rows
        assert row.values["id_number"] == "110101199003071234"


def test_csv_title_lines_above_the_header_are_skipped():
    data = ("教职工名单\r\n导出时间：2024-03-01\r\n" + CSV_TEXT).encode()
    table = read(data, "a.csv")
    assert table.header_row == 3
    assert [r.number for r in table.rows] == [4]


def test_text_that_breaks_the_encoding_further_down_is_refused_naming_the_row():
    good = (",".join(GOOD_HEADER) + "\n" + (",".join(GOOD_ROW) + "\n") * 3000).encode()
    assert len(good) > 64 * 1024  # past the sample the encoding is told from
    data = good + b"\xe7\x8e,1,,,\n"
    message = refused(data, "a.csv")
    assert message.startswith("The text after row ")
    assert message.endswith(" is not in the file's encoding (utf-8).")


def test_a_formula_never_calculated_is_found_in_a_sheet_with_prefixed_elements():
    data = xlsx(GOOD_HEADER, [GOOD_ROW])
    source = zipfile.ZipFile(io.BytesIO(data))
    sheet = source.read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace(
        '<c r="D2" t="inlineStr"><is><t xml:space="preserve">12</t></is></c>',
        '<c r="D2"><f>1+1</f></c>',
    )
    sheet = sheet.replace("<worksheet xmlns=", "<x:worksheet xmlns:x=").replace(
        "</worksheet>", "</x:worksheet>"
    )
    sheet = re.sub(
        r"<(/?)(sheetViews|sheetView|pane|cols|col|sheetData|row|c|is|t|f|autoFilter)\b",
        r"<\1x:\2",
        sheet,
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = (
                sheet.encode()
                if info.filename == "xl/worksheets/sheet1.xml"
                else source.read(info.filename)
            )
            target.writestr(info.filename, part)
    (row,) = rows_of(out.getvalue())
    assert [k for k, _ in row.problems] == ["years"]


def test_the_table_keeps_the_uploaded_name_and_the_format_found_in_the_bytes():
    table = read(CSV_TEXT.encode(), "花名册.xlsx")
    assert (table.name, table.format, table.sheet) == ("花名册.xlsx", "csv", None)


def test_file_faults_are_worded_in_chinese_for_chinese_readers():
    from django.conf import settings
    from django.test import override_settings

    from xietong.core.compile_messages import compile_all

    compile_all()
    # Overriding LOCALE_PATHS makes Django drop the catalogs it loaded before the compile.
    with (
        override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)),
        translation.override("zh-hans"),
    ):
        assert refused(b"%PDF-1.4\n", "a.xlsx") == (
            "这是 PDF 文档，不是表格；请上传 xlsx、xls 或 CSV 文件。"
        )


def test_a_fault_on_the_data_sheet_is_named_though_an_instructions_sheet_comes_first():
    out = io.BytesIO()
    tables.write_workbook(
        [
            tables.Sheet("填写说明", [tables.Column("说明")], [["姓名"], ["身份证号"]]),
            tables.Sheet("教职工", [tables.Column(h) for h in GOOD_HEADER], []),
        ],
        out,
    )
    assert refused(out.getvalue()) == "The file has a header row but no data rows."


# --- a tiny .xls writer (Excel 97-2003: BIFF8 records in an OLE2 compound file) ---------


def _rec(kind, data=b""):
    return struct.pack("<HH", kind, len(data)) + data


def _ustr16(text):  # XLUnicodeString with a 16-bit count, stored as UTF-16
    return struct.pack("<HB", len(text), 1) + text.encode("utf-16-le")


def biff8(rows, sheet="Sheet1"):
    """A BIFF8 workbook stream of one sheet: text as shared strings, numbers as NUMBER."""
    strings = []
    index = {}
    cells = b""
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, str):
                if v not in index:
                    index[v] = len(strings)
                    strings.append(v)
                cells += _rec(0x00FD, struct.pack("<HHHI", r, c, 15, index[v]))
            else:
                cells += _rec(0x0203, struct.pack("<HHHd", r, c, 15, float(v)))

    def bof(dt):
        return _rec(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0x0DBB, 0x07CC, 0, 0x0006))

    sst = _rec(
        0x00FC,
        struct.pack("<II", len(strings), len(strings)) + b"".join(_ustr16(s) for s in strings),
    )
    name = struct.pack("<BB", len(sheet), 1) + sheet.encode("utf-16-le")

    def globals_(pos):
        return (
            bof(0x0005)
            + _rec(0x0042, struct.pack("<H", 1200))
            + _rec(0x0085, struct.pack("<IBB", pos, 0, 0) + name)
            + sst
            + _rec(0x000A)
        )

    pos = len(globals_(0))
    ncols = max((len(r) for r in rows), default=0)
    sheet_stream = (
        bof(0x0010)
        + _rec(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, ncols, 0))
        + cells
        + _rec(0x000A)
    )
    return globals_(pos) + sheet_stream


def cfb(stream, name="Workbook"):
    """An OLE2 compound file of one stream (at least 4096 bytes, so no mini stream)."""
    stream = stream + b"\x00" * max(0, 4096 - len(stream))
    stream += b"\x00" * (-len(stream) % 512)
    n = len(stream) // 512
    assert n + 2 <= 128
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [3 + i for i in range(n - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", 0xFFFFFFFF) * 108
    )
    assert len(header) == 512

    none = 0xFFFFFFFF  # no sibling, no child

    def entry(entry_name, kind, child, start, size):
        """A 128-byte directory entry: name, type, colour, siblings, child, start, size."""
        raw = entry_name.encode("utf-16-le") + b"\x00\x00" if entry_name else b""
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBBIII", len(raw), kind, 1, none, none, child)
            + b"\x00" * 36  # class id, state bits, creation and modification times
            + struct.pack("<IQ", start, size)
        )

    directory = (
        entry("Root Entry", 5, 1, 0xFFFFFFFE, 0)
        + entry(name, 2, none, 2, len(stream))
        + entry("", 0, none, 0, 0) * 2
    )
    return header + struct.pack("<128I", *fat) + directory + stream


def xls(rows) -> bytes:
    return cfb(biff8(rows))


def test_an_xls_workbook_is_read():
    table = read(xls([[*GOOD_HEADER[:2], "教龄"], ["王芳", "110101199003071234", 12]]), "a.xls")
    assert (table.format, table.sheet, table.header_row) == ("xls", "Sheet1", 1)
    (row,) = table.rows
    assert row.number == 2
    assert row.values == {"name": "王芳", "id_number": "110101199003071234", "years": 12}


def test_an_xls_workbook_with_only_headers_is_refused_for_having_no_rows():
    assert refused(xls([GOOD_HEADER]), "a.xls") == "The file has a header row but no data rows."


# --- whatever arrives, the answer is a row problem or a TableError, never a crash ----------

CELLS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
)


@settings(max_examples=300, deadline=None)
@given(value=CELLS, kind=st.sampled_from(["text", "int", "date", "code"]))
def test_any_cell_value_converts_or_is_named_as_a_problem(value, kind):
    converted, problem = convert(value, kind)
    assert problem is None or converted is None
    assert problem is None or isinstance(problem, str)


@settings(max_examples=150, deadline=None)
@given(
    data=st.binary(max_size=600),
    prefix=st.sampled_from(
        [
            b"",
            b"PK\x03\x04",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            codecs.BOM_UTF8,
            "姓名,身份证号\n".encode(),
        ]
    ),
)
def test_any_bytes_are_read_or_refused_with_a_table_error(data, prefix):
    try:
        table = read(prefix + data, "x.xlsx")
        list(table.rows)
    except TableError:
        pass
