"""Importing the staff roster: check, dry run, write, error report — as the 三河市 authority."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from xietong.accounts.models import AuditEvent
from xietong.conftest import make_id_number
from xietong.core import tables
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied
from xietong.institutions.models import Staff
from xietong.institutions.staff_roster import FIELDS
from xietong.jobs import services as jobs
from xietong.transfer import reading, services
from xietong.transfer.models import Import

pytestmark = pytest.mark.django_db

HEADERS = [f.column.header for f in FIELDS]
BORN = dt.date(1980, 1, 1)


def workbook(rows: list[dict[str, Any]], name: str = "roster.xlsx") -> SimpleUploadedFile:
    out = io.BytesIO()
    columns = [tables.Column(h) for h in HEADERS]
    keys = [f.column.key for f in FIELDS]
    tables.write_xlsx(columns, [[r.get(k, "") for k in keys] for r in rows], out)
    return SimpleUploadedFile(name, out.getvalue())


def person(serial: int, **extra: Any) -> dict[str, Any]:
    return {
        "name": f"教师{serial}",
        "id_number": make_id_number(
            "131082", dt.date(1980, 1, 1) + dt.timedelta(days=serial), serial
        ),
        "school_code": "2113012345",
        "subjects": "数学",
        "stages": "小学",
        "title": "一级教师",
        "joined_on": "2015-09-01",
        **extra,
    }


def check(cast, user: str, rows: list[dict[str, Any]]) -> Import:
    imp = services.start_import(cast.actor(user), "staff", workbook(rows), dispatch=False)
    job = jobs.run_now(imp.job)
    assert job.status == "succeeded", job.message
    imp.refresh_from_db()
    return imp


def write(cast, user: str, imp: Import, mode: str = "valid") -> Import:
    imp = services.apply(cast.actor(user), imp.pk, mode, dispatch=False)
    jobs.run_now(imp.job)
    imp.refresh_from_db()
    return imp


def test_a_dry_run_says_what_would_be_created_updated_and_left_and_writes_nothing(cast):
    tina = cast.sanhe_teacher
    from xietong.conftest import id_number_of

    rows = [
        person(1),
        person(2),
        {
            **person(3),
            "id_number": id_number_of(tina),
            "name": tina.name,
            "gender": "女",
            "birth_date": tina.birth_date.isoformat(),
            "title": "一级教师",
            "subjects": "数学",
            "stages": "小学",
            "joined_on": tina.joined_on.isoformat(),
            "phone": "13800000002",
        },
        {**person(4), "id_number": id_number_of(tina)},
    ]
    before = Staff.objects.count()
    imp = check(cast, "sanhe", rows)
    assert imp.checked == {"rows": 4, "create": 2, "update": 0, "unchanged": 1, "failed": 1}
    assert imp.problems[0][:2] == [5, "身份证号"]
    assert "第 4 行" in imp.problems[0][2]
    assert Staff.objects.count() == before


def test_it_imports_the_valid_rows_and_names_each_bad_one_by_row_and_column(cast):
    rows = [
        person(1),
        person(2, id_number="131082198001010000"),
        person(3, school_code="2111012345"),
        person(4),
    ]
    imp = check(cast, "sanhe", rows)
    assert imp.checked["failed"] == 2
    named = {(r, c) for r, c, _m in imp.problems}
    assert named == {(3, "身份证号"), (4, "单位标识码")}
    assert "Tongzhou No. 1（2111012345）不在您的管理范围内" in imp.problems[1][2]
    before = Staff.objects.count()
    imp = write(cast, "sanhe", imp)
    assert imp.written["create"] == 2 and imp.written["failed"] == 2
    assert Staff.objects.count() == before + 2
    event = AuditEvent.objects.filter(action="staff.import").get()
    assert event.detail["created"] == 2 and len(event.detail["sha256"]) == 64


def test_all_or_nothing_refuses_a_file_with_errors_and_writes_nothing(cast):
    imp = check(cast, "sanhe", [person(1), person(2, joined_on="2099-01-01")])
    with pytest.raises(Conflict):
        services.apply(cast.actor("sanhe"), imp.pk, "all", dispatch=False)


def test_the_error_report_has_the_template_shape_the_cells_marked_and_the_reasons(cast):
    imp = check(cast, "sanhe", [person(1), person(2, id_number="12345")])
    with imp.error_report.open("rb") as f:
        table = reading.open_table(f, "errors.xlsx", [f_.column for f_ in FIELDS])
        rows = list(table.rows)
    assert len(rows) == 1 and rows[0].values["id_number"] == "12345"
    assert "错误原因" in table.unknown


def test_an_institution_admin_cannot_import_into_another_school_and_a_viewer_not_at_all(cast):
    imp = check(cast, "school_admin", [person(1, school_code="2111012345")])
    assert imp.checked["failed"] == 1
    with pytest.raises(PermissionDenied):
        services.start_import(cast.actor("hebei_viewer"), "staff", workbook([person(1)]))


def test_a_file_that_is_no_table_is_refused_before_anything_is_stored(cast):
    pdf = SimpleUploadedFile("roster.xlsx", b"%PDF-1.4 not a table")
    with pytest.raises(InvalidInput) as e:
        services.start_import(cast.actor("sanhe"), "staff", pdf)
    assert "PDF" in e.value.fields["file"][0]
    assert not Import.objects.exists()


def test_a_re_upload_of_the_same_rows_leaves_them_unchanged(cast):
    imp = write(cast, "sanhe", check(cast, "sanhe", [person(1), person(2)]))
    assert imp.written["create"] == 2
    again = check(cast, "sanhe", [person(1), person(2, title="高级教师")])
    assert again.checked == {"rows": 2, "create": 0, "update": 1, "unchanged": 1, "failed": 0}
    write(cast, "sanhe", again, "all")
    assert Staff.objects.get(masked_id_number__startswith="131082", name="教师2").title == "senior"


def test_every_roster_s_audit_events_are_described_in_words(cast):
    from xietong.accounts import audit_reading
    from xietong.transfer.rosters import rosters

    actions = {"transfer.error_report"}
    for roster in rosters():
        actions |= {roster.audit_action, f"{roster.audit_action}_check"}
    assert not sorted(a for a in actions if audit_reading.described(a) is None)
    imp = write(cast, "sanhe", check(cast, "sanhe", [person(1), person(2, id_number="x")]))
    event = AuditEvent.objects.filter(action="staff.import").get()
    with translation.override("en"):
        (rendered,) = audit_reading.render([event])
    text = rendered.text  # type: ignore[attr-defined]
    assert "1 created" in text and "1 rows with errors" in text and imp.file_name in text
