"""Attendance by roster or code, assessment, the completion rule, hours only on completion."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from xietong.conftest import Cast
from xietong.core.errors import Conflict, InvalidInput, NotFound
from xietong.training.choices import EnrollmentStatus
from xietong.training.models import Attendance, Program
from xietong.training.services import attendance, enrollment
from xietong.training.tests.conftest import make_program

pytestmark = pytest.mark.django_db


def sessions(program: Program) -> list[int]:
    return list(program.sessions.values_list("pk", flat=True))


def test_it_records_the_roster_and_refuses_someone_not_enrolled(
    world: Cast, program: Program
) -> None:
    row = enrollment.enroll(world.actor("xa_teacher"), program.pk)
    first, _second = sessions(program)
    admin = world.actor("bie_admin")
    with pytest.raises(InvalidInput, match="Not enrolled"):
        attendance.record_roster(admin, first, [row.pk, 999999])
    assert not Attendance.objects.exists()
    assert attendance.record_roster(admin, first, [row.pk]) == 1
    assert Attendance.objects.get().present


def test_it_checks_a_teacher_in_with_the_code_shown_in_the_room(
    world: Cast, program: Program
) -> None:
    row = enrollment.enroll(world.actor("xa_teacher"), program.pk)
    first, _ = sessions(program)
    code, _until = attendance.issue_code(world.actor("bie_admin"), first)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(InvalidInput, match="wrong"):
        attendance.check_in(world.actor("xa_teacher"), wrong)
    with pytest.raises(InvalidInput, match="digits"):
        attendance.check_in(world.actor("xa_teacher"), "12ab")
    mark = attendance.check_in(world.actor("xa_teacher"), f" {code[:3]} {code[3:]} ")
    assert mark.enrollment == row and mark.present
    with pytest.raises(InvalidInput):  # a teacher not enrolled cannot use the code
        attendance.check_in(world.actor("teacher"), code)


def test_it_refuses_an_expired_code(world: Cast, program: Program) -> None:
    enrollment.enroll(world.actor("xa_teacher"), program.pk)
    first, _ = sessions(program)
    code, _ = attendance.issue_code(world.actor("bie_admin"), first)
    program.sessions.filter(pk=first).update(
        code_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(Conflict, match="expired"):
        attendance.check_in(world.actor("xa_teacher"), code)


def test_it_credits_hours_only_to_those_who_complete(world: Cast) -> None:
    program = make_program(world, hours=24, min_attendance=100, assessed=True)
    present = enrollment.enroll(world.actor("xa_teacher"), program.pk)
    absent = enrollment.enroll(world.actor("teacher"), program.pk)
    admin = world.actor("bie_admin")
    for s in sessions(program):
        attendance.record_roster(admin, s, [present.pk], [absent.pk])
    attendance.assess(admin, present.pk, "pass", 92)
    with pytest.raises(InvalidInput):
        attendance.assess(admin, absent.pk, "maybe")

    counts = attendance.complete_program(admin, program.pk)

    present.refresh_from_db()
    absent.refresh_from_db()
    assert counts == {"completed": 1, "not_completed": 1, "certificates": 1}
    assert present.status == EnrollmentStatus.COMPLETED
    assert present.hours_credited == Decimal("24.0")
    assert absent.status == EnrollmentStatus.NOT_COMPLETED and absent.hours_credited is None


def test_it_refuses_hours_that_are_negative_or_exceed_the_programs(world: Cast) -> None:
    program = make_program(world, hours=16, min_attendance=50)
    row = enrollment.enroll(world.actor("xa_teacher"), program.pk)
    admin = world.actor("bie_admin")
    with pytest.raises(Conflict):  # not completed yet
        attendance.adjust_hours(admin, row.pk, 8)
    attendance.record_roster(admin, sessions(program)[0], [row.pk])
    attendance.complete_program(admin, program.pk)
    for bad in (-2, 0, 17, "x"):
        with pytest.raises(InvalidInput):
            attendance.adjust_hours(admin, row.pk, bad)
    assert attendance.adjust_hours(admin, row.pk, "12.5").hours_credited == Decimal("12.5")
    with pytest.raises(NotFound):  # the teacher cannot see another's keeping
        attendance.adjust_hours(world.actor("teacher"), row.pk, 16)


def test_it_waits_for_the_last_session_before_completing(world: Cast) -> None:
    program = make_program(world, held=False)
    with pytest.raises(Conflict, match="still to come"):
        attendance.complete_program(world.actor("bie_admin"), program.pk)
