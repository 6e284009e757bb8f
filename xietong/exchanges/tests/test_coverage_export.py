"""The coverage export: the page's schools in the page's order as an Excel workbook — now
when few, as a job past the row limit — for the readers of coverage only, each within its
own region whatever area it asks for; audited; through the page and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from xietong.accounts.models import AuditEvent
from xietong.api_tests.conftest import Api, assert_error
from xietong.core.tests.test_tables import _cells
from xietong.exchanges.tests.test_coverage_page import rotate, school, schools  # noqa: F401
from xietong.jobs.choices import JobStatus
from xietong.jobs.models import Job

EXPORT = reverse("exchanges:coverage_export")
API = "/api/exchanges/coverage/export"
TERM = {"school_year": "2024-2025", "term": "1"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }


def _as(client: Any, ex: Any, username: str = "sanhe", lang: str = "en") -> Any:
    client.force_login(ex.cast.users[username])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def _names(content: bytes) -> list[str]:
    _header, *rows = _cells(content)
    return [r[0][2] for r in rows]


def test_it_exports_the_schools_in_the_pages_order_as_a_workbook(client, ex, schools):  # noqa: F811
    c = _as(client, ex)
    page = c.get(reverse("exchanges:coverage"), TERM)
    shown = [r["institution"] for r in page.context["page"].object_list]
    assert 'data-testid="coverage-export"' in page.content.decode()
    response = c.post(EXPORT, {**TERM, "sort": "gap"})
    assert response.status_code == 200
    assert "coverage_2024-2025-1.xlsx" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    header, first, *_rest = _cells(content)
    assert [h[2] for h in header][:3] == ["Institution", "Region", "Eligible teachers"]
    assert [v[2] for v in first][:3] == ["Alpha", "三河市", "30"]
    assert first[9][2] == "3" and first[10][2] == "Below 10% rotated"  # the gap, the rule
    assert _names(content) == shown
    event = AuditEvent.objects.get(action="exchanges.coverage.export")
    assert event.actor_name == "sanhe" and event.detail["rows"] == len(shown)
    assert event.detail["params"] == {
        "school_year": 2024,
        "term": 1,
        "area": "",
        "institution": None,
        "sort": "gap",
    }


def test_it_exports_in_chinese_for_a_chinese_reader(client, ex, schools):  # noqa: F811
    response = _as(client, ex, lang="zh-hans").post(EXPORT, {**TERM, "sort": "name"})
    header, first, *_rest = _cells(b"".join(response.streaming_content))
    assert [h[2] for h in header][:2] == ["单位", "地区"]
    assert first[10][2] == "交流不足 10%"


def test_it_exports_only_the_authoritys_own_region_whatever_area_it_asks(client, ex, schools):  # noqa: F811
    school("Tongzhou Two", 9, code="110112")
    c = _as(client, ex)
    own = _names(b"".join(c.post(EXPORT, {**TERM, "sort": "name"}).streaming_content))
    assert "Alpha" in own and "Tongzhou Two" not in own and "Tongzhou No. 1" not in own
    elsewhere = c.post(EXPORT, {**TERM, "area": "110112"})
    assert _names(b"".join(elsewhere.streaming_content)) == []
    theirs = _names(b"".join(_as(client, ex, "tongzhou").post(EXPORT, TERM).streaming_content))
    assert set(theirs) == {"Tongzhou No. 1", "Tongzhou Two"}


def test_it_makes_a_large_export_a_job_run_in_the_owners_scope(
    client,
    ex,
    schools,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    settings.XIETONG_EXPORT_SYNC_ROWS = 2
    school("Tongzhou Two", 9, code="110112")
    c = _as(client, ex)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(EXPORT, {**TERM, "sort": "name"})
    job = Job.objects.get(kind="exports.exchanges.coverage")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED and job.result["rows"] == 5
    file = c.get(reverse("jobs:result_file", args=[job.pk]))
    assert _names(b"".join(file.streaming_content)) == [
        "Alpha",
        "Bravo",
        "Charlie",
        "Delta",
        "Sanhe Experimental",
    ]
    assert (
        _as(client, ex, "tongzhou").get(reverse("jobs:result_file", args=[job.pk])).status_code
        == 404
    )


def test_it_exports_through_the_api_now_or_as_a_job(
    ex,
    schools,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    api = Api(ex.cast)
    now = api.post(API, {"school_year": "2024-2025", "term": 1}, as_="hebei_viewer")
    assert now.status_code == 200
    assert "Alpha" in _names(b"".join(now.streaming_content))
    settings.XIETONG_EXPORT_SYNC_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        later = api.post(API, {"school_year": "2024-2025", "sort": "eligible"}, as_="sanhe")
    assert later.status_code == 202 and later.json()["kind"] == "exports.exchanges.coverage"
    job = api.get(f"/api/jobs/{later.json()['id']}", as_="sanhe").json()
    workbook = api.get(job["result_file"], as_="sanhe")
    assert _names(b"".join(workbook.streaming_content))[0] == "Delta"
    bad = assert_error(api.post(API, {"school_year": "2024"}, as_="sanhe"), 422)
    assert bad["fields"]
    assert_error(api.post(API, {"school_year": "2024-2025", "area": "nowhere"}, as_="sanhe"), 422)


@pytest.mark.parametrize("username", ["teacher", "auditor", "secadmin", "nobody"])
def test_it_refuses_the_export_to_those_who_do_not_read_coverage(client, ex, username):
    assert _as(client, ex, username).post(EXPORT, TERM).status_code == 403
    assert_error(Api(ex.cast).post(API, {"school_year": "2024-2025"}, as_=username), 403)
    assert not AuditEvent.objects.filter(action="exchanges.coverage.export").exists()


def test_it_says_what_is_wrong_with_the_filters_and_goes_back_to_the_page(client, ex):
    response = _as(client, ex).post(EXPORT, {"school_year": "2024", "sort": "gap"}, follow=True)
    assert response.status_code == 200 and "two consecutive years" in response.content.decode()
    assert not AuditEvent.objects.filter(action="exchanges.coverage.export").exists()
