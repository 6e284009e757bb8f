"""The public verification page and API, and the certificate PDF with its QR code."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from xietong.conftest import Cast
from xietong.training import certificate_pdf
from xietong.training.models import Certificate
from xietong.training.services import attendance, certificates, enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(world, program) -> Certificate:
    row = enrollment.enroll(world.actor("xa_teacher"), program.pk)
    admin = world.actor("bie_admin")
    for s in program.sessions.all():
        attendance.record_roster(admin, s.pk, [row.pk])
    attendance.complete_program(admin, program.pk)
    return Certificate.objects.get(enrollment=row)


def _public(language: str = "zh-hans") -> Client:
    c = Client()
    c.cookies["django_language"] = language
    return c


def _altered(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("A" if last != "A" else "B")


def test_it_verifies_a_certificate_without_sign_in_showing_the_masked_holder_only(certificate):
    page = _public().get(reverse("training:verify", args=[certificate.number]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-outcome="valid"' in html and "证书有效" in html
    assert "赵*安" in html and "赵雄安" not in html
    assert certificate.program_title in html and "Beijing Institute of Education" in html
    assert "Xiongxian No. 1" not in html  # the holder's school is not shown


def test_it_shows_the_verification_in_english_too(certificate):
    html = _public("en").get(reverse("training:verify", args=[certificate.number])).content.decode()
    assert "A valid certificate" in html and "Holder" in html


def test_it_refuses_an_altered_number_as_not_valid_without_looking_it_up(certificate):
    page = _public("en").get(reverse("training:verify", args=[_altered(certificate.number)]))
    html = page.content.decode()
    assert page.status_code == 404
    assert 'data-outcome="forged"' in html and "is not a valid certificate number" in html
    assert "赵" not in html and certificate.program_title not in html


def test_it_says_a_well_formed_number_never_issued_was_not_issued(world):
    from xietong.training.signing import make_number

    number = make_number(2025, 987654)
    page = _public("en").get(reverse("training:verify", args=[number]))
    assert page.status_code == 404 and 'data-outcome="unknown"' in page.content.decode()


def test_it_shows_a_revoked_certificate_as_revoked_with_its_date(world, certificate):
    certificates.revoke(world.actor("bie_admin"), certificate.pk, "出勤记录有误")
    html = _public("en").get(reverse("training:verify", args=[certificate.number])).content.decode()
    assert 'data-outcome="revoked"' in html and "Revoked on" in html
    assert "出勤记录有误" not in html  # the reason is the provider's, not the public's


def test_it_refuses_a_certificate_whose_fields_were_changed_in_the_database(certificate):
    Certificate.objects.filter(pk=certificate.pk).update(hours=240)
    page = _public().get(reverse("training:verify", args=[certificate.number]))
    assert 'data-outcome="forged"' in page.content.decode()


def test_it_sends_the_typed_number_to_its_page_normalised(certificate):
    typed = certificate.number.lower().replace("-", "－")
    got = _public().get(reverse("training:verify_form"), {"number": f" {typed} "})
    assert got.status_code == 302
    assert got["Location"] == reverse("training:verify", args=[certificate.number])


def test_it_asks_for_a_number_when_the_form_is_sent_empty(world):
    got = _public("en").get(reverse("training:verify_form"), {"number": "   "})
    assert got.status_code == 422 and "required" in got.content.decode().lower()


def test_it_serves_the_verification_page_under_the_projects_csp_without_inline_script(certificate):
    page = _public().get(reverse("training:verify", args=[certificate.number]))
    assert "script-src 'self' 'nonce-" in page["Content-Security-Policy"]
    html = page.content.decode()
    assert "<script>" not in html and "onclick=" not in html
    assert page["Referrer-Policy"] == "no-referrer"


def test_it_answers_the_public_api_with_the_same_masked_fields_and_nothing_more(certificate):
    got = Client().get(f"/api/training/verify/{certificate.number}")
    assert got.status_code == 200
    body = got.json()
    assert body["outcome"] == "valid" and body["holder"] == "赵*安"
    assert set(body) == {
        "outcome",
        "number",
        "holder",
        "program",
        "provider",
        "hours",
        "completed_on",
        "revoked_on",
    }
    forged = Client().get(f"/api/training/verify/{_altered(certificate.number)}").json()
    assert forged["outcome"] == "forged" and forged["holder"] == "" and forged["program"] == ""


def test_it_prints_the_number_and_a_qr_code_of_the_verification_url_into_the_pdf(
    certificate, tmp_path: Path
):
    url = f"http://testserver{reverse('training:verify', args=[certificate.number])}"
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(certificate_pdf.render(certificate, url))
    if shutil.which("pdftotext") is None or shutil.which("zbarimg") is None:
        pytest.skip("poppler-utils and zbar-tools read the PDF back")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert certificate.number in text and "赵雄安" in text and "24" in text
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(pdf), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True
    ).stdout.strip()
    assert decoded == url


def test_it_downloads_the_pdf_with_the_absolute_verification_url(world, certificate):
    client = Client()
    client.force_login(world.users["xa_teacher"])
    got = client.get(reverse("training:certificate_pdf", args=[certificate.pk]))
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    assert certificate.number in got["Content-Disposition"]


def test_one_address_verifying_too_often_is_asked_to_wait(
    client: Client, world: Cast, settings: Any
) -> None:
    """The page, the form and the API share one count per address and minute."""
    from django.core.cache import cache

    cache.clear()
    settings.XIETONG_VERIFY_PER_MINUTE = 3
    number = "XT2026-000001-AAAAAAA"
    assert client.get(f"/training/verify/{number}/").status_code == 404
    assert client.get("/training/verify/", {"number": number}).status_code == 302
    assert client.get(f"/api/training/verify/{number}").status_code == 200
    refused = client.get(f"/training/verify/{number}/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) <= 60
    assert 'data-testid="verify-limited"' in refused.content.decode()
    api = client.get(f"/api/training/verify/{number}")
    assert api.status_code == 429 and api.json()["code"] == "too_many_requests"
    other = client.get(f"/training/verify/{number}/", REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 404  # another address counts apart
    cache.clear()
