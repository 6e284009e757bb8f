"""The attachments partial on the placement page, its upload and removal posts, the download."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from xietong.accounts.models import AuditEvent
from xietong.attachments import services
from xietong.attachments.models import Attachment
from xietong.attachments.tests import corpus as c
from xietong.attachments.tests.conftest import stored_files, upload
from xietong.core.compile_messages import compile_all

compile_all()

pytestmark = pytest.mark.urls("xietong.urls")
REPORT = "exchanges.placementreport"


def login(client: Any, ex: Any, username: str, lang: str = "en") -> Any:
    client.force_login(ex.cast.users[username])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def page(placement: Any) -> str:
    return reverse("exchanges:placement_detail", args=[placement.pk])


def upload_url(owner: Any, key: str = REPORT) -> str:
    return reverse("attachments:upload", kwargs={"owner_type": key, "owner_id": owner.pk})


def post_upload(client: Any, owner: Any, uploaded: Any, next_: str = "", **extra: Any) -> Any:
    data = {"next": next_, "label": "听课记录", **extra}
    if uploaded is not None:
        data["file"] = uploaded
    return client.post(upload_url(owner), data, follow=True)


def test_it_offers_the_upload_form_on_the_placement_page_to_the_reports_author_only(
    client, ex, placement, teacher_report, host_report
):
    body = login(client, ex, "teacher").get(page(placement)).content.decode()
    assert upload_url(teacher_report) in body and upload_url(host_report) not in body
    assert 'enctype="multipart/form-data"' in body and "Evidence files" in body
    body = login(client, ex, "hebei_viewer").get(page(placement)).content.decode()
    assert upload_url(teacher_report) not in body and "No files attached." in body


def test_it_attaches_through_the_form_and_lists_the_download_link(
    client, ex, placement, teacher_report, media
):
    login(client, ex, "teacher")
    r = post_upload(client, teacher_report, upload("期中.pdf", c.PDF), next_=page(placement))
    assert r.redirect_chain[-1][0].startswith(page(placement))
    body = r.content.decode()
    att = Attachment.objects.get()
    assert "“期中.pdf” was attached." in body and att.label == "听课记录"
    assert reverse("attachments:download", args=[att.pk]) in body
    assert len(stored_files(media)) == 1
    body = login(client, ex, "hebei_viewer").get(page(placement)).content.decode()
    assert reverse("attachments:download", args=[att.pk]) in body
    assert reverse("attachments:remove", args=[att.pk]) not in body


BAD = [
    (None, "Choose a file to upload.", "请选择要上传的文件。"),
    (lambda: upload("empty.pdf", b""), "The file is empty.", "文件是空的。"),
    (lambda: upload("r.png", c.PDF), "but the file is a PDF document", "但文件内容是PDF 文档"),
    (lambda: upload("big.pdf", c.PDF + b" " * 2048), "at most 1.0\xa0KB", "最多可上传"),
    (
        lambda: upload("setup.exe", c.ELF),
        "Programs and scripts cannot be uploaded.",
        "不能上传程序",
    ),
    (lambda: upload("p.htm", c.HTML), "Web pages (HTML) cannot be uploaded", "不能上传网页"),
    (lambda: upload("a.svg", c.SCRIPTED_SVG), "only plain SVG images", "SVG 图片含有脚本"),
    (lambda: upload("a.docx", c.ZIP), "Archives (ZIP, RAR, 7z, gzip …)", "不能上传压缩包"),
]


@pytest.mark.parametrize(("make", "english_text", "chinese_text"), BAD)
def test_it_answers_a_bad_upload_with_its_message_on_the_page_and_stores_nothing(
    client, ex, placement, teacher_report, media, settings, make, english_text, chinese_text
):
    settings.XIETONG_ATTACHMENT_MAX_BYTES = 1024
    for lang, text in (("en", english_text), ("zh-hans", chinese_text)):
        login(client, ex, "teacher", lang)
        r = post_upload(client, teacher_report, make() if make else None, next_=page(placement))
        assert r.status_code == 200 and text in r.content.decode()
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_it_refuses_an_upload_by_a_reader_with_a_message_and_out_of_sight_with_404(
    client, ex, placement, teacher_report, media
):
    login(client, ex, "school_admin")
    r = post_upload(client, teacher_report, upload("a.pdf", c.PDF), next_=page(placement))
    assert "You may read this record but not add or remove its files." in r.content.decode()
    login(client, ex, "xiongxian_admin")
    assert post_upload(client, teacher_report, upload("a.pdf", c.PDF)).status_code == 404
    login(client, ex, "teacher")
    unknown = client.post(
        reverse("attachments:upload", kwargs={"owner_type": REPORT, "owner_id": 9999}),
        {"file": upload("a.pdf", c.PDF)},
    )
    assert unknown.status_code == 404
    other_type = client.post(
        upload_url(ex.cast.sanhe_school, "institutions.institution"),
        {"file": upload("a.pdf", c.PDF)},
    )
    assert other_type.status_code == 404
    assert client.get(upload_url(teacher_report)).status_code == 405
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_it_ignores_a_next_address_on_another_site(client, ex, placement, teacher_report):
    login(client, ex, "teacher")
    r = client.post(
        upload_url(teacher_report),
        {"file": upload("a.pdf", c.PDF), "next": "https://evil.example/"},
    )
    assert r.status_code == 302 and "evil" not in r["Location"]


def test_it_downloads_through_the_scoped_view_with_safe_headers(
    client, ex, placement, teacher_report
):
    att = services.attach(ex.actor("teacher"), teacher_report, upload("图.svg", c.SVG))
    download = reverse("attachments:download", args=[att.pk])
    r = login(client, ex, "sanhe").get(download)
    assert r.status_code == 200 and b"".join(r.streaming_content) == c.SVG
    assert r["Content-Type"] == "image/svg+xml"
    assert r["Content-Disposition"].startswith("attachment; ")
    assert "filename*=UTF-8''%E5%9B%BE.svg" in r["Content-Disposition"]
    assert r["X-Content-Type-Options"] == "nosniff" and r["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="attachment.download").count() == 1
    assert login(client, ex, "xiongxian_admin").get(download).status_code == 404
    missing = reverse("attachments:download", args=[att.pk + 1])
    assert login(client, ex, "teacher").get(missing).status_code == 404
    client.logout()
    assert client.get(download).status_code == 302  # to the sign-in page


def test_it_removes_through_the_form_for_the_manager_only(
    client, ex, placement, teacher_report, media, django_capture_on_commit_callbacks
):
    att = services.attach(ex.actor("teacher"), teacher_report, upload("a.pdf", c.PDF))
    remove = reverse("attachments:remove", args=[att.pk])
    r = login(client, ex, "school_admin").post(remove, {"next": page(placement)}, follow=True)
    assert "not add or remove" in r.content.decode() and Attachment.objects.exists()
    assert login(client, ex, "xiongxian_admin").post(remove).status_code == 404
    login(client, ex, "teacher")
    assert (
        reverse("attachments:remove", args=[att.pk]) in client.get(page(placement)).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(remove, {"next": page(placement)}, follow=True)
    assert "“a.pdf” was removed." in r.content.decode()
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_it_costs_the_placement_page_the_same_queries_however_many_files_a_report_has(
    client, ex, placement, teacher_report, host_report, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, ex, "teacher")
    with CaptureQueriesContext(connection) as empty:
        client.get(page(placement))
    for i in range(5):
        services.attach(ex.actor("teacher"), teacher_report, upload(f"{i}.pdf", c.PDF))
        services.attach(ex.actor("tongzhou"), host_report, upload(f"{i}.png", c.PNG))
    with django_assert_max_num_queries(len(empty.captured_queries)):
        body = client.get(page(placement)).content.decode()
    assert body.count('data-testid="attachment-link"') == 10
