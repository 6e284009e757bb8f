"""The staff export: exactly the staff list's rows for its filters, as xlsx or CSV, through
the page and the API — out-of-scope records never in it, ID numbers and phones masked unless
a keeper asks (re-authenticated, audited, its own records only), formulas defused."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from xietong.accounts.models import AuditEvent
from xietong.api_tests.conftest import Api, assert_error
from xietong.conftest import PASSWORD, id_number_of, make_staff, phone_of
from xietong.core.masking import mask_id_number, mask_phone
from xietong.core.tests.test_tables import _cells
from xietong.institutions import selectors
from xietong.institutions.selectors import StaffFilters
from xietong.jobs import exports
from xietong.jobs.choices import JobStatus
from xietong.jobs.models import Job

EXPORT = reverse("institutions:staff_export")
LIST = reverse("institutions:staff_list")
API = "/api/staff/export"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    settings.XIETONG_REQUIRE_REAUTH = False


def _as(client: Any, cast: Any, username: str, lang: str = "en") -> Any:
    client.force_login(cast.users[username])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def _csv(response: Any) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _api(path: str = API, **params: Any) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def test_it_exports_exactly_the_rows_the_list_shows_for_a_filter(client, cast):
    c = _as(client, cast, "hebei_viewer")
    page = c.get(LIST, {"area": "130000", "page_size": 20})
    shown = [s.name for s in page.context["page"].object_list]
    assert 'data-testid="list-export"' in page.content.decode()
    assert '<input type="hidden" name="area" value="130000">' in page.content.decode()
    response = c.post(EXPORT, {"area": "130000", "format": "csv"})
    assert response.status_code == 200
    header, *rows = _csv(response)
    assert header[:4] == ["Full name", "Gender", "Institution", "Region"]
    assert [r[0] for r in rows] == shown == ["刘大厂", "李三河", "赵雄安"]
    assert rows[1][2:6] == ["Sanhe Experimental", "三河市", "Teacher", "First grade (一级)"]


def test_it_exports_across_all_pages_of_the_list(client, cast):
    for i in range(25):
        make_staff(f"张{i:02d}", cast.sanhe_school, 100 + i)
    c = _as(client, cast, "sanhe")
    first = c.get(LIST, {"page_size": 20}).context["page"]
    assert len(first.object_list) == 20 and first.next_cursor  # two pages on the list
    _header, *rows = _csv(c.post(EXPORT, {"format": "csv"}))
    expected = list(
        selectors.staff_for(cast.actor("sanhe"), StaffFilters())
        .order_by(*selectors.STAFF_KEYSET)
        .values_list("name", flat=True)
    )
    assert [r[0] for r in rows] == expected and len(expected) == 26


def test_an_authority_exports_only_its_own_region_whatever_area_it_asks(client, cast):
    c = _as(client, cast, "sanhe")
    _header, *rows = _csv(c.post(EXPORT, {"format": "csv"}))
    assert [r[0] for r in rows] == ["李三河"]
    _header, *none = _csv(c.post(EXPORT, {"area": "110112", "format": "csv"}))
    assert none == []
    body = Api(cast).post(_api(area="110000", format="csv"), as_="sanhe")
    assert _csv(body)[1:] == []


@pytest.mark.parametrize("username", ["teacher", "secadmin", "auditor", "nobody"])
def test_it_refuses_whoever_does_not_read_staff_lists(client, cast, username):
    assert _as(client, cast, username).post(EXPORT, {"format": "csv"}).status_code == 403
    assert_error(Api(cast).post(_api(format="csv"), as_=username), 403, "forbidden")
    assert not AuditEvent.objects.filter(action="staff.export").exists()


def test_it_masks_id_numbers_and_phones_by_default_in_both_formats(client, cast):
    teacher = cast.sanhe_teacher
    c = _as(client, cast, "sanhe")
    _header, row = _csv(c.post(EXPORT, {"format": "csv"}))
    assert row[9] == mask_id_number(id_number_of(teacher)) and "*" in row[9]
    assert row[10] == mask_phone(phone_of(teacher))
    workbook = b"".join(c.post(EXPORT, {"format": "xlsx"}).streaming_content)
    _header, cells = _cells(workbook)
    assert row[9] in [c[2] for c in cells]  # (empty cells are not written)
    assert id_number_of(teacher).encode() not in workbook
    event = AuditEvent.objects.filter(action="staff.export").latest("id")
    assert event.detail["personal_data"] is False and event.detail["rows"] == 1


def test_a_keeper_asks_for_personal_data_in_clear_and_the_event_says_so(client, cast):
    teacher = cast.sanhe_teacher
    page = _as(client, cast, "school_admin").get(LIST)
    assert 'data-testid="export-personal-data"' in page.content.decode()
    response = client.post(EXPORT, {"format": "csv", "personal_data": "on"})
    _header, *rows = _csv(response)
    row = next(r for r in rows if r[0] == teacher.name)
    assert row[9] == id_number_of(teacher) and row[10] == phone_of(teacher)
    event = AuditEvent.objects.get(action="staff.export")
    assert event.actor_name == "school_admin"
    assert event.detail["personal_data"] is True and event.detail["params"]["personal_data"]


def test_personal_data_opens_only_for_the_records_the_actor_may_reveal(cast):
    """The system admin reads every record and keeps none: no clear data, ever."""
    sysadmin = Api(cast).post(_api(format="csv", personal_data="true"), as_="sysadmin")
    assert_error(sysadmin, 403, "forbidden")
    rows = list(selectors.staff_export_rows(cast.actor("beijing"), StaffFilters(), unmasked=True))
    assert [r[9] for r in rows] == [id_number_of(cast.beijing_teacher)]


def test_a_viewer_is_offered_no_clear_personal_data_and_is_refused_it(client, cast):
    page = _as(client, cast, "hebei_viewer").get(LIST)
    assert 'data-testid="export-personal-data"' not in page.content.decode()
    assert client.post(EXPORT, {"format": "csv", "personal_data": "on"}).status_code == 403
    api = Api(cast).post(_api(format="csv", personal_data="true"), as_="hebei_viewer")
    assert_error(api, 403, "forbidden")
    assert not AuditEvent.objects.filter(action="staff.export").exists()


def test_clear_personal_data_asks_for_a_recent_re_authentication(client, cast, settings):
    settings.XIETONG_REQUIRE_REAUTH = True
    c = _as(client, cast, "sanhe")
    page = c.post(EXPORT, {"format": "csv", "personal_data": "on"}, HTTP_REFERER=LIST)
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:reauthenticate"))
    assert c.post(EXPORT, {"format": "csv"}).status_code == 200  # masked: no password asked
    api = Api(cast)
    url = _api(format="csv", personal_data="true")
    assert_error(api.post(url, as_="sanhe"), 403, "reauthentication_required")
    ok = api.post("/api/accounts/me/reauthenticate", {"password": PASSWORD}, as_="sanhe")
    assert ok.status_code == 200
    done = api.post(url, as_="sanhe")
    assert done.status_code == 200 and _csv(done)[1][9] == id_number_of(cast.sanhe_teacher)
    assert AuditEvent.objects.filter(action="staff.export").count() == 2


def test_cells_that_a_spreadsheet_would_run_are_defused(client, cast):
    for i, name in enumerate(["=1+2", "+SUM(A1)", "-3", "@cmd", "\tx", "\ry"]):
        make_staff(name, cast.sanhe_school, 50 + i)
    _header, *rows = _csv(_as(client, cast, "sanhe").post(EXPORT, {"format": "csv"}))
    names = {r[0] for r in rows}
    assert {"'=1+2", "'+SUM(A1)", "'-3", "'@cmd", "'\tx", "'\ry"} <= names
    workbook = b"".join(client.post(EXPORT, {"format": "xlsx"}).streaming_content)
    _header, *cells = _cells(workbook)
    assert all(r[0][0] == "inlineStr" for r in cells)  # text, never a formula


def test_it_writes_chinese_headers_and_a_dated_filename_for_a_chinese_reader(client, cast):
    response = _as(client, cast, "sanhe", lang="zh-hans").post(EXPORT, {"format": "xlsx"})
    assert "attachment" in response["Content-Disposition"]
    assert "_20" in response["Content-Disposition"]
    header, first = _cells(b"".join(response.streaming_content))
    assert [h[2] for h in header][:3] == ["姓名", "性别", "单位"]
    assert first[4][2] == "教师"


def test_bad_filters_go_back_to_the_list_with_their_message(client, cast):
    c = _as(client, cast, "sanhe")
    response = c.post(EXPORT, {"area": "999999", "format": "csv"})
    assert response.status_code == 302 and response["Location"].startswith(LIST)
    assert_error(Api(cast).post(_api(format="pdf"), as_="sanhe"), 422)
    assert not AuditEvent.objects.filter(action="staff.export").exists()


def test_a_large_export_is_a_job_whose_file_holds_the_rows(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.XIETONG_EXPORT_SYNC_ROWS = 1
    api = Api(cast)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(_api(format="csv", area="130000"), as_="hebei_viewer")
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == JobStatus.SUCCEEDED and job.result["rows"] == 3
    event = AuditEvent.objects.get(action="staff.export")
    assert event.detail["delivery"] == "job" and event.detail["personal_data"] is False


# --- the console: xietong export staff … ---------------------------------------------------


def _command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_console_exports_a_regions_staff_masked_through_the_same_export(cast, tmp_path):
    target = tmp_path / "staff.csv"
    _out, err = _command("staff", "--region", "130000", "--lang", "en", str(target))
    assert "3 rows written" in err
    header, *rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert header[0] == "Full name" and [r[0] for r in rows] == ["刘大厂", "李三河", "赵雄安"]
    assert all("*" in r[9] for r in rows)
    event = AuditEvent.objects.get(action="staff.export")
    assert event.detail["delivery"] == "file" and event.detail["rows"] == 3
    assert event.detail["personal_data"] is False


def test_the_console_acts_as_an_account_within_its_scope_and_an_institution(cast, tmp_path):
    target = tmp_path / "out.xlsx"
    school = str(cast.sanhe_school.pk)
    _command("staff", "--region", "131082", "--institution", school, "--as", "sanhe", str(target))
    _header, *rows = _cells(target.read_bytes())
    assert [r[0][2] for r in rows] == ["李三河"]
    _command("staff", "--region", "110000", "--as", "sanhe", str(target))
    assert _cells(target.read_bytes())[1:] == []  # Beijing is outside 三河's scope


@pytest.mark.parametrize(
    "args, message",
    [
        (["staff", "--region", "999999"], "No region with the code"),
        (["people", "--region", "131082"], "Unknown list"),
        (["staff", "--region", "131082", "--format", "pdf"], "Unknown format"),
        (["staff", "--region", "131082", "--as", "ghost"], "No active user"),
        (["staff", "--region", "131082", "--as", "teacher"], "staff directory"),
        (["staff", "--region", "131082", "--institution", "x"], "institution"),
    ],
)
def test_the_console_says_what_is_wrong_and_writes_nothing(cast, tmp_path, args, message):
    target = tmp_path / "out.csv"
    with pytest.raises(CommandError) as e:
        _command(*args, "--lang", "en", str(target))
    assert message in str(e.value) and e.value.returncode == 2
    assert list(tmp_path.iterdir()) == []
    assert not AuditEvent.objects.filter(action="staff.export").exists()


def test_the_console_shows_a_progress_bar_on_stderr_for_a_large_export(
    cast, tmp_path, settings, monkeypatch
):
    settings.XIETONG_EXPORT_SYNC_ROWS = 10
    monkeypatch.setattr(exports, "REPORT_EVERY", 5)
    for i in range(20):
        make_staff(f"孙{i:02d}", cast.sanhe_school, 200 + i)
    _out, err = _command("staff", "--region", "131082", str(tmp_path / "big.csv"))
    assert "20/21" in err and "21 rows written" in err
