"""``xietong training certificates --program N [--as USERNAME]``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xietong.training.access import KEEPS
from xietong.training.models import Certificate, Enrollment
from xietong.training.services import attendance, enrollment
from xietong.training.tests.conftest import make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed_without_certificates(world):
    program = make_program(world)
    row = enrollment.enroll(world.actor("xa_teacher"), program.pk)
    admin = world.actor("bie_admin")
    for s in program.sessions.all():
        attendance.record_roster(admin, s.pk, [row.pk])
    attendance.complete_program(admin, program.pk)
    Certificate.objects.all().delete()  # as if issuing had failed after completion
    return program


def _zh(text: object) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        return str(text)


def _run(*args: str) -> str:
    out = StringIO()
    call_command("training", *args, stdout=out)
    return out.getvalue()


def test_it_issues_the_pending_certificates_as_the_programs_creator(
    completed_without_certificates,
):
    program = completed_without_certificates
    assert "issued: 1" in _run("certificates", "--program", str(program.pk))
    assert Certificate.objects.filter(enrollment__program=program).count() == 1
    assert "issued: 0" in _run("certificates", "--program", str(program.pk))


def test_it_issues_as_the_named_keeper(completed_without_certificates):
    program = completed_without_certificates
    assert "issued: 1" in _run("certificates", "--program", str(program.pk), "--as", "bie_admin")


def test_it_refuses_an_unknown_program(world):
    with pytest.raises(CommandError, match="No training program #999"):
        _run("certificates", "--program", "999")


def test_it_refuses_an_unknown_user(completed_without_certificates):
    program = completed_without_certificates
    with pytest.raises(CommandError, match="No active user 'ghost'"):
        _run("certificates", "--program", str(program.pk), "--as", "ghost")


def test_it_refuses_a_user_who_does_not_keep_the_program(completed_without_certificates):
    program = completed_without_certificates
    with pytest.raises(CommandError) as refused:
        _run("certificates", "--program", str(program.pk), "--as", "xiongxian_admin")
    assert str(refused.value) in {str(KEEPS), _zh(KEEPS)}
    with pytest.raises(CommandError, match="cannot see"):
        _run("certificates", "--program", str(program.pk), "--as", "nobody")
    assert not Certificate.objects.exists()
    assert Enrollment.objects.get(program=program).status == "completed"
