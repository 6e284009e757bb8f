"""Importing the institutions roster: matched by school identifier or by name in a county."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xietong.core import tables
from xietong.core.errors import PermissionDenied
from xietong.institutions.institution_roster import FIELDS
from xietong.institutions.models import Institution
from xietong.jobs import services as jobs
from xietong.transfer import services
from xietong.transfer.models import Import

pytestmark = pytest.mark.django_db

KEYS = [f.column.key for f in FIELDS]


def workbook(rows: list[dict[str, Any]]) -> SimpleUploadedFile:
    out = io.BytesIO()
    tables.write_xlsx(
        [tables.Column(f.column.header) for f in FIELDS],
        [[r.get(k, "") for k in KEYS] for r in rows],
        out,
    )
    return SimpleUploadedFile("学校.xlsx", out.getvalue())


def school(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": "小学", "region": "131082 三河市", **extra}


def imported(cast, user: str, rows: list[dict[str, Any]], mode: str = "valid") -> Import:
    imp = services.start_import(cast.actor(user), "institutions", workbook(rows), dispatch=False)
    jobs.run_now(imp.job)
    imp.refresh_from_db()
    if mode != "check" and imp.checked and (imp.checked["create"] or imp.checked["update"]):
        imp = services.apply(cast.actor(user), imp.pk, mode, dispatch=False)
        jobs.run_now(imp.job)
        imp.refresh_from_db()
    return imp


def test_it_registers_new_schools_updates_known_ones_and_refuses_others_by_row(cast):
    rows = [
        school("三河市燕郊第二小学", school_code="2113012346", locality="乡村"),
        school("Sanhe Experimental", school_code="2113012345", address="三河市迎宾路 1 号"),
        school("三河市燕郊第二小学"),
        school("通州区某小学", region="110112"),
        school("三河市某中学", kind="大学预科"),
    ]
    imp = imported(cast, "sanhe", rows, mode="check")
    assert imp.checked == {"rows": 5, "create": 1, "update": 1, "unchanged": 0, "failed": 3}
    named = {(row, column) for row, column, _m in imp.problems}
    assert named == {(4, "单位名称"), (5, "所在区县"), (6, "办学类型")}
    imp = services.apply(cast.actor("sanhe"), imp.pk, "valid", dispatch=False)
    jobs.run_now(imp.job)
    new = Institution.objects.get(name="三河市燕郊第二小学")
    assert new.region.code == "131082" and new.locality == "rural" and new.stages == ",primary,"
    cast.sanhe_school.refresh_from_db()
    assert cast.sanhe_school.address == "三河市迎宾路 1 号"


def test_a_second_import_of_the_same_file_changes_nothing(cast):
    rows = [school("三河市燕郊第三小学", school_code="2113012347")]
    assert imported(cast, "sanhe", rows).written["create"] == 1
    again = imported(cast, "sanhe", rows, mode="check")
    assert again.checked["unchanged"] == 1 and again.checked["create"] == 0


def test_an_institution_admin_may_not_import_institutions(cast):
    with pytest.raises(PermissionDenied):
        services.start_import(cast.actor("school_admin"), "institutions", workbook([school("x")]))
