"""Enrollment: by the teacher or on their behalf, eligibility, the window, capacity and the
waitlist served in order, quotas by region, withdrawing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xietong.conftest import Cast, make_staff
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.notifications.models import Notification
from xietong.training.choices import EnrolledBy, EnrollmentStatus
from xietong.training.models import Enrollment, Program
from xietong.training.services import enrollment, programs
from xietong.training.tests.conftest import make_program

pytestmark = pytest.mark.django_db
ENROLLED, WAITLISTED = EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED


def test_it_enrolls_a_teacher_who_asks(world: Cast, program: Program) -> None:
    row = enrollment.enroll(world.actor("xa_teacher"), program.pk)
    assert row.status == ENROLLED and row.enrolled_by == EnrolledBy.SELF
    assert row.institution == world.xiongxian_school
    program.refresh_from_db()
    assert program.taken == 1


def test_it_refuses_to_enroll_twice(world: Cast, program: Program) -> None:
    enrollment.enroll(world.actor("xa_teacher"), program.pk)
    with pytest.raises(InvalidInput, match="enrolled in this program already"):
        enrollment.enroll(world.actor("xa_teacher"), program.pk)
    program.refresh_from_db()
    assert program.taken == 1 and Enrollment.objects.count() == 1


def test_it_puts_the_teacher_past_capacity_on_the_waitlist_and_promotes_in_order(
    world: Cast,
) -> None:
    program = make_program(world, capacity=1)
    first = enrollment.enroll(world.actor("xa_teacher"), program.pk)
    second = enrollment.enroll(world.actor("teacher"), program.pk)
    third_staff = make_staff("周容城", world.xiongxian_school, 9)
    third = enrollment.enroll(world.actor("xiongxian_admin"), program.pk, third_staff.pk)
    assert (first.status, second.status, third.status) == (ENROLLED, WAITLISTED, WAITLISTED)

    enrollment.withdraw(world.actor("xa_teacher"), first.pk)

    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status) == (ENROLLED, WAITLISTED)
    program.refresh_from_db()
    assert program.taken == 1
    assert Notification.objects.filter(
        code="training.promoted", recipient__username="teacher"
    ).exists()


def test_it_lets_a_teacher_come_back_after_withdrawing(world: Cast, program: Program) -> None:
    row = enrollment.enroll(world.actor("xa_teacher"), program.pk)
    enrollment.withdraw(world.actor("xa_teacher"), row.pk)
    again = enrollment.enroll(world.actor("xa_teacher"), program.pk)
    assert again.pk == row.pk and again.status == ENROLLED
    with pytest.raises(Conflict):
        enrollment.withdraw(world.actor("xa_teacher"), row.pk) and enrollment.withdraw(
            world.actor("xa_teacher"), row.pk
        )


def test_it_refuses_enrollment_outside_the_window(world: Cast) -> None:
    today = timezone.localdate()
    later = make_program(
        world,
        applications_open=today + dt.timedelta(days=5),
        applications_close=today + dt.timedelta(days=9),
    )
    with pytest.raises(Conflict, match="open on"):
        enrollment.enroll(world.actor("xa_teacher"), later.pk)
    past = make_program(
        world,
        title="已截止的研修班",
        applications_open=today - dt.timedelta(days=9),
        applications_close=today - dt.timedelta(days=1),
    )
    with pytest.raises(Conflict, match="closed on"):
        enrollment.enroll(world.actor("xa_teacher"), past.pk)
    assert not Enrollment.objects.exists()


def test_it_refuses_a_teacher_outside_the_target_audience_and_says_why(world: Cast) -> None:
    program = make_program(world, stages="高中", subjects="数学", region_groups=["xiongan"])
    with pytest.raises(InvalidInput) as e:
        enrollment.enroll(world.actor("teacher"), program.pk)  # a Sanhe primary teacher
    assert "Senior secondary" in str(e.value.message) and "other regions" in str(e.value.message)
    assert enrollment.enroll(world.actor("xa_teacher"), program.pk).status == ENROLLED


def test_it_refuses_a_draft_program_and_a_stranger_on_behalf(world: Cast) -> None:
    draft = make_program(world, open_it=False)
    with pytest.raises(NotFound):
        enrollment.enroll(world.actor("xa_teacher"), draft.pk)
    program = make_program(world, title="开放的研修班")
    with pytest.raises(NotFound):  # Sanhe's admin does not keep Xiongxian's teacher
        enrollment.enroll(world.actor("school_admin"), program.pk, world.xiongan_teacher.pk)
    with pytest.raises(PermissionDenied):  # an admin without a staff record of their own
        enrollment.enroll(world.actor("school_admin"), program.pk)


def test_it_shares_places_by_quota_and_enrolls_only_through_them(world: Cast) -> None:
    program = make_program(world, capacity=10)
    admin = world.actor("bie_admin")
    programs.allocate_quota(admin, program.pk, "130638", 1)  # 雄县: one place
    with pytest.raises(InvalidInput, match="not given to other regions"):
        programs.allocate_quota(admin, program.pk, "131082", 10)
    with pytest.raises(PermissionDenied):  # 三河市 cannot give places to 雄县
        programs.allocate_quota(world.actor("sanhe"), program.pk, "130638", 2)

    with pytest.raises(Conflict, match="none to yours"):
        enrollment.enroll(world.actor("teacher"), program.pk)
    first = enrollment.enroll(world.actor("xa_teacher"), program.pk)
    other = make_staff("周容城", world.xiongxian_school, 9)
    second = enrollment.enroll(world.actor("xiongxian_admin"), program.pk, other.pk)
    assert (first.status, second.status) == (ENROLLED, WAITLISTED)
    assert first.quota is not None and second.enrolled_by == EnrolledBy.QUOTA
    with pytest.raises(InvalidInput, match="hold places already"):
        programs.allocate_quota(admin, program.pk, "130638", 0)


def test_it_never_lowers_the_capacity_below_the_places_taken(world: Cast) -> None:
    program = make_program(world, capacity=1)
    enrollment.enroll(world.actor("xa_teacher"), program.pk)
    waiting = enrollment.enroll(world.actor("teacher"), program.pk)
    data = programs.ProgramIn(
        title=program.title,
        hours=24,
        capacity=0,
        applications_open=program.applications_open,
        applications_close=program.applications_close,
    )
    with pytest.raises(InvalidInput):
        programs.edit_program(world.actor("bie_admin"), program.pk, data)
    data.capacity = 2
    programs.edit_program(world.actor("bie_admin"), program.pk, data)
    waiting.refresh_from_db()
    assert waiting.status == ENROLLED  # the new place went to the waitlist
