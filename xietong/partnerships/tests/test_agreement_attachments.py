"""The signed PDF or scan attaches to its version: read by whoever reads the partnership,
managed by its managers and its parties' admins; wrong type or too large is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from xietong.attachments import selectors as attachment_selectors
from xietong.attachments import services as attachments
from xietong.attachments.models import Attachment
from xietong.attachments.tests.corpus import PDF
from xietong.core.errors import InvalidInput, NotFound, PermissionDenied
from xietong.partnerships.tests.agreement_world import approved_v1


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root},
        },
    }
    return root


def pdf(name: str = "signed.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_a_party_attaches_the_signed_pdf_to_its_version(cast, paired):
    v1 = approved_v1(cast, paired)
    att = attachments.attach(cast.actor("school_admin"), v1, pdf(), kind="signed")
    assert att.owner_id == v1.pk and att.content_type == "application/pdf"


def test_the_manager_attaches_too_and_a_mere_reader_may_not(cast, paired):
    v1 = approved_v1(cast, paired)
    attachments.attach(cast.actor("sanhe"), v1, pdf(), kind="signed")
    with pytest.raises(PermissionDenied):
        attachments.attach(cast.actor("beijing"), v1, pdf(), kind="signed")
    with pytest.raises(NotFound):
        attachments.attach(cast.actor("teacher"), v1, pdf(), kind="signed")
    assert Attachment.objects.count() == 1


def test_whoever_reads_the_partnership_reads_the_signed_copy(cast, paired):
    v1 = approved_v1(cast, paired)
    attachments.attach(cast.actor("school_admin"), v1, pdf(), kind="signed")
    assert len(attachment_selectors.attachments_of(cast.actor("beijing"), v1)) == 1
    assert len(attachment_selectors.attachments_of(cast.actor("teacher"), v1)) == 0


def test_a_file_of_a_forbidden_type_is_refused_with_the_mechanisms_message(cast, paired):
    v1 = approved_v1(cast, paired)
    bad = SimpleUploadedFile("signed.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with translation.override("en"), pytest.raises(InvalidInput) as e:
        attachments.attach(cast.actor("school_admin"), v1, bad, kind="signed")
    assert e.value.fields or e.value.message
    assert not Attachment.objects.exists()


def test_a_file_too_large_is_refused(cast, paired, settings):
    settings.XIETONG_ATTACHMENT_MAX_BYTES = 10
    v1 = approved_v1(cast, paired)
    with pytest.raises(InvalidInput):
        attachments.attach(cast.actor("school_admin"), v1, pdf(), kind="signed")
    assert not Attachment.objects.exists()
