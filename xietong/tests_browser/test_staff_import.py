"""A real browser: the 三河市 authority (``sanhe``) downloads the staff template, uploads
1,000 teachers of which three rows are bad, sees the three rows named with their reasons,
imports the valid rows, downloads the rows with errors, corrects them and uploads them
again — and the school has its 1,000 teachers. Pages are shot in Chinese and in English
to ``/tmp/shots-import/``."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from xietong.accounts.models import Role, RoleAssignment, User
from xietong.core import tables
from xietong.core.compile_messages import compile_all
from xietong.institutions.models import Institution, Staff
from xietong.institutions.staff_roster import FIELDS
from xietong.institutions.validators import id_check_char
from xietong.regions.models import Region
from xietong.tests_browser.test_journey import CHROMIUM, _empty_the_audit_log_for_the_flush
from xietong.tests_browser.test_partnership_activity import Person
from xietong.transfer import reading

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
compile_all()

SHOTS = Path("/tmp/shots-import")
SCHOOL_CODE = "2113012345"
BEIJING_CODE = "2111012345"
BAD = {17: "id_number", 480: "joined_on", 931: "school_code"}  # row index → the bad column

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="needs Debian's chromium"),
]


def _school(name: str, code: str, school_code: str) -> Institution:
    region = Region.objects.get(code=code)
    return Institution.objects.create(
        name=name,
        kind="primary",
        region=region,
        region_path=region.path,
        stages=",primary,",
        school_code=school_code,
    )


@pytest.fixture
def school(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[Institution]:
    sanhe = _school("三河市燕郊第一小学", "131082", SCHOOL_CODE)
    _school("北京市通州区第一小学", "110112", BEIJING_CODE)
    user = User.objects.create_user(
        username="sanhe",
        password=settings.XIETONG_DEMO_PASSWORD,
        display_name="三河市教体局 刘老师",
    )
    RoleAssignment.objects.create(
        user=user, role=Role.AUTHORITY_ADMIN, region=Region.objects.get(code="131082")
    )
    yield sanhe
    _empty_the_audit_log_for_the_flush()


def _teacher(i: int) -> dict[str, Any]:
    born = dt.date(1962, 1, 1) + dt.timedelta(days=i * 9)
    body = f"131082{born:%Y%m%d}{(i % 499) * 2 + 1:03d}"
    return {
        "name": f"张{i:04d}",
        "id_number": body + id_check_char(body),
        "gender": "男",
        "school_code": SCHOOL_CODE,
        "stages": "小学",
        "subjects": "数学、科学" if i % 2 else "语文",
        "title": "一级教师",
        "joined_on": dt.date(2012, 9, 1),
    }


def _roster(path: Path) -> list[dict[str, Any]]:
    rows = [_teacher(i) for i in range(1000)]
    good = {i: dict(rows[i]) for i in BAD}
    number = rows[17]["id_number"]
    rows[17]["id_number"] = number[:-1] + ("1" if number[-1] != "1" else "2")
    rows[480]["joined_on"] = dt.date(2031, 9, 1)
    rows[931]["school_code"] = BEIJING_CODE
    keys = [f.column.key for f in FIELDS]
    with path.open("wb") as out:
        tables.write_xlsx(
            [
                tables.Column(f.column.header, "date" if f.column.kind == "date" else "text")
                for f in FIELDS
            ],
            [[r.get(k, "") for k in keys] for r in rows],
            out,
        )
    return [good[i] for i in sorted(BAD)]


def _fixed(report: Path, good: list[dict[str, Any]], out: Path) -> None:
    """What the user does with the error report: each bad cell set right, saved again."""
    with report.open("rb") as src:
        rows = list(reading.open_table(src, report.name, [x.column for x in FIELDS]).rows)
    assert [r.values["name"] for r in rows] == [g["name"] for g in good]
    keys = [f.column.key for f in FIELDS]
    fixed = []
    for row, right in zip(rows, good, strict=True):
        values = {**row.values, **{k: right[k] for k in BAD.values()}}
        fixed.append([values.get(k) or "" for k in keys])
    with out.open("wb") as f:
        tables.write_xlsx([tables.Column(x.column.header) for x in FIELDS], fixed, f)


def test_sanhe_imports_a_thousand_teachers_fixes_the_three_bad_rows_and_has_them_all(
    live_server: Any, school: Institution, browser: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    sanhe = Person(browser, base, "sanhe")
    page = sanhe.go("/imports/")
    with page.expect_download() as download:
        page.get_by_test_id("template-staff").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    with template.open("rb") as f:
        headers = [
            c.header for c in reading.open_table(f, "t.xlsx", [x.column for x in FIELDS]).columns
        ]
    assert headers[:2] == ["姓名*", "身份证号*"]

    roster = tmp_path / "三河市燕郊第一小学教师名单.xlsx"
    good = _roster(roster)
    page.select_option("#id_roster", "staff")
    page.set_input_files("#id_file", str(roster))
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("count-rows")).to_have_text("1000")
    expect(page.get_by_test_id("count-create")).to_have_text("997")
    expect(page.get_by_test_id("count-failed")).to_have_text("3")
    problems = page.get_by_test_id("problem")
    expect(problems).to_have_count(3)
    expect(problems.nth(0)).to_contain_text("19")  # sheet row: header is row 1
    expect(problems.nth(0)).to_contain_text("校验码")
    expect(problems.nth(1)).to_contain_text("该日期在未来")
    expect(problems.nth(2)).to_contain_text("不在您的管理范围内")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "01-checked-zh.png"), full_page=True)

    page.get_by_test_id("apply-valid").click()
    expect(page.get_by_test_id("count-create")).to_have_text("997")
    expect(page.get_by_test_id("apply-actions")).to_have_count(0)
    assert Staff.objects.filter(institution=school).count() == 997

    with page.expect_download() as download:
        page.get_by_test_id("error-report").click()
    report = tmp_path / "errors.xlsx"
    download.value.save_as(report)
    corrected = tmp_path / "改正后.xlsx"
    _fixed(report, good, corrected)

    page = sanhe.go("/imports/?roster=staff")  # as the staff list's import link opens it
    page.set_input_files("#id_file", str(corrected))
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("count-create")).to_have_text("3")
    expect(page.get_by_test_id("count-failed")).to_have_text("0")
    page.get_by_test_id("apply-all").click()
    expect(page.get_by_test_id("apply-actions")).to_have_count(0)
    assert Staff.objects.filter(institution=school).count() == 1000

    page.locator("button[name=language][value=en]").first.click()
    expect(page.get_by_test_id("count-create")).to_have_text("3")
    page.screenshot(path=str(SHOTS / "02-imported-en.png"), full_page=True)
    page = sanhe.go("/institutions/staff/?q=张0017")
    expect(page.locator("body")).to_contain_text("张0017")
