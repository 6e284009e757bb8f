"""Attaching, reading, downloading and removing files, scoped through the placement owner."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import translation

from xietong.accounts.models import AuditEvent
from xietong.attachments import registry, selectors, services, validation
from xietong.attachments.models import Attachment
from xietong.attachments.tests import corpus as c
from xietong.attachments.tests.conftest import stored_files, upload
from xietong.core.errors import InvalidInput, NotFound, PermissionDenied
from xietong.exchanges.attachments import readable_reports
from xietong.exchanges.models import PlacementReport

READERS = ["teacher", "school_admin", "sanhe", "hebei_viewer", "tongzhou", "beijing"]
OUTSIDERS = ["xiongxian_admin", "nobody", "auditor", "secadmin"]


def test_it_stores_a_pdf_under_its_hash_with_the_facts_of_its_content(ex, teacher_report, media):
    att = services.attach(
        ex.actor("teacher"),
        teacher_report,
        upload("../../期中 小结\x07.pdf", c.PDF),
        kind="evidence",
    )
    att.refresh_from_db()
    sha = hashlib.sha256(c.PDF).hexdigest()
    assert (att.original_name, att.content_type, att.size, att.sha256, att.kind) == (
        "期中 小结_.pdf",
        "application/pdf",
        len(c.PDF),
        sha,
        "evidence",
    )
    assert att.owner == teacher_report and att.uploaded_by == ex.cast.users["teacher"]
    assert att.file.name.startswith(f"attachments/{sha[:2]}/{sha[2:4]}/{sha}-")
    assert "小结" not in att.file.name and att.file.name.endswith(".pdf")
    [path] = stored_files(media)
    assert path.read_bytes() == c.PDF
    event = AuditEvent.objects.get(action="attachment.create")
    assert event.object_id == str(att.pk) and event.detail["sha256"] == sha


def test_it_gives_the_same_content_twice_two_files_and_removing_one_keeps_the_other(
    ex, teacher_report, media, django_capture_on_commit_callbacks
):
    teacher = ex.actor("teacher")
    first = services.attach(teacher, teacher_report, upload("a.png", c.PNG))
    second = services.attach(teacher, teacher_report, upload("b.png", c.PNG))
    assert first.sha256 == second.sha256 and first.file.name != second.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.remove(teacher, first)
    assert [p.name for p in stored_files(media)] == [second.file.name.rsplit("/", 1)[1]]


def test_it_names_a_file_without_extension_by_its_content(ex, teacher_report):
    att = services.attach(ex.actor("teacher"), teacher_report, upload("scan", c.JPEG))
    assert att.original_name == "scan.jpg" and att.content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [
        ("名单.csv", c.CSV, "text/csv"),
        ("周志.txt", c.TEXT_GB18030, "text/plain"),
        ("图.svg", c.SVG, "image/svg+xml"),
        ("表.xlsx", c.XLSX, c.OOXML + ".spreadsheetml.sheet"),
        ("文.doc", c.DOC, "application/msword"),
    ],
)
def test_it_accepts_each_configured_type_with_its_detected_content_type(
    ex, teacher_report, name, data, mime
):
    att = services.attach(ex.actor("teacher"), teacher_report, upload(name, data, "text/html"))
    assert att.content_type == mime  # the type the client claimed does not count


def test_it_lets_each_side_manage_only_the_evidence_of_its_own_report(
    ex, teacher_report, host_report
):
    services.attach(ex.actor("tongzhou"), host_report, upload("host.pdf", c.PDF))
    with pytest.raises(PermissionDenied, match="not add or remove"):
        services.attach(ex.actor("teacher"), host_report, upload("x.pdf", c.PDF))
    with pytest.raises(PermissionDenied):
        services.attach(ex.actor("tongzhou"), teacher_report, upload("x.pdf", c.PDF))
    with pytest.raises(PermissionDenied):
        services.attach(ex.actor("school_admin"), teacher_report, upload("x.pdf", c.PDF))
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize("username", OUTSIDERS)
def test_it_answers_an_owner_out_of_sight_as_not_found(ex, teacher_report, username, media):
    with pytest.raises(NotFound):
        services.attach(ex.actor(username), teacher_report, upload("x.pdf", c.PDF))
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_it_shows_the_attachments_to_whoever_reads_the_placement_and_to_nobody_else(
    ex, teacher_report
):
    att = services.attach(ex.actor("teacher"), teacher_report, upload("x.pdf", c.PDF))
    for username in READERS:
        actor = ex.actor(username)
        assert list(selectors.attachments_of(actor, teacher_report)) == [att], username
        assert selectors.downloadable(actor, att.pk) == att
    for username in OUTSIDERS:
        actor = ex.actor(username)
        assert list(selectors.attachments_of(actor, teacher_report)) == [], username
        with pytest.raises(NotFound):
            selectors.downloadable(actor, att.pk)


def test_it_scopes_the_evidence_of_a_weekly_log_like_its_placement(ex, log):
    att = services.attach(ex.actor("teacher"), log, upload("周志.pdf", c.PDF))
    assert selectors.downloadable(ex.actor("tongzhou"), att.pk) == att
    with pytest.raises(PermissionDenied):
        services.attach(ex.actor("tongzhou"), log, upload("x.pdf", c.PDF))
    with pytest.raises(NotFound):
        selectors.downloadable(ex.actor("xiongxian_admin"), att.pk)


def test_it_shows_nothing_of_an_owner_type_that_never_registered(ex, placement):
    institution = ex.cast.sanhe_school
    with pytest.raises(NotFound):
        services.attach(ex.actor("sysadmin"), institution, upload("x.pdf", c.PDF))
    from django.contrib.contenttypes.models import ContentType

    stray = Attachment.objects.create(
        owner_type=ContentType.objects.get_for_model(institution),
        owner_id=institution.pk,
        file="attachments/x",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    )
    assert list(selectors.attachments_of(ex.actor("sysadmin"), institution)) == []
    with pytest.raises(NotFound):
        selectors.downloadable(ex.actor("sysadmin"), stray.pk)


def test_it_refuses_a_second_registration_with_other_rules():
    registry.register_owner(
        PlacementReport,
        readable=readable_reports,
        manageable=registry.rules_for(PlacementReport).manageable,
    )  # the same rules again: harmless
    with pytest.raises(ImproperlyConfigured):
        registry.register_owner(PlacementReport, readable=readable_reports, manageable=min)


# --- bad input ---------------------------------------------------------------------------------

BAD = [
    (None, "Choose a file to upload.", "请选择要上传的文件。"),
    (upload("empty.pdf", b""), "The file is empty.", "文件是空的。"),
    (upload("report.png", c.PDF), "ends in .png, but the file is a PDF document", "PDF 文档"),
    (upload("setup.pdf", c.PE), "Programs and scripts cannot be uploaded.", "不能上传程序"),
    (upload("run.txt", c.SHELL_SCRIPT), "Programs and scripts", "不能上传程序"),
    (upload("page.pdf", c.HTML), "Web pages (HTML) cannot be uploaded", "网页"),
    (upload("logo.svg", c.SCRIPTED_SVG), "only plain SVG images are accepted", "SVG"),
    (upload("all.zip", c.ZIP), "Archives (ZIP, RAR, 7z, gzip …) cannot be uploaded", "压缩包"),
    (upload("m.xlsm", c.XLSM), "Office files with macros", "宏"),
    (upload("blob.bin", c.BINARY), "The type of this file is not recognised", "无法识别"),
]


@pytest.mark.parametrize(("uploaded", "english_text", "chinese_text"), BAD)
def test_it_refuses_bad_files_with_a_specific_message_and_stores_nothing(
    ex, teacher_report, media, uploaded, english_text, chinese_text
):
    for language, text in (("en", english_text), ("zh-hans", chinese_text)):
        if uploaded is not None:
            uploaded.seek(0)
        with translation.override(language), pytest.raises(InvalidInput) as refused:
            services.attach(ex.actor("teacher"), teacher_report, uploaded)
        assert text in refused.value.fields["file"][0]
    assert not Attachment.objects.exists() and stored_files(media) == []
    assert not AuditEvent.objects.filter(action="attachment.create").exists()


def test_it_refuses_a_file_over_the_configured_limit_or_the_callers_lower_one(
    ex, teacher_report, settings, media
):
    teacher = ex.actor("teacher")
    settings.XIETONG_ATTACHMENT_MAX_BYTES = len(c.PDF) - 1
    with pytest.raises(InvalidInput, match="at most"):
        services.attach(teacher, teacher_report, upload("a.pdf", c.PDF))
    with translation.override("zh-hans"), pytest.raises(InvalidInput, match="最多"):
        services.attach(teacher, teacher_report, upload("a.pdf", c.PDF))
    settings.XIETONG_ATTACHMENT_MAX_BYTES = 10_000
    with pytest.raises(InvalidInput, match="at most 10\xa0bytes"):
        services.attach(teacher, teacher_report, upload("a.pdf", c.PDF), max_bytes=10)
    services.attach(teacher, teacher_report, upload("a.pdf", c.PDF), max_bytes=1_000_000)
    assert Attachment.objects.count() == 1 and len(stored_files(media)) == 1


def test_it_refuses_a_type_the_caller_or_the_settings_do_not_allow(ex, teacher_report, settings):
    teacher = ex.actor("teacher")
    with pytest.raises(InvalidInput, match="a PNG image, which is not accepted here"):
        services.attach(teacher, teacher_report, upload("a.png", c.PNG), types={"pdf"})
    settings.XIETONG_ATTACHMENT_TYPES = ("pdf", "png")
    with pytest.raises(InvalidInput, match="Accepted: a PDF document、a PNG image"):
        services.attach(teacher, teacher_report, upload("a.gif", c.GIF))
    with pytest.raises(InvalidInput):  # a caller cannot widen the configured set
        services.attach(teacher, teacher_report, upload("a.gif", c.GIF), types={"gif"})


def test_it_refuses_an_over_long_kind_or_label_before_storing(ex, teacher_report, media):
    with pytest.raises(InvalidInput) as refused:
        services.attach(ex.actor("teacher"), teacher_report, upload("a.pdf", c.PDF), kind="k" * 41)
    assert "kind" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        services.attach(
            ex.actor("teacher"), teacher_report, upload("a.pdf", c.PDF), label="l" * 201
        )
    assert "label" in refused.value.fields and stored_files(media) == []


def test_it_leaves_no_file_behind_when_the_transaction_fails(
    ex, teacher_report, media, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("the audit chain is unavailable")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        services.attach(ex.actor("teacher"), teacher_report, upload("a.pdf", c.PDF))
    assert not Attachment.objects.exists() and stored_files(media) == []


# --- removal and download ----------------------------------------------------------------------


def test_it_removes_an_attachment_and_its_file_once_committed(
    ex, teacher_report, media, django_capture_on_commit_callbacks
):
    teacher = ex.actor("teacher")
    att = services.attach(teacher, teacher_report, upload("a.pdf", c.PDF))
    with pytest.raises(PermissionDenied):
        services.remove(ex.actor("school_admin"), att)
    with pytest.raises(NotFound):
        services.remove(ex.actor("xiongxian_admin"), att)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove(teacher, att.pk)
    assert not Attachment.objects.exists() and stored_files(media) == []
    assert AuditEvent.objects.get(action="attachment.remove").detail["sha256"] == att.sha256
    with pytest.raises(NotFound):
        services.remove(teacher, att.pk)


def test_it_keeps_the_file_when_the_removal_is_rolled_back(ex, teacher_report, media):
    att = services.attach(ex.actor("teacher"), teacher_report, upload("a.pdf", c.PDF))
    with pytest.raises(RuntimeError), transaction.atomic():
        services.remove(ex.actor("teacher"), att)
        raise RuntimeError("later step failed")
    assert Attachment.objects.filter(pk=att.pk).exists() and len(stored_files(media)) == 1


def test_it_audits_each_download(ex, teacher_report):
    att = services.attach(ex.actor("teacher"), teacher_report, upload("a.pdf", c.PDF))
    download = services.open_download(ex.actor("hebei_viewer"), att.pk)
    with download.file:
        assert download.file.read() == c.PDF
    event = AuditEvent.objects.get(action="attachment.download")
    assert event.actor_id == ex.cast.users["hebei_viewer"].pk and event.object_id == str(att.pk)
    with pytest.raises(NotFound):
        services.open_download(ex.actor("nobody"), att.pk)
    assert AuditEvent.objects.filter(action="attachment.download").count() == 1


def test_it_answers_a_file_missing_from_storage_as_not_found(ex, teacher_report, media):
    att = services.attach(ex.actor("teacher"), teacher_report, upload("a.pdf", c.PDF))
    for path in stored_files(media):
        path.unlink()
    with pytest.raises(NotFound, match="missing from storage"):
        services.open_download(ex.actor("teacher"), att.pk)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\李\\总结.docx", "总结.docx"),
        ('a<b>:"c"|?*.pdf', "a_b___c____.pdf"),
        ("  . 报告.pdf . ", "报告.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
        ("e\u0301.txt", "\u00e9.txt"),
    ],
)
def test_it_cleans_file_names_of_paths_and_reserved_characters(raw, clean):
    assert validation.clean_name(raw) == clean


def test_it_sweeps_files_left_by_an_enclosing_transaction_that_rolled_back(
    ex, teacher_report, media
):
    from django.core.management import call_command

    kept = services.attach(ex.actor("teacher"), teacher_report, upload("kept.pdf", c.PDF))
    with pytest.raises(RuntimeError), transaction.atomic():
        services.attach(ex.actor("teacher"), teacher_report, upload("lost.png", c.PNG))
        raise RuntimeError("the caller's next step failed")
    assert len(stored_files(media)) == 2 and Attachment.objects.count() == 1
    assert services.sweep_orphan_files() == []  # too young to be sure it is an orphan
    call_command("attachments_sweep", "--hours", "0", stdout=io.StringIO())
    assert [p.name for p in stored_files(media)] == [kept.file.name.rsplit("/", 1)[1]]
