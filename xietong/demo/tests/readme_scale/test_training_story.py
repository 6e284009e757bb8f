"""The demo's teacher training (``xietong.demo.training``) at the README's scale: the three
providers' programs from 2023 to 2025 with their sessions, 北京教育学院's base at 北京四中
雄安校区 used from 2024-02; enrollments weighted toward 雄安新区, 北三县 and the rural
counties of 张家口 and 承德; attendance, completions, a waitlist that moved, signed
certificates (one revoked); the README's teachers' records show their hours."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Min
from django.utils import timezone

from xietong.accounts.access import actor_for
from xietong.accounts.models import AuditEvent, User
from xietong.demo import named
from xietong.demo import training as story
from xietong.institutions.choices import TEACHING_POSITIONS
from xietong.institutions.models import Staff
from xietong.training import record, signing
from xietong.training.choices import EnrollmentStatus, ProgramStatus
from xietong.training.models import Attendance, Certificate, Enrollment, Program, Quota
from xietong.training.services.certificates import fields_of, verify

# one worker loads the shared demo of these tests (see scripts/run_tests.sh)
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("readme_scale")]


def program(spec: story.Spec) -> Program:
    return Program.objects.get(provider=named.institution(spec.provider), title=spec.title)


def test_the_programs_exist_at_the_named_providers_with_sessions(demo: None) -> None:
    assert story.demo_programs().count() == len(story.PROGRAMS)
    providers = {p.provider.name for p in story.demo_programs()}
    assert providers == {"北京教育学院", "首都师范大学", "天津师范大学"}
    for spec in story.PROGRAMS:
        p = program(spec)
        assert p.status == ProgramStatus.COMPLETED, spec.title
        assert p.hours == spec.hours and p.capacity == spec.capacity, spec.title
        sessions = list(p.sessions.all())
        assert len(sessions) == len(spec.meetings) and all(s.trainer for s in sessions)
        assert all(s.place or s.link for s in sessions), spec.title
        assert {s.starts_at.year for s in sessions} <= {2023, 2024, 2025}
    years = {program(s).applications_open.year for s in story.PROGRAMS}
    assert years == {2023, 2024, 2025}
    assert Quota.objects.filter(program__in=story.demo_programs()).count() >= 3


def test_the_base_at_the_xiongan_campus_holds_programs_from_2024_02(demo: None) -> None:
    at_base = Program.objects.filter(sessions__place__contains="北京四中雄安校区").distinct()
    assert at_base.count() >= 2
    assert {p.provider.name for p in at_base} == {"北京教育学院"}
    first = at_base.aggregate(m=Min("sessions__starts_at"))["m"]
    assert timezone.localtime(first).date() >= dt.date(2024, 2, 1)
    assert min(p.applications_open for p in at_base) >= dt.date(2024, 2, 1)


def test_steps_are_dated_in_order_in_the_past(demo: None) -> None:
    now = timezone.now()
    for p in story.demo_programs():
        assert p.created_at < p.opened_at < p.closed_at < p.completed_at < now, p.title
        assert p.opened_at.date() == p.applications_open
        first = p.sessions.aggregate(m=Min("starts_at"))["m"]
        assert p.applications_close < timezone.localtime(first).date()
        last = max(s.ends_at for s in p.sessions.all())
        assert last < p.completed_at
        for e in p.enrollments.all():
            joined = e.enrolled_at or e.waitlisted_at
            assert joined is not None and p.opened_at <= joined, e
            assert joined.date() <= p.applications_close, e
            if e.completed_at:
                assert e.completed_at == p.completed_at
        for a in Attendance.objects.filter(session__program=p).select_related("session"):
            assert a.recorded_at == a.session.ends_at
    for c in Certificate.objects.select_related("enrollment__program"):
        assert c.issued_at >= c.enrollment.program.completed_at
        assert c.completed_on == timezone.localtime(c.enrollment.completed_at).date()
        if c.revoked_at:
            assert c.issued_at < c.revoked_at < now


def test_enrollments_are_weighted_toward_the_counties_the_plan_helps_first(demo: None) -> None:
    focus = [r.path for r in story.rural_focus()]
    assert {"130629", "131082", "130722", "130821"} <= {r.code for r in story.rural_focus()}

    def in_focus(path: str) -> bool:
        return any(path.startswith(p) for p in focus)

    rows = Enrollment.objects.filter(program__in=story.demo_programs())
    paths = list(rows.values_list("region_path", flat=True))
    share = sum(map(in_focus, paths)) / len(paths)
    teachers = Staff.objects.filter(position__in=TEACHING_POSITIONS)
    population = list(teachers.values_list("institution__region_path", flat=True))
    base = sum(map(in_focus, population)) / len(population)
    assert share > 0.7 and share > 5 * base, (share, base)
    # Programs open to the whole region still give most places to those counties.
    open_to_all = [
        p
        for p in story.demo_programs()
        if not p.region_rows.exists() and not p.region_groups.exists()
    ]
    assert open_to_all
    for p in open_to_all:
        mine = list(p.enrollments.values_list("region_path", flat=True))
        assert sum(map(in_focus, mine)) / len(mine) > 3 * base, p.title
    # Every enrolled teacher's school lies where the program is for.
    for p in story.demo_programs().prefetch_related("region_groups__members"):
        allowed = [m.path for g in p.region_groups.all() for m in g.members.all()]
        if allowed:
            assert all(
                any(x.startswith(a) for a in allowed)
                for x in p.enrollments.values_list("region_path", flat=True)
            )


def test_most_complete_a_few_do_not_and_the_waitlist_moved(demo: None) -> None:
    rows = Enrollment.objects.filter(program__in=story.demo_programs())
    counts = dict(rows.values_list("status").annotate(n=Count("pk")))
    assert counts[EnrollmentStatus.COMPLETED] > 0.8 * sum(counts.values())
    assert 0 < counts[EnrollmentStatus.NOT_COMPLETED] < 0.1 * sum(counts.values())
    assert counts[EnrollmentStatus.WITHDRAWN] >= 2
    assert not rows.filter(status__in=(EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED))
    promoted = rows.filter(
        status=EnrollmentStatus.COMPLETED, waitlisted_at__isnull=False, enrolled_at__isnull=False
    )
    assert promoted.exists()
    for e in promoted:
        assert e.waitlisted_at < e.enrolled_at
    # Hours only on completion, and attendance decides it.
    assert all(e.hours_credited == e.program.hours for e in rows.filter(status="completed"))
    assert not rows.filter(status=EnrollmentStatus.NOT_COMPLETED, hours_credited__isnull=False)
    for e in rows.filter(status=EnrollmentStatus.NOT_COMPLETED)[:5]:
        present = e.attendance.filter(present=True).count()
        assert present * 100 < e.program.min_attendance * e.program.sessions.count()


def test_certificates_are_issued_for_completions_signed_and_one_is_revoked(demo: None) -> None:
    done = Enrollment.objects.filter(
        program__in=story.demo_programs(), status=EnrollmentStatus.COMPLETED
    )
    certs = Certificate.objects.filter(enrollment__in=done)
    assert certs.count() == done.count()
    assert not Certificate.objects.exclude(enrollment__in=done).exists()
    for c in certs.select_related("enrollment__staff"):
        assert signing.check_number(c.number)
        assert signing.verify(fields_of(c), c.signature)
        assert c.number.startswith(f"XT{c.completed_on.year}-")
        assert c.holder == c.enrollment.staff.name
    revoked = list(certs.filter(revoked_at__isnull=False))
    assert len(revoked) == 1 and revoked[0].revoke_reason
    assert verify(revoked[0].number).outcome == "revoked"
    valid = certs.filter(revoked_at__isnull=True).first()
    assert valid is not None and verify(valid.number).outcome == "valid"
    assert AuditEvent.objects.filter(action="training.certificate.revoke").count() == 1


@pytest.mark.parametrize("username", ["teacher", "sanhe_teacher"])
def test_the_readme_teachers_records_show_hours_by_type(demo: None, username: str) -> None:
    actor = actor_for(User.objects.get(username=username))
    rec = record.own_record(actor)
    programs = [x for x in rec.lines if x.source == record.PROGRAM]
    assert len(programs) >= 3
    kinds = {t.credit_type: t.hours for t in rec.by_type_total if t.hours}
    assert len(kinds) >= 2, kinds
    assert sum(x.hours for x in programs) >= Decimal(50)
    assert any(c.cycle.label == "2021–2025" and c.hours > 0 for c in rec.cycles)


def test_bie_admin_keeps_the_institutes_programs(demo: None) -> None:
    from xietong import access

    actor = actor_for(User.objects.get(username="bie_admin"))
    mine = story.demo_programs().filter(provider=named.institution("bie"))
    assert mine.exists()
    assert all("keeper" in access.relations_of(actor, p) for p in mine)


def test_loading_the_demo_again_changes_nothing(demo: None) -> None:
    def state() -> tuple[object, ...]:
        return (
            Program.objects.count(),
            list(Enrollment.objects.order_by("pk").values_list("pk", "status", "enrolled_at")),
            Attendance.objects.count(),
            list(Certificate.objects.order_by("pk").values_list("number", "signature")),
            AuditEvent.objects.filter(action__startswith="training.").count(),
        )

    before = state()
    out = StringIO()
    call_command("demo", "--scale", "0.02", stdout=out, stderr=StringIO())
    assert state() == before
    assert "Teacher training: 11 programs already loaded, nothing to do." in out.getvalue()
