"""Certificates: issued on completion, verified in public, forged or altered numbers and
changed fields refused, revocation shown."""

from __future__ import annotations

import pytest

from xietong.conftest import Cast
from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.training import signing
from xietong.training.models import Certificate
from xietong.training.services import attendance, certificates, enrollment
from xietong.training.tests.conftest import make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(world: Cast) -> Certificate:
    program = make_program(world, hours=24, min_attendance=50)
    row = enrollment.enroll(world.actor("xa_teacher"), program.pk)
    attendance.record_roster(world.actor("bie_admin"), program.sessions.first().pk, [row.pk])
    attendance.complete_program(world.actor("bie_admin"), program.pk)
    return Certificate.objects.get(enrollment=row)


def test_it_issues_a_signed_certificate_on_completion(certificate: Certificate) -> None:
    assert signing.check_number(certificate.number)
    assert certificate.holder == "赵雄安" and certificate.hours == 24
    shown = certificates.verify(certificate.number.lower())
    assert shown.outcome == "valid"
    assert (shown.holder, shown.hours, shown.program) == ("赵*安", "24", certificate.program_title)


def test_it_refuses_an_altered_or_made_up_number(certificate: Certificate) -> None:
    number = certificate.number
    serial = number.split("-")[1]
    altered = number.replace(serial, f"{int(serial) + 1:06d}")
    assert certificates.verify(altered).outcome == "forged"
    assert certificates.verify("XT2025-000001-AAAAAAAA").outcome == "forged"
    assert certificates.verify("'; DROP TABLE x; --").outcome == "forged"
    assert certificates.verify("").outcome == "forged"
    assert certificates.verify(altered).holder == ""


def test_it_refuses_a_certificate_changed_in_the_database(certificate: Certificate) -> None:
    Certificate.objects.filter(pk=certificate.pk).update(hours=240)
    assert certificates.verify(certificate.number).outcome == "forged"


def test_it_shows_a_revoked_certificate_as_revoked(world: Cast, certificate: Certificate) -> None:
    with pytest.raises(InvalidInput):
        certificates.revoke(world.actor("bie_admin"), certificate.pk, " ")
    with pytest.raises(PermissionDenied):
        certificates.revoke(world.actor("xa_teacher"), certificate.pk, "不是我的")
    certificates.revoke(world.actor("bie_admin"), certificate.pk, "考核材料不实")
    shown = certificates.verify(certificate.number)
    assert shown.outcome == "revoked" and shown.revoked_on


def test_it_writes_whole_hours_without_an_exponent() -> None:
    from decimal import Decimal

    from xietong.training.services.common import hours_text

    assert [hours_text(Decimal(v)) for v in ("20.0", "24.0", "1.5")] == ["20", "24", "1.5"]


def test_it_masks_names_as_the_verification_page_shows_them() -> None:
    assert [certificates.mask_name(n) for n in ("张", "张三", "王小明", "欧阳小明")] == [
        "*",
        "张*",
        "王*明",
        "欧**明",
    ]
