"""The training pages: catalogue, program page, keepers' form and buttons, roster and
attendance, check-in, enrolling on behalf, certificates — and bad input on every form."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xietong.conftest import Cast
from xietong.training.choices import EnrollmentStatus, ProgramStatus
from xietong.training.models import Attendance, Certificate, Enrollment, Program, Quota, Session
from xietong.training.services import attendance, enrollment
from xietong.training.tests.conftest import make_program

pytestmark = pytest.mark.django_db


def _client(world: Cast, user: str, language: str = "en") -> Client:
    c = Client()
    c.force_login(world.users[user])
    c.cookies["django_language"] = language
    return c


def _enrolled(world: Cast, program: Program) -> Enrollment:
    return enrollment.enroll(world.actor("xa_teacher"), program.pk)


def _messages(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# --- the catalogue ------------------------------------------------------------------------


def test_it_lists_open_programs_in_the_catalogue_and_hides_drafts_from_teachers(world):
    open_one = make_program(world, title="雄安高中数学研修")
    draft = make_program(world, title="尚未开放的草稿", open_it=False)
    teacher = _client(world, "xa_teacher").get(reverse("training:catalogue"))
    assert teacher.status_code == 200
    assert open_one.title in teacher.content.decode()
    assert draft.title not in teacher.content.decode()
    keeper = _client(world, "bie_admin").get(reverse("training:catalogue"))
    assert draft.title in keeper.content.decode()


def test_it_filters_the_catalogue_to_the_programs_open_to_the_teacher(world):
    mine = make_program(world, title="高中教师研修", stages=["senior"])
    other = make_program(world, title="小学教师研修", stages=["primary"])
    page = _client(world, "xa_teacher").get(reverse("training:catalogue"), {"open_to_me": "on"})
    html = page.content.decode()
    assert mine.title in html and other.title not in html


def test_it_marks_a_program_not_for_the_teacher_without_hiding_it(world):
    other = make_program(world, title="小学教师研修", stages=["primary"])
    html = _client(world, "xa_teacher").get(reverse("training:catalogue")).content.decode()
    assert other.title in html and "bi-slash-circle" in html


def test_it_refuses_a_bad_filter_with_a_message_not_an_error(world):
    page = _client(world, "xa_teacher").get(reverse("training:catalogue"), {"status": "bogus"})
    assert page.status_code == 200
    assert "Correct the filters" in page.content.decode()


def test_it_reads_the_catalogue_in_the_same_number_of_queries_for_3_and_20_programs(
    world, django_assert_max_num_queries
):
    client = _client(world, "xa_teacher")
    for i in range(3):
        make_program(world, title=f"研修 {i}", sessions=1)
    client.get(reverse("training:catalogue"))  # warm up (sessions, caches)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("training:catalogue"), {"page_size": 50})
    for i in range(17):
        make_program(world, title=f"更多研修 {i}", sessions=1, stages=["primary"] if i % 2 else [])
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("training:catalogue"), {"page_size": 50}).status_code == 200
    assert len(many) == len(few)


# --- the program page and enrolling -------------------------------------------------------


def test_it_enrolls_the_teacher_from_the_program_page(world, program):
    client = _client(world, "xa_teacher")
    page = client.get(reverse("training:program", args=[program.pk]))
    assert 'data-testid="enroll"' in page.content.decode()
    done = client.post(reverse("training:enroll", args=[program.pk]), follow=True)
    assert Enrollment.objects.get(program=program).status == EnrollmentStatus.ENROLLED
    assert 'data-testid="withdraw"' in done.content.decode()


def test_it_puts_the_teacher_on_the_waitlist_and_shows_the_position(world):
    program = make_program(world, capacity=1)
    world.xiongan_teacher  # noqa: B018
    enrollment.enroll(world.actor("xiongxian_admin"), program.pk, world.xiongan_teacher.pk)
    # a second teacher of the same school
    from xietong.accounts.models import Role
    from xietong.conftest import make_staff, make_user

    second = make_staff("钱雄安", world.xiongxian_school, 9, stages=",senior,")
    second.user = make_user("xa_second", Role.STAFF)
    second.save(update_fields=["user"])
    client = Client()
    client.force_login(second.user)
    done = client.post(reverse("training:enroll", args=[program.pk]), follow=True)
    html = done.content.decode()
    assert 'data-testid="waitlist-position"' in html
    assert Enrollment.objects.get(staff=second).status == EnrollmentStatus.WAITLISTED


def test_it_says_why_enrolling_twice_is_refused(world, program):
    client = _client(world, "xa_teacher")
    client.post(reverse("training:enroll", args=[program.pk]))
    again = client.post(reverse("training:enroll", args=[program.pk]), follow=True)
    assert again.status_code == 200
    assert "赵雄安" in _messages(again)
    assert Enrollment.objects.filter(program=program).count() == 1


def test_it_says_why_an_ineligible_teacher_cannot_enroll(world):
    program = make_program(world, stages=["primary"])
    client = _client(world, "xa_teacher")
    page = client.get(reverse("training:program", args=[program.pk])).content.decode()
    assert 'data-testid="eligibility"' in page and 'data-testid="enroll"' not in page
    refused = client.post(reverse("training:enroll", args=[program.pk]), follow=True)
    assert refused.status_code == 200 and _messages(refused)
    assert not Enrollment.objects.filter(program=program).exists()


def test_it_withdraws_from_the_program_page(world, program):
    row = _enrolled(world, program)
    client = _client(world, "xa_teacher")
    client.post(reverse("training:withdraw", args=[row.pk]))
    row.refresh_from_db()
    assert row.status == EnrollmentStatus.WITHDRAWN


def test_it_hides_a_draft_program_page_from_a_teacher(world):
    draft = make_program(world, open_it=False)
    assert (
        _client(world, "xa_teacher").get(reverse("training:program", args=[draft.pk])).status_code
        == 404
    )


def test_it_lets_a_school_admin_enroll_a_teacher_of_theirs(world, program):
    client = _client(world, "xiongxian_admin")
    page = client.get(reverse("training:enroll_for", args=[program.pk]))
    assert page.status_code == 200
    client.post(
        reverse("training:enroll_for", args=[program.pk]), {"staff": world.xiongan_teacher.pk}
    )
    assert Enrollment.objects.get(program=program).enrolled_by == "admin"


def test_it_refuses_a_school_admin_enrolling_another_schools_teacher(world, program):
    client = _client(world, "xiongxian_admin")
    bad = client.post(
        reverse("training:enroll_for", args=[program.pk]), {"staff": world.sanhe_teacher.pk}
    )
    assert bad.status_code == 422
    assert "not among those you may pick" in bad.content.decode()
    assert not Enrollment.objects.filter(program=program).exists()


# --- keeping a program --------------------------------------------------------------------


def _program_post(**extra: object) -> dict[str, object]:
    today = timezone.localdate()
    data: dict[str, object] = {
        "title": "天津师大 初中语文骨干研修",
        "hours": "24",
        "credit_type": "centralised",
        "capacity": "40",
        "mode": "offline",
        "fee_yuan": "0",
        "applications_open": today.isoformat(),
        "applications_close": (today + dt.timedelta(days=20)).isoformat(),
        "min_attendance": "80",
        "regions": "130638",
    }
    data.update(extra)
    return data


def test_it_creates_a_draft_program_from_the_form(world):
    client = _client(world, "bie_admin")
    assert client.get(reverse("training:new")).status_code == 200
    done = client.post(reverse("training:new"), _program_post())
    program = Program.objects.get(title="天津师大 初中语文骨干研修")
    assert done.status_code == 302 and program.status == ProgramStatus.DRAFT
    assert list(program.regions.values_list("code", flat=True)) == ["130638"]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("title", "", "title"),
        ("hours", "-3", "zero"),
        ("hours", "abc", "number"),
        ("capacity", "0", "capacity"),
        ("applications_close", "2001-01-01", "close after"),
        ("applications_open", "31/12/2025", "YYYY-MM-DD"),
        ("fee_yuan", "-1", "fee"),
        ("min_attendance", "150", "attendance"),
        ("regions", "999999", "Unknown regions"),
    ],
)
def test_it_answers_bad_program_input_with_its_specific_message(world, field, value, words):
    client = _client(world, "bie_admin")
    response = client.post(reverse("training:new"), _program_post(**{field: value}))
    assert response.status_code == 422
    assert words.lower() in response.content.decode().lower()
    assert not Program.objects.exists()


def test_it_refuses_the_program_form_to_a_teacher(world):
    assert _client(world, "xa_teacher").get(reverse("training:new")).status_code == 403


def test_it_adds_and_removes_sessions_and_refuses_a_bad_one(world):
    program = make_program(world, open_it=False, sessions=0)
    client = _client(world, "bie_admin")
    starts = timezone.localtime() + dt.timedelta(days=5)
    good = {
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "北京教育学院 报告厅",
        "topic": "开班",
    }
    client.post(reverse("training:session_add", args=[program.pk]), good)
    session = Session.objects.get(program=program)
    bad = client.post(
        reverse("training:session_add", args=[program.pk]),
        {**good, "ends_at": good["starts_at"]},
    )
    assert bad.status_code == 422 and "ends after it starts" in bad.content.decode()
    client.post(reverse("training:session_delete", args=[program.pk, session.pk]))
    assert not Session.objects.filter(program=program).exists()


def test_it_opens_closes_and_cancels_with_a_reason_from_the_buttons(world):
    program = make_program(world, open_it=False)
    client = _client(world, "bie_admin")
    page = client.get(reverse("training:program", args=[program.pk])).content.decode()
    assert 'data-testid="open-program"' in page and 'data-testid="close-program"' not in page
    client.post(reverse("training:open", args=[program.pk]))
    program.refresh_from_db()
    assert program.status == ProgramStatus.OPEN
    client.post(reverse("training:close", args=[program.pk]))
    program.refresh_from_db()
    assert program.status == ProgramStatus.CLOSED
    no_reason = client.post(reverse("training:cancel", args=[program.pk]), {"reason": " "})
    assert no_reason.status_code == 422
    client.post(reverse("training:cancel", args=[program.pk]), {"reason": "场地无法使用"})
    program.refresh_from_db()
    assert program.status == ProgramStatus.CANCELLED and program.cancel_reason == "场地无法使用"


def test_it_sets_a_regions_quota_and_refuses_more_than_the_capacity(world):
    program = make_program(world, capacity=10)
    from xietong.regions.models import Region

    xiongxian = Region.objects.get(code="130638")
    client = _client(world, "bie_admin")
    client.post(
        reverse("training:quota", args=[program.pk]), {"region": xiongxian.pk, "places": "4"}
    )
    assert Quota.objects.get(program=program).places == 4
    too_many = client.post(
        reverse("training:quota", args=[program.pk]),
        {"region": xiongxian.pk, "places": "11"},
    )
    assert too_many.status_code == 422 and "10" in too_many.content.decode()
    assert Quota.objects.get(program=program).places == 4


# --- roster, attendance, check-in, assessment, hours --------------------------------------


def test_it_records_a_sessions_attendance_from_the_roster_grid(world, program):
    row = _enrolled(world, program)
    session = program.sessions.first()
    client = _client(world, "bie_admin")
    page = client.get(reverse("training:roster", args=[program.pk])).content.decode()
    assert f'data-testid="mark-{session.pk}-{row.pk}"' in page
    client.post(
        reverse("training:attendance", args=[program.pk, session.pk]),
        {"roster": [str(row.pk)], "present": [str(row.pk)]},
    )
    assert Attendance.objects.get(enrollment=row, session=session).present is True
    client.post(
        reverse("training:attendance", args=[program.pk, session.pk]), {"roster": [str(row.pk)]}
    )
    assert Attendance.objects.get(enrollment=row, session=session).present is False


def test_it_refuses_attendance_for_someone_not_enrolled(world, program):
    _enrolled(world, program)
    session = program.sessions.first()
    stray = _client(world, "bie_admin").post(
        reverse("training:attendance", args=[program.pk, session.pk]),
        {"roster": ["999999"], "present": ["999999"]},
        follow=True,
    )
    assert stray.status_code == 200 and "999999" in _messages(stray)
    assert not Attendance.objects.exists()


def test_it_shows_the_roster_to_keepers_only(world, program):
    url = reverse("training:roster", args=[program.pk])
    assert _client(world, "xa_teacher").get(url).status_code == 403
    assert _client(world, "xiongxian_admin").get(url).status_code == 403
    assert _client(world, "bie_admin").get(url).status_code == 200


def test_it_shows_a_six_digit_code_large_and_the_teacher_checks_in_with_it(world, program):
    row = _enrolled(world, program)
    session = program.sessions.first()
    shown = _client(world, "bie_admin").post(
        reverse("training:code", args=[program.pk, session.pk])
    )
    code = re.search(r'data-testid="checkin-code">(\d{6})<', shown.content.decode())
    assert code is not None and 'data-testid="code-expiry"' in shown.content.decode()
    teacher = _client(world, "xa_teacher")
    wrong = teacher.post(reverse("training:check_in"), {"code": "12345"})
    assert wrong.status_code == 422 and "6 digits" in wrong.content.decode()
    teacher.post(reverse("training:check_in"), {"code": code.group(1)})
    assert Attendance.objects.get(enrollment=row, session=session).method == "code"


def test_it_records_an_assessment_and_refuses_a_score_above_100(world, program):
    row = _enrolled(world, program)
    client = _client(world, "bie_admin")
    bad = client.post(
        reverse("training:assess", args=[row.pk]),
        {"assessment": "pass", "score": "130"},
        follow=True,
    )
    assert "100" in _messages(bad)
    client.post(reverse("training:assess", args=[row.pk]), {"assessment": "pass", "score": "92.5"})
    row.refresh_from_db()
    assert row.assessment == "pass" and str(row.score) == "92.5"


def test_it_adjusts_hours_of_a_completed_teacher_and_refuses_more_than_the_programs(world, program):
    row = _enrolled(world, program)
    admin = world.actor("bie_admin")
    for s in program.sessions.all():
        attendance.record_roster(admin, s.pk, [row.pk])
    client = _client(world, "bie_admin")
    client.post(reverse("training:complete", args=[program.pk]))
    row.refresh_from_db()
    assert row.status == EnrollmentStatus.COMPLETED
    too_many = client.post(reverse("training:hours", args=[row.pk]), {"hours": "99"}, follow=True)
    assert "24" in _messages(too_many)
    negative = client.post(reverse("training:hours", args=[row.pk]), {"hours": "-2"}, follow=True)
    assert _messages(negative)
    client.post(reverse("training:hours", args=[row.pk]), {"hours": "20"})
    row.refresh_from_db()
    assert str(row.hours_credited) == "20.0"


# --- certificates -------------------------------------------------------------------------


@pytest.fixture
def completed(world, program):
    row = _enrolled(world, program)
    admin = world.actor("bie_admin")
    for s in program.sessions.all():
        attendance.record_roster(admin, s.pk, [row.pk])
    attendance.complete_program(admin, program.pk)
    return Certificate.objects.get(enrollment=row)


def test_it_lists_a_programs_certificates_and_revokes_one_with_a_reason(world, program, completed):
    client = _client(world, "bie_admin")
    page = client.get(reverse("training:certificates", args=[program.pk])).content.decode()
    assert completed.number in page
    no_reason = client.post(
        reverse("training:revoke", args=[completed.pk]), {"reason": ""}, follow=True
    )
    assert _messages(no_reason)
    completed.refresh_from_db()
    assert completed.revoked_at is None
    client.post(reverse("training:revoke", args=[completed.pk]), {"reason": "出勤记录有误"})
    completed.refresh_from_db()
    assert completed.revoked_at is not None


def test_it_shows_the_teacher_their_training_and_certificates(world, program, completed):
    page = _client(world, "xa_teacher").get(reverse("training:mine")).content.decode()
    assert completed.number in page and program.title in page


def test_it_lets_the_holder_and_the_keeper_download_the_pdf_but_no_one_else(world, completed):
    url = reverse("training:certificate_pdf", args=[completed.pk])
    for user in ("xa_teacher", "bie_admin"):
        got = _client(world, user).get(url)
        assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
        assert got.content.startswith(b"%PDF")
    assert _client(world, "teacher").get(url).status_code == 404
    assert _client(world, "school_admin").get(url).status_code == 404
