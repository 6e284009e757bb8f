"""The import pages, the API and the command: the same service behind each door."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from xietong.accounts.models import AuditEvent
from xietong.conftest import PASSWORD
from xietong.institutions.models import Staff
from xietong.institutions.staff_roster import FIELDS
from xietong.transfer import reading
from xietong.transfer.models import Import
from xietong.transfer.tests.test_staff_import import person, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def sanhe(client, cast, django_capture_on_commit_callbacks):
    """The 三河市 authority signed in; jobs queued by a request run when it commits."""
    client.login(username="sanhe", password=PASSWORD)
    post = client.post

    def posting(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(*args, **kwargs)

    client.post = posting
    return client


def test_the_template_has_the_chinese_headers_an_example_and_is_read_back_as_is(sanhe):
    response = sanhe.get(reverse("transfer:template", args=["staff"]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    table = reading.open_table(io.BytesIO(content), "t.xlsx", [f.column for f in FIELDS])
    assert [c.header for c in table.columns][:3] == ["姓名*", "身份证号*", "性别"]
    assert table.unknown == []
    (example,) = list(table.rows)
    assert str(example.values["name"]).startswith("示例") and example.problems == []
    assert b"dataValidation" in _sheet_xml(content)


def _sheet_xml(content: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_the_sanhe_authority_uploads_sees_the_bad_rows_and_imports_the_valid_ones(sanhe):
    upload = workbook([person(1), person(2, id_number="bad"), person(3)])
    response = sanhe.post(reverse("transfer:imports"), {"roster": "staff", "file": upload})
    imp = Import.objects.get()
    assert response.status_code == 302 and response.url == reverse("transfer:import", args=[imp.pk])
    page = sanhe.get(response.url).content.decode()
    assert 'data-testid="count-failed">1<' in page and "身份证号" in page
    before = Staff.objects.count()
    sanhe.post(reverse("transfer:apply", args=[imp.pk]), {"mode": "valid"})
    assert Staff.objects.count() == before + 2
    report = sanhe.get(reverse("transfer:error_report", args=[imp.pk]))
    assert report.status_code == 200
    assert AuditEvent.objects.filter(action="transfer.error_report").count() == 1


def test_a_file_that_is_no_table_is_refused_inline_in_chinese(sanhe):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("名单.xlsx", b"%PDF-1.4 ...")
    response = sanhe.post(reverse("transfer:imports"), {"roster": "staff", "file": pdf})
    assert response.status_code == 422
    assert (
        "PDF" in response.content.decode()
        and 'data-testid="file-errors"' in response.content.decode()
    )
    assert not Import.objects.exists()


def test_nobody_else_sees_an_import_and_a_viewer_has_no_import_page(client, cast, sanhe):
    sanhe.post(reverse("transfer:imports"), {"roster": "staff", "file": workbook([person(1)])})
    imp = Import.objects.get()
    client.logout()
    client.login(username="tongzhou", password=PASSWORD)
    assert client.get(reverse("transfer:import", args=[imp.pk])).status_code == 404
    assert client.get(reverse("transfer:error_report", args=[imp.pk])).status_code == 404
    client.logout()
    client.login(username="hebei_viewer", password=PASSWORD)
    assert client.get(reverse("transfer:imports")).status_code == 403


def test_the_api_uploads_checks_and_applies(sanhe):
    response = sanhe.post(
        "/api/imports/", {"roster": "staff", "file": workbook([person(1), person(2)])}
    )
    assert response.status_code == 201, response.content
    body = sanhe.get(f"/api/imports/{response.json()['id']}").json()
    assert body["checked"] == {"rows": 2, "create": 2, "update": 0, "unchanged": 0, "failed": 0}
    applied = sanhe.post(
        f"/api/imports/{body['id']}/apply", {"mode": "all"}, content_type="application/json"
    )
    assert applied.status_code == 202
    assert sanhe.get(f"/api/imports/{body['id']}").json()["written"]["create"] == 2
    again = sanhe.post(
        f"/api/imports/{body['id']}/apply", {"mode": "all"}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    bad = sanhe.post("/api/imports/", {"roster": "teachers", "file": workbook([person(1)])})
    assert bad.status_code == 422 and "roster" in bad.json()["fields"]


def test_the_command_checks_then_writes_and_names_bad_rows(cast, tmp_path: Path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(workbook([person(1), person(2, joined_on="2099-09-01")]).read())
    out = io.StringIO()
    call_command(
        "import",
        "staff",
        str(path),
        "--region",
        "131082",
        "--dry-run",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert '"create": 1' in out.getvalue() and "row 3" in out.getvalue()
    assert not Staff.objects.filter(name="教师1").exists()
    errors = tmp_path / "errors.xlsx"
    call_command(
        "import",
        "staff",
        str(path),
        "--as-user",
        "sanhe",
        "--errors",
        str(errors),
        stdout=out,
        stderr=io.StringIO(),
    )
    assert Staff.objects.filter(name="教师1").exists() and errors.stat().st_size > 0
    with pytest.raises(CommandError, match="--as-user"):
        call_command("import", "staff", str(path), stdout=out, stderr=io.StringIO())
    with pytest.raises(CommandError, match="No file"):
        call_command("import", "staff", str(tmp_path / "none.xlsx"), "--region", "131082")


def test_the_staff_list_links_to_the_import_with_its_roster_chosen(sanhe):
    page = sanhe.get(reverse("institutions:staff_list")).content.decode()
    assert 'data-testid="import-link"' in page
    form = sanhe.get(reverse("transfer:imports") + "?roster=institutions").content.decode()
    assert '<option value="institutions" selected>' in form
