"""Attachments over JSON: upload for an owner, metadata, scoped and audited download, removal."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from xietong.accounts.models import AuditEvent
from xietong.api_tests.conftest import Api, assert_error
from xietong.attachments.models import Attachment
from xietong.attachments.tests import corpus as c
from xietong.attachments.tests.conftest import stored_files, upload

URL = "/api/attachments/"
REPORT = "exchanges.placementreport"


@pytest.fixture
def api(ex) -> Api:
    return Api(ex.cast)


def post_file(api: Api, owner_id, uploaded, *, as_="teacher", lang="en", **fields):
    data = {"owner_type": REPORT, "owner_id": owner_id, **fields}
    if uploaded is not None:
        data["file"] = uploaded
    extra = {"HTTP_ACCEPT_LANGUAGE": lang}
    if as_:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {api.token(as_)}"
    return api.client.post(URL, data=data, **extra)


def test_it_uploads_a_file_for_an_owner_and_answers_its_metadata(api, teacher_report):
    r = post_file(api, teacher_report.pk, upload("期中小结.pdf", c.PDF), kind="evidence")
    assert r.status_code == 201, r.content
    body = r.json()
    att = Attachment.objects.get()
    assert body["id"] == att.pk and body["owner_type"] == REPORT
    assert body["owner_id"] == teacher_report.pk and body["name"] == "期中小结.pdf"
    assert body["content_type"] == "application/pdf" and body["size"] == len(c.PDF)
    assert body["sha256"] == att.sha256 and body["kind"] == "evidence"
    assert body["download_url"] == f"/api/attachments/{att.pk}/download"
    assert body["can_remove"] is True


def test_it_answers_metadata_and_lists_to_readers_only(api, teacher_report):
    pk = post_file(api, teacher_report.pk, upload("a.pdf", c.PDF)).json()["id"]
    r = api.get(f"{URL}{pk}", as_="hebei_viewer")
    assert r.status_code == 200 and r.json()["can_remove"] is False
    listed = api.get(
        URL, as_="school_admin", params={"owner_type": REPORT, "owner_id": teacher_report.pk}
    )
    assert [a["id"] for a in listed.json()] == [pk]
    assert_error(api.get(f"{URL}{pk}", as_="xiongxian_admin"), 404, "not_found")
    assert_error(
        api.get(
            URL, as_="xiongxian_admin", params={"owner_type": REPORT, "owner_id": teacher_report.pk}
        ),
        404,
    )


def test_it_refuses_to_list_an_owner_type_that_takes_no_files(api, placement):
    r = api.get(
        URL, as_="sysadmin", params={"owner_type": "institutions.institution", "owner_id": 1}
    )
    assert "cannot be attached" in assert_error(r, 404, "not_found")["message"]


def test_it_sends_a_download_as_an_attachment_never_cached_and_audits_it(api, teacher_report):
    pk = post_file(api, teacher_report.pk, upload("期中 小结.pdf", c.PDF)).json()["id"]
    r = api.get(f"{URL}{pk}/download", as_="tongzhou")
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == c.PDF
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == (
        f"attachment; filename=\"__ __.pdf\"; filename*=UTF-8''{quote('期中 小结.pdf')}"
    )
    assert r["X-Content-Type-Options"] == "nosniff" and r["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="attachment.download")
    assert event.actor_id == api.cast.users["tongzhou"].pk


def test_it_answers_a_download_out_of_scope_or_unknown_as_not_found(api, teacher_report):
    pk = post_file(api, teacher_report.pk, upload("a.pdf", c.PDF)).json()["id"]
    assert_error(api.get(f"{URL}{pk}/download", as_="xiongxian_admin"), 404, "not_found")
    assert_error(api.get(f"{URL}{pk + 999}/download", as_="teacher"), 404, "not_found")
    assert_error(api.get(f"{URL}{pk}/download"), 401, "unauthenticated")
    assert not AuditEvent.objects.filter(action="attachment.download").exists()


def test_it_removes_an_attachment_for_its_manager_only(
    api, teacher_report, media, django_capture_on_commit_callbacks
):
    pk = post_file(api, teacher_report.pk, upload("a.pdf", c.PDF)).json()["id"]
    assert_error(api.delete(f"{URL}{pk}", as_="xiongxian_admin"), 404, "not_found")
    body = assert_error(api.delete(f"{URL}{pk}", as_="school_admin"), 403, "forbidden")
    assert "not add or remove" in body["message"]
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"{URL}{pk}", as_="teacher").status_code == 204
    assert_error(api.get(f"{URL}{pk}", as_="teacher"), 404)
    assert stored_files(media) == []


BAD = [
    (None, "Choose a file to upload.", "请选择要上传的文件"),
    (lambda: upload("e.pdf", b""), "The file is empty.", "文件是空的"),
    (lambda: upload("r.png", c.PDF), "ends in .png, but the file is a PDF document", "PDF 文档"),
    (lambda: upload("s.exe", c.PE), "Programs and scripts", "程序"),
    (lambda: upload("p.html", c.HTML), "Web pages (HTML)", "网页"),
    (lambda: upload("l.svg", c.SCRIPTED_SVG), "only plain SVG", "SVG"),
    (lambda: upload("n.bin", c.BINARY), "not recognised", "无法识别"),
]


@pytest.mark.parametrize(("make", "english_text", "chinese_text"), BAD)
def test_it_refuses_a_bad_upload_with_a_specific_message_in_both_languages(
    api, teacher_report, media, make, english_text, chinese_text
):
    for lang, text in (("en", english_text), ("zh-hans", chinese_text)):
        r = post_file(api, teacher_report.pk, make() if make else None, lang=lang)
        body = assert_error(r, 422, "invalid")
        assert text in body["fields"]["file"][0]
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_it_refuses_a_file_too_large(api, teacher_report, settings, media):
    settings.XIETONG_ATTACHMENT_MAX_BYTES = 20
    body = assert_error(post_file(api, teacher_report.pk, upload("a.pdf", c.PDF)), 422)
    assert "at most 20" in body["fields"]["file"][0]
    assert stored_files(media) == []


def test_it_refuses_an_owner_the_caller_cannot_manage_or_see(api, teacher_report, media):
    r = post_file(api, teacher_report.pk, upload("a.pdf", c.PDF), as_="hebei_viewer")
    assert "not add or remove" in assert_error(r, 403, "forbidden")["message"]
    r = post_file(
        api, teacher_report.pk, upload("a.pdf", c.PDF), as_="hebei_viewer", lang="zh-hans"
    )
    assert "不能为它添加或删除文件" in assert_error(r, 403)["message"]
    assert_error(
        post_file(api, teacher_report.pk, upload("a.pdf", c.PDF), as_="xiongxian_admin"), 404
    )
    assert_error(post_file(api, teacher_report.pk + 99, upload("a.pdf", c.PDF)), 404, "not_found")
    assert_error(post_file(api, teacher_report.pk, upload("a.pdf", c.PDF), as_=None), 401)
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_it_refuses_an_upload_without_owner_fields(api, teacher_report):
    r = api.client.post(
        URL,
        data={"file": upload("a.pdf", c.PDF)},
        HTTP_AUTHORIZATION=f"Bearer {api.token('teacher')}",
    )
    body = assert_error(r, 422, "invalid")
    assert set(body["fields"]) == {"owner_type", "owner_id"}
    r = post_file(api, "seven", upload("a.pdf", c.PDF))
    assert assert_error(r, 422)["fields"]["owner_id"] == ["Enter a whole number."]
