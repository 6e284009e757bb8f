"""Periodic reports: an authority's numbers for a period as a job writing an xlsx (a sheet
per section) and a PDF (Chinese embedded), fingerprinted, downloadable again; refusals."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from xietong.attachments.models import Attachment
from xietong.conftest import PASSWORD
from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.dashboard import overview, reports
from xietong.dashboard.scope import area_for
from xietong.dashboard.tests.world import World
from xietong.jobs.models import Job
from xietong.plan.models import PeriodicReport


def files_of(report: PeriodicReport) -> dict[str, bytes]:
    atts = Attachment.objects.filter(owner_id=report.pk, owner_type__model="periodicreport")
    return {a.original_name.rsplit(".", 1)[1]: a.file.open("rb").read() for a in atts}


def request(actor: Any, authority: str, period: str, commit: Any) -> PeriodicReport:
    with commit(execute=True):
        return reports.request_report(actor, authority, period)


def test_it_writes_the_report_with_the_dashboards_numbers(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    actor = world.actor("hebei")
    report = request(actor, "130000", "2025年第3季度", django_capture_on_commit_callbacks)
    report.refresh_from_db()
    job = Job.objects.get(pk=report.job_id)
    assert job.status == "succeeded" and job.done == job.total == 3
    shown = overview.build(area_for(actor, "region:130000"), overview.read_period("2025Q3"), {})
    assert job.result is not None and job.result["numbers"] == shown.numbers()
    assert report.fingerprint == reports.fingerprint(shown.numbers()) and report.finished_at
    files = files_of(report)
    assert set(files) == {"xlsx", "pdf"}
    book = zipfile.ZipFile(io.BytesIO(files["xlsx"]))
    workbook = book.read("xl/workbook.xml").decode()
    assert "一 基础教育" in workbook and "二 职业教育" in workbook
    sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
    assert len(sheets) == 2 + len(shown.charts) - 0 + 1  # numbers, charts, two sections
    assert "任务0" in book.read(sheets[-2]).decode() + book.read(sheets[-1]).decode()
    assert files["pdf"].startswith(b"%PDF") and b"/FontFile3" in files["pdf"]


def test_the_workbook_writes_counts_as_the_dashboard_shows_them(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """Whole numbers as such (28, as on the card and in the PDF — not 28.00)."""
    actor = world.actor("hebei")
    report = request(actor, "130000", "2025Q4", django_capture_on_commit_callbacks)
    shown = overview.build(area_for(actor, "region:130000"), overview.read_period("2025Q4"), {})
    book = zipfile.ZipFile(io.BytesIO(files_of(report)["xlsx"]))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    values = re.findall(r'<c r="B\d+"[^>]*><v>([^<]*)</v>', sheet)
    expected = [n.shown for n in shown.kpis] + [n.shown for n in shown.partnerships_by_kind]
    assert values == expected and any(v != "0" for v in values)
    assert 's="5"' not in sheet  # the two-decimals style of fractional numbers


def test_it_lets_the_requester_download_the_files_again(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    report = request(world.actor("sanhe"), "131082", "2025Q3", django_capture_on_commit_callbacks)
    c = Client()
    assert c.login(username="sanhe", password=PASSWORD)
    page = c.get("/dashboard/reports/")
    assert page.status_code == 200 and "131082-2025Q3.pdf" in page.content.decode()
    att = Attachment.objects.get(owner_id=report.pk, original_name="131082-2025Q3.pdf")
    r = c.get(f"/attachments/{att.pk}/download/")
    assert r.status_code == 200 and r.getvalue().startswith(b"%PDF")
    other = Client()
    assert other.login(username="beijing", password=PASSWORD)
    assert other.get(f"/attachments/{att.pk}/download/").status_code == 404


@pytest.mark.parametrize(
    ("viewer", "authority", "period", "refusal"),
    [
        ("sanhe", "130000", "2025Q3", PermissionDenied),
        ("beijing", "131082", "2025Q3", PermissionDenied),
        ("hebei", "130000", "2025Q5", InvalidInput),
        ("hebei", "130000", "soon", InvalidInput),
        ("hebei", "999999", "2025Q3", InvalidInput),
    ],
)
def test_it_refuses_an_authority_outside_the_scope_and_a_bad_period(
    world: World, viewer: str, authority: str, period: str, refusal: type[Exception]
) -> None:
    with pytest.raises(refusal):
        reports.request_report(world.actor(viewer), authority, period)
    assert not PeriodicReport.objects.exists() and not Job.objects.exists()


def test_it_refuses_on_the_page_with_a_message(world: World) -> None:
    c = Client()
    assert c.login(username="sanhe", password=PASSWORD)
    c.cookies["django_language"] = "en"
    r = c.post("/dashboard/reports/", {"authority": "130000", "period": "2025Q3"})
    assert r.status_code == 422 and "outside the regions" in r.content.decode()
    r = c.post("/dashboard/reports/", {"authority": "131082", "period": "Q9"})
    assert r.status_code == 422 and "is not a period" in r.content.decode()
    assert not PeriodicReport.objects.exists()


def plan(*args: str) -> str:
    out = io.StringIO()
    call_command("plan", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_it_writes_a_report_from_the_command_line(world: World) -> None:
    out = plan("report", "--authority", "130000", "--period", "2025Q3")
    report = PeriodicReport.objects.get()
    assert report.fingerprint in out and "130000-2025Q3.xlsx" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "2025Q9"), "is not a period"),
        (("--period", "2025Q3", "--as", "nobody"), "There is no user “nobody”"),
        (("--period", "2025Q3", "--as", "sanhe"), "outside the regions"),
    ],
)
def test_the_command_refuses_bad_input_with_a_message_and_exit_code_2(
    world: World, args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message) as e:
        plan("--lang", "en", "report", "--authority", "130000", *args)
    assert e.value.returncode == 2
    assert not PeriodicReport.objects.exists()


def test_the_command_says_which_argument_is_missing(world: World) -> None:
    with pytest.raises(CommandError, match="--authority"):
        plan("report", "--period", "2025Q3")
