"""Teacher training through /api/training, and the scope matrix of programs, enrollments,
attendance and certificates through the services, the API and the pages.

Users: ``xa_teacher`` (赵雄安, the enrolled teacher), ``teacher`` (李三河, another
teacher), ``xiongxian_admin`` (her school's admin), ``baoding`` (the authority over her
school), ``bie_admin`` (the provider's admin), ``school_admin`` (another school's admin),
``nobody`` (a stranger: signed in, no role).
Objects: ``open`` (an open program, sessions held, 赵雄安 enrolled), ``enr`` (her
enrollment), ``cert`` (her certificate of a completed program).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from xietong import access
from xietong.access.testing import Matrix, Verb, door_tests
from xietong.accounts.models import Role
from xietong.conftest import make_user, region
from xietong.training import selectors as sel
from xietong.training.models import Attendance, Certificate, Enrollment, Program
from xietong.training.services import attendance, certificates, enrollment, programs
from xietong.training.tests.conftest import make_program

A = "/api/training"
EDITED = "改写后的研修班名称"

TABLE = """
user             object  read edit roster attend withdraw assess revoke
xa_teacher       open    Y    F    F      F      .        .      .
xa_teacher       enr     .    .    .      .      Y        F      .
xa_teacher       cert    Y    .    .      .      .        .      F
teacher          open    Y    F    F      F      .        .      .
teacher          enr     .    .    .      .      H        H      .
teacher          cert    H    .    .      .      .        .      H
xiongxian_admin  open    Y    F    F      F      .        .      .
xiongxian_admin  enr     .    .    .      .      Y        F      .
xiongxian_admin  cert    Y    .    .      .      .        .      F
baoding          open    Y    F    F      F      .        .      .
baoding          enr     .    .    .      .      Y        F      .
baoding          cert    Y    .    .      .      .        .      F
bie_admin        open    Y    Y    Y      Y      .        .      .
bie_admin        enr     .    .    .      .      F        Y      .
bie_admin        cert    Y    .    .      .      .        .      Y
school_admin     open    Y    F    F      F      .        .      .
school_admin     enr     .    .    .      .      H        H      .
school_admin     cert    H    .    .      .      .        .      H
nobody           open    H    H    H      H      .        .      .
nobody           enr     .    .    .      .      H        H      .
nobody           cert    H    .    .      .      .        .      H
"""


def _program_in(o: Program) -> dict[str, Any]:
    return {
        "title": EDITED,
        "hours": "24",
        "capacity": 30,
        "applications_open": o.applications_open.isoformat(),
        "applications_close": o.applications_close.isoformat(),
        "provider_id": o.provider_id,
    }


def _session(o: Program) -> int:
    return o.sessions.order_by("starts_at").first().pk  # type: ignore[union-attr]


def _enr_of(o: Program) -> int:
    return Enrollment.objects.get(program=o).pk


VERBS = {
    "read": Verb(
        "read",
        service=lambda a, o: (
            sel.program_detail(a, o.pk) if isinstance(o, Program) else sel.certificate_for(a, o.pk)
        ),
        api=lambda o: (
            ("get", f"{A}/programs/{o.pk}", None)
            if isinstance(o, Program)
            else ("get", f"{A}/certificates/{o.pk}", None)
        ),
        form=lambda o: (
            reverse("training:program", args=[o.pk])
            if isinstance(o, Program)
            else reverse("training:certificate_pdf", args=[o.pk])
        ),
    ),
    "edit": Verb(
        "edit",
        action="edit",
        service=lambda a, o: programs.edit_program(a, o.pk, programs.ProgramIn(**_program_in(o))),
        done=lambda o: o.title == EDITED,
        api=lambda o: ("put", f"{A}/programs/{o.pk}", _program_in(o)),
        page=lambda o: reverse("training:program", args=[o.pk]),
        marker=lambda o: 'data-testid="edit-program"',
        form=lambda o: reverse("training:edit", args=[o.pk]),
    ),
    "roster": Verb(
        "roster",
        action="attend",
        service=lambda a, o: sel.roster(a, o.pk),
        api=lambda o: ("get", f"{A}/programs/{o.pk}/roster", None),
        page=lambda o: reverse("training:program", args=[o.pk]),
        marker=lambda o: 'data-testid="roster-link"',
        form=lambda o: reverse("training:roster", args=[o.pk]),
    ),
    "attend": Verb(
        "attend",
        action="attend",
        service=lambda a, o: attendance.record_roster(a, _session(o), [_enr_of(o)]),
        done=lambda o: Attendance.objects.filter(enrollment__program=o).exists(),
        api=lambda o: (
            "post",
            f"{A}/programs/{o.pk}/roster",
            {"session": _session(o), "present": [_enr_of(o)]},
        ),
        post=lambda o: (
            reverse("training:attendance", args=[o.pk, _session(o)]),
            {"roster": [_enr_of(o)], "present": [_enr_of(o)]},
        ),
    ),
    "withdraw": Verb(
        "withdraw",
        action="withdraw",
        service=lambda a, o: enrollment.withdraw(a, o.pk),
        done=lambda o: o.status == "withdrawn",
        api=lambda o: ("post", f"{A}/enrollments/{o.pk}/withdraw", None),
        post=lambda o: (reverse("training:withdraw", args=[o.pk]), {}),
    ),
    "assess": Verb(
        "assess",
        action="assess",
        service=lambda a, o: attendance.assess(a, o.pk, "pass", 90),
        done=lambda o: o.assessment == "pass",
        api=lambda o: ("post", f"{A}/enrollments/{o.pk}/assessment", {"assessment": "pass"}),
        post=lambda o: (reverse("training:assess", args=[o.pk]), {"assessment": "pass"}),
    ),
    "revoke": Verb(
        "revoke",
        action="revoke",
        service=lambda a, o: certificates.revoke(a, o.pk, "出勤记录有误"),
        done=lambda o: o.revoked_at is not None,
        api=lambda o: ("post", f"{A}/certificates/{o.pk}/revoke", {"reason": "出勤记录有误"}),
        post=lambda o: (reverse("training:revoke", args=[o.pk]), {"reason": "出勤记录有误"}),
    ),
}
MATRIX = Matrix(TABLE, VERBS)


@pytest.fixture
def people(world):
    world.users["baoding"] = make_user("baoding", Role.AUTHORITY_ADMIN, region=region("130600"))
    return world


@pytest.fixture
def world_objects(people) -> dict[str, Any]:
    cast = people
    teacher = cast.actor("xa_teacher")
    admin = cast.actor("bie_admin")
    open_program = make_program(cast, title="进行中的研修班")
    enr = enrollment.enroll(teacher, open_program.pk)
    done = make_program(cast, title="已结业的研修班")
    row = enrollment.enroll(teacher, done.pk)
    for s in done.sessions.all():
        attendance.record_roster(admin, s.pk, [row.pk])
    attendance.complete_program(admin, done.pk)
    return {"open": open_program, "enr": enr, "cert": Certificate.objects.get(enrollment=row)}


(
    _services,
    _api,
    _web,
) = door_tests(MATRIX)


def test_it_allows_training_through_the_services_exactly_as_the_table_says(people, world_objects):
    _services(people, world_objects)


def test_it_answers_training_through_the_api_exactly_as_the_table_says(people, world_objects):
    _api(people, world_objects)


def test_it_shows_training_pages_and_buttons_exactly_where_the_table_says(people, world_objects):
    _web(people, world_objects)


def test_it_names_every_declared_verb_it_judges_in_its_table():
    judged = {v.action for v in VERBS.values() if v.action}
    assert judged <= set(access.policy_for(Program).verbs) | {"withdraw", "assess", "revoke"}


# --- the API's own answers ----------------------------------------------------------------


def _api_client(cast, user: str):  # type: ignore[no-untyped-def]
    from django.test import Client

    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(cast.users[user])
    return c


def test_it_lists_the_catalogue_with_the_page_envelope_and_filters(world):
    make_program(world, title="高中数学研修", stages=["senior"])
    make_program(world, title="小学语文研修", stages=["primary"])
    c = _api_client(world, "xa_teacher")
    body = c.get(f"{A}/programs").json()
    assert body["count"] == 2 and {"items", "page", "pages", "next"} <= set(body)
    mine = c.get(f"{A}/programs", {"open_to_me": True}).json()
    assert [p["title"] for p in mine["items"]] == ["高中数学研修"]
    bad = c.get(f"{A}/programs", {"status": "bogus"})
    assert bad.status_code == 422 and "status" in bad.json()["fields"]


def test_it_lists_the_catalogue_in_the_same_number_of_queries_for_3_and_20_programs(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = _api_client(world, "xa_teacher")
    for i in range(3):
        make_program(world, title=f"研修 {i}", sessions=1)
    c.get(f"{A}/programs")
    with CaptureQueriesContext(connection) as few:
        c.get(f"{A}/programs", {"page_size": 50})
    for i in range(17):
        make_program(world, title=f"更多 {i}", sessions=1)
    with CaptureQueriesContext(connection) as many:
        c.get(f"{A}/programs", {"page_size": 50})
    assert len(many) == len(few)


def test_it_creates_opens_and_completes_a_program_through_the_api(world):
    c = _api_client(world, "bie_admin")
    today = timezone.localdate()
    made = c.post(
        f"{A}/programs",
        {
            "title": "API 研修班",
            "hours": 12,
            "capacity": 5,
            "applications_open": today.isoformat(),
            "applications_close": (today + dt.timedelta(days=5)).isoformat(),
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    early = c.post(f"{A}/programs/{pk}/open")
    assert early.status_code == 422 and "sessions" in early.json()["message"]
    start = timezone.now() - dt.timedelta(hours=3)
    added = c.post(
        f"{A}/programs/{pk}/sessions",
        {
            "starts_at": timezone.localtime(start).strftime("%Y-%m-%d %H:%M"),
            "ends_at": timezone.localtime(start + dt.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"),
            "place": "报告厅",
        },
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    assert c.post(f"{A}/programs/{pk}/open").json()["status"] == "open"
    teacher = _api_client(world, "xa_teacher")
    enrolled = teacher.post(f"{A}/programs/{pk}/enroll", {}, content_type="application/json")
    assert enrolled.status_code == 201 and enrolled.json()["status"] == "enrolled"
    code = c.post(
        f"{A}/sessions/{added.json()['id']}/code", {}, content_type="application/json"
    ).json()["code"]
    checked = teacher.post(f"{A}/check-in", {"code": code}, content_type="application/json")
    assert checked.status_code == 200 and checked.json()["present"] is True
    done = c.post(f"{A}/programs/{pk}/complete").json()
    assert done == {"completed": 1, "not_completed": 0, "certificates": 1}
    mine = teacher.get(f"{A}/certificates/mine").json()
    assert len(mine) == 1 and mine[0]["hours"] == "12"
    pdf = teacher.get(f"{A}/certificates/{mine[0]['id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_it_enrolls_a_teacher_on_behalf_through_the_api_and_refuses_another_schools(world, program):
    c = _api_client(world, "xiongxian_admin")
    ok = c.post(
        f"{A}/programs/{program.pk}/enroll",
        {"staff_id": world.xiongan_teacher.pk},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["enrolled_by"] == "admin"
    other = c.post(
        f"{A}/programs/{program.pk}/enroll",
        {"staff_id": world.sanhe_teacher.pk},
        content_type="application/json",
    )
    assert other.status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        ("assessment", {"assessment": "maybe"}, 422, "passed or failed"),
        ("assessment", {"assessment": "pass", "score": 101}, 422, "0 to 100"),
    ],
)
def test_it_answers_bad_enrollment_input_with_a_specific_message(
    world, program, path, body, status, words
):
    row = enrollment.enroll(world.actor("xa_teacher"), program.pk)
    got = _api_client(world, "bie_admin").post(
        f"{A}/enrollments/{row.pk}/{path}", body, content_type="application/json"
    )
    assert got.status_code == status
    assert words in got.json()["message"] or words in str(got.json().get("fields"))


def test_it_refuses_a_wrong_and_an_expired_check_in_code(world, program):
    enrollment.enroll(world.actor("xa_teacher"), program.pk)
    session = program.sessions.first()
    attendance.issue_code(world.actor("bie_admin"), session.pk)
    teacher = _api_client(world, "xa_teacher")
    wrong = teacher.post(f"{A}/check-in", {"code": "000000"}, content_type="application/json")
    assert wrong.status_code in (409, 422) and wrong.json()["message"]
    code, _until = attendance.issue_code(world.actor("bie_admin"), session.pk)
    type(session).objects.filter(pk=session.pk).update(
        code_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    expired = teacher.post(f"{A}/check-in", {"code": code}, content_type="application/json")
    assert expired.status_code == 409 and "expired" in expired.json()["message"]
    assert not Attendance.objects.exists()
