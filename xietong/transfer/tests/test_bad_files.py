"""The bad-file corpus, through the importer as a user meets it: every file gets a clear
message — the file's fault at upload, a row's fault on its row and column — and nothing is
written by a check, never a server error."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from xietong.conftest import id_number_of, make_id_number
from xietong.core import tables
from xietong.core.errors import InvalidInput
from xietong.institutions import personal_data
from xietong.institutions.models import Staff
from xietong.institutions.staff_roster import FIELDS
from xietong.jobs import services as jobs
from xietong.transfer import services
from xietong.transfer.models import Import
from xietong.transfer.tests.test_reading import patch_sheet

pytestmark = pytest.mark.django_db

KEYS = [f.column.key for f in FIELDS]
HEADERS = [f.column.header for f in FIELDS]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def person(serial: int, **extra: Any) -> dict[str, Any]:
    born = dt.date(1975, 1, 1) + dt.timedelta(days=serial * 40)
    return {
        "name": f"教师{serial}",
        "id_number": make_id_number("131082", born, serial),
        "school_code": "2113012345",
        "joined_on": "2015-09-01",
        **extra,
    }


def sheet(rows: list[dict[str, Any]], headers: list[str] = HEADERS) -> bytes:
    by_header = dict(zip(HEADERS, KEYS, strict=True))
    out = io.BytesIO()
    tables.write_xlsx(
        [tables.Column(h) for h in headers],
        [[r.get(by_header.get(h, ""), "") for h in headers] for r in rows],
        out,
    )
    return out.getvalue()


def csv(rows: list[dict[str, Any]], encoding: str) -> bytes:
    lines = [",".join(HEADERS)] + [",".join(str(r.get(k, "")) for k in KEYS) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as part:
            for _ in range(300):
                part.write(b"\x00" * 2**20)
    return out.getvalue()


def merged() -> bytes:
    return patch_sheet(
        sheet([person(1), person(2)]),
        (
            b"</sheetData>",
            b'</sheetData><mergeCells count="1"><mergeCell ref="N2:N3"/></mergeCells>',
        ),
    )


def formula() -> bytes:
    data = sheet([person(1, phone="13800000001"), person(2, phone="13800000002")])
    return patch_sheet(
        data,
        (
            b'<c r="E3" t="inlineStr"><is><t xml:space="preserve">13800000002</t></is></c>',
            b'<c r="E3"><f>E2+1</f></c>',
        ),
    )


def id_as_number() -> bytes:
    data = sheet([person(1), person(2)])
    number = person(2)["id_number"].encode()
    return patch_sheet(
        data,
        (
            b'<c r="B3" t="inlineStr"><is><t xml:space="preserve">' + number + b"</t></is></c>",
            b'<c r="B3"><v>' + number[:15] + b"E+17</v></c>".replace(b"E+17", b"000"),
        ),
    )


# File-level faults: refused at upload, with the file's fault named.
FILE_FAULTS: list[tuple[str, Callable[[], bytes], str]] = [
    ("wrong headers", lambda: sheet([person(1)], ["甲", "乙", "丙"]), "No header row"),
    (
        "missing required header",
        lambda: sheet([person(1)], [h for h in HEADERS if h != "身份证号"]),
        "身份证号",
    ),
    ("duplicate headers", lambda: sheet([person(1)], [*HEADERS, "姓名"]), "姓名"),
    ("empty file", lambda: b"", "empty"),
    ("only headers", lambda: sheet([]), "no data rows"),
    ("merged cells", merged, "merged cells at N2:N3"),
    ("zip bomb disguised as xlsx", zip_bomb, "unpack"),
    ("renamed PDF", lambda: b"%PDF-1.7\n1 0 obj<<>>endobj\n", "PDF"),
    ("an image", lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image"),
    (
        "half-written xlsx",
        lambda: sheet([person(i) for i in range(40)])[:3000],
        "damaged or incomplete",
    ),
]


@pytest.mark.parametrize(("case", "make", "fragment"), FILE_FAULTS, ids=[c[0] for c in FILE_FAULTS])
def test_a_file_that_cannot_be_imported_is_refused_with_its_fault_and_leaves_nothing(
    cast, case, make, fragment
):
    upload = SimpleUploadedFile("名单.xlsx", make())
    with pytest.raises(InvalidInput) as refused:
        services.start_import(cast.actor("sanhe"), "staff", upload, dispatch=False)
    message = " ".join(refused.value.fields["file"])
    assert fragment in message, message
    assert not Import.objects.exists()


def test_a_200_mb_file_is_refused_by_its_size_before_it_is_read(cast, tmp_path: Path):
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as f:
        f.truncate(200 * 2**20)  # sparse: nothing is written to disk
    with path.open("rb") as f, pytest.raises(InvalidInput) as refused:
        services.start_import(
            cast.actor("sanhe"), "staff", File(f, name="huge.xlsx"), dispatch=False
        )
    assert "the largest accepted is 160 MB" in refused.value.fields["file"][0]
    assert not Import.objects.exists()


def checked(cast, data: bytes, name: str = "名单.xlsx") -> Import:
    imp = services.start_import(
        cast.actor("sanhe"), "staff", SimpleUploadedFile(name, data), dispatch=False
    )
    assert jobs.run_now(imp.job).status == "succeeded"
    imp.refresh_from_db()
    return imp


def elsewhere(cast) -> dict[str, Any]:
    return person(3, id_number=id_number_of(cast.beijing_teacher))


# Row faults: the file reads; each bad row is named by its row and column.
ROW_FAULTS: list[tuple[str, Callable[[Any], bytes], set[tuple[int, str]]]] = [
    (
        "bad ID number",
        lambda c: sheet([person(1), person(2, id_number="131082197501011235")]),
        {(3, "身份证号")},
    ),
    (
        "ID number of a wrong form",
        lambda c: sheet([person(1, id_number="1310821975")]),
        {(2, "身份证号")},
    ),
    (
        "unknown school identifier",
        lambda c: sheet([person(1, school_code="2113099999")]),
        {(2, "单位标识码")},
    ),
    (
        "school identifier outside the scope",
        lambda c: sheet([person(1, school_code="2111012345")]),
        {(2, "单位标识码")},
    ),
    (
        "duplicates in the file",
        lambda c: sheet([person(1), person(2), person(1)]),
        {(4, "身份证号")},
    ),
    ("registered elsewhere", lambda c: sheet([person(1), elsewhere(c)]), {(3, "身份证号")}),
    (
        "unknown codes",
        lambda c: sheet([person(1, subjects="体操、数学", title="教授级")]),
        {(2, "任教学科"), (2, "职称")},
    ),
    (
        "a date that is none",
        lambda c: sheet([person(1, joined_on="2015-13-45")]),
        {(2, "到本单位时间")},
    ),
    (
        "a start before the age of 16",
        lambda c: sheet([person(1, joined_on="1980-09-01")]),
        {(2, "到本单位时间")},
    ),
    ("gender against the ID number", lambda c: sheet([person(1, gender="女")]), {(2, "性别")}),
    ("formula never calculated", lambda c: formula(), {(3, "手机号")}),
    ("ID number stored as a number", lambda c: id_as_number(), {(3, "身份证号")}),
]


@pytest.mark.parametrize(("case", "make", "named"), ROW_FAULTS, ids=[c[0] for c in ROW_FAULTS])
def test_a_bad_row_is_named_by_row_and_column_and_a_check_writes_nothing(cast, case, make, named):
    before = Staff.objects.count()
    imp = checked(cast, make(cast))
    assert {(row, column) for row, column, _m in imp.problems} == named, imp.problems
    assert all(message for _r, _c, message in imp.problems)
    assert imp.checked["failed"] == len({row for row, _c in named})
    assert Staff.objects.count() == before


def test_dates_in_five_forms_are_all_read(cast):
    forms = ["2015-09-01", "2015/9/1", "2015.9.1", "2015年9月1日", "20150901"]
    imp = checked(cast, sheet([person(i, joined_on=f) for i, f in enumerate(forms, 1)]))
    assert imp.checked == {"rows": 5, "create": 5, "update": 0, "unchanged": 0, "failed": 0}


@pytest.mark.parametrize("encoding", ["gbk", "utf-16", "utf-8-sig", "utf-8"])
def test_a_csv_in_gbk_utf16_or_utf8_is_read(cast, encoding):
    imp = checked(cast, csv([person(1), person(2)], encoding), "名单.csv")
    assert imp.checked["create"] == 2 and imp.checked["failed"] == 0


def test_an_all_or_nothing_write_that_meets_a_bad_row_writes_nothing(cast):
    imp = checked(cast, sheet([person(1), person(2)]))
    # The registry changes between the check and the write: row 3 is now registered
    # elsewhere, so the write meets an error the check did not see.
    sealed, index, masked, *_rest = personal_data.sealed_columns(person(2)["id_number"])
    Staff.objects.filter(pk=cast.beijing_teacher.pk).update(
        id_number_sealed=sealed, id_number_index=index, masked_id_number=masked
    )
    before = Staff.objects.count()
    imp = services.apply(cast.actor("sanhe"), imp.pk, "all", dispatch=False)
    job = jobs.run_now(imp.job)
    assert job.status == "failed" and "nothing was imported" in job.message
    assert Staff.objects.count() == before
