"""The exchange programs of the demo: loaded through the services, consistent, idempotent."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from xietong.accounts.access import Actor, Grant
from xietong.accounts.models import AuditEvent, Role
from xietong.core.terms import SchoolTerm
from xietong.demo import exchanges, named
from xietong.exchanges import selectors, services
from xietong.exchanges.choices import (
    ROTATED_STATES,
    AppStatus,
    PlacementStatus,
    ProgramKind,
    ProgramStatus,
    RunStatus,
    Side,
)
from xietong.exchanges.models import (
    Application,
    MatchingRun,
    MatchResult,
    Placement,
    PlacementLog,
    PlacementReport,
    Program,
    ProgramArea,
    ReturnDuty,
)
from xietong.institutions.models import Staff

# one worker loads the shared demo of these tests (see scripts/run_tests.sh)
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_exchanges")]

TODAY = dt.date(2026, 11, 29)
PAST, CURRENT, NEXT = exchanges.terms(TODAY)
BEIJING = Actor(None, "test", grants=(Grant(Role.AUTHORITY_ADMIN, region_path="110000/"),))
HEBEI = Actor(None, "test", grants=(Grant(Role.AUTHORITY_ADMIN, region_path="130000/"),))


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[exchanges.ExchangesResult]:
    """One load for the whole module (≈6 s), rolled back after its last test.

    Each test runs in a savepoint inside this transaction, so what one test changes the
    next does not see.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        named.load_named()
        yield exchanges.load_exchanges(TODAY)
        transaction.set_rollback(True)


def programs_of(s: exchanges.Series) -> int:
    """A series has a program each past term, the current term and, if open, the next."""
    return len(PAST) + s.current + s.open_next


def published_runs_of(s: exchanges.Series) -> int:
    return len(PAST) + s.current


def series(key: str) -> exchanges.Series:
    return next(s for s in exchanges.SERIES if s.key == key)


def program(key: str, term: exchanges.Term) -> Program:
    return Program.objects.get(title=series(key).title, term_key=term.key)


def teacher_actor() -> Actor:
    return exchanges.teacher(named.staff("bj80_rd_teacher"))


def test_it_places_the_terms_around_today() -> None:
    assert [SchoolTerm(2024, 2), SchoolTerm(2025, 1), SchoolTerm(2025, 2)] == PAST
    assert SchoolTerm(2026, 1) == CURRENT and SchoolTerm(2026, 2) == NEXT
    assert exchanges.terms(dt.date(2027, 2, 10))[1] == SchoolTerm(2026, 1)
    assert exchanges.terms(dt.date(2027, 3, 1))[1] == SchoolTerm(2026, 2)


def test_it_creates_the_programs_with_their_kinds_and_areas(loaded: Any) -> None:
    assert loaded.programs == Program.objects.count() == sum(map(programs_of, exchanges.SERIES))
    bsx = program("beisanxian", PAST[0])
    assert bsx.kind == ProgramKind.SHADOWING
    sending = ProgramArea.objects.get(program=bsx, side=Side.SENDING)
    assert sending.group is not None and sending.group.key == "beisanxian"
    hosts = ProgramArea.objects.filter(program=bsx, side=Side.HOST)
    assert sorted(a.region.code for a in hosts) == ["110000", "120000"]
    xa = program("xiongan", PAST[0])
    xa_hosts = set(
        ProgramArea.objects.filter(program=xa, side=Side.HOST).values_list(
            "institution__name", flat=True
        )
    )
    assert xa_hosts == {named.BY_KEY[k].name for k in series("xiongan").hosts}
    he = program("higher_ed", PAST[0])
    assert he.kind == ProgramKind.HIGHER_ED_SECONDMENT
    assert he.applications.filter(home=named.institution("hbu")).exists()
    rd = [program("rongdong", t) for t in [*PAST, CURRENT, NEXT]]
    assert rd[0].repeated_from is None
    assert all(p.repeated_from_id == prev.pk for prev, p in itertools.pairwise(rd))


def test_it_finishes_past_terms_and_keeps_the_current_one_running(loaded: Any) -> None:
    for key in ("beisanxian", "xiongan", "rongdong", "higher_ed"):
        for term in PAST:
            p = program(key, term)
            assert p.status == ProgramStatus.FINISHED
            assert MatchingRun.objects.filter(program=p, status=RunStatus.PUBLISHED).count() == 1
            assert not p.applications.exclude(status=AppStatus.COMPLETED).exists()
        cur = program(key, CURRENT)
        assert cur.status == ProgramStatus.PUBLISHED
    assert Placement.objects.filter(
        status=PlacementStatus.ACTIVE, application__program__school_year=CURRENT.year_label
    ).exists()
    open_now = program("beisanxian", NEXT)
    assert open_now.status == ProgramStatus.OPEN
    assert open_now.opens_at <= dt.datetime.now(dt.UTC) < open_now.closes_at


def test_completed_placements_have_logs_reports_evaluation_and_return_duty(loaded: Any) -> None:
    done = Placement.objects.filter(status=PlacementStatus.COMPLETED)
    assert done.count() == Application.objects.filter(status=AppStatus.COMPLETED).count() > 0
    for p in done:
        assert p.score is not None and p.grade and p.hours_credited
        assert PlacementLog.objects.filter(placement=p).count() >= 2
        kinds = set(PlacementReport.objects.filter(placement=p).values_list("kind", "side"))
        assert {("completion", "teacher"), ("completion", "host"), ("midterm", "teacher")} <= kinds
        duties = ReturnDuty.objects.filter(placement=p)
        assert duties.exists() and not duties.filter(done_on__isnull=True).exists()
        assert p.completed_at.date() == p.ends_on
        assert p.ends_on < TODAY


def test_workflow_timestamps_follow_the_term(loaded: Any) -> None:
    p = program("beisanxian", PAST[1])
    for app in p.applications.all():
        assert p.opens_at <= app.submitted_at <= p.closes_at
        assert app.notice_ends_on < app.approved_at.date() < p.starts_on
        assert app.approved_at < app.confirmed_at < app.completed_at
    run = MatchingRun.objects.get(program=p)
    assert p.closes_at < run.published_at < min(a.confirmed_at for a in p.applications.all())


def test_rongdong_sends_every_teacher_once_over_its_terms_a_share_each_term(loaded: Any) -> None:
    branch = named.institution("bj80_rd")
    eligible = set(
        Staff.objects.filter(
            institution=branch, position__in=["teacher", "principal", "vice_principal"]
        ).values_list("pk", flat=True)
    )
    sent: list[int] = []
    for term in [*PAST, CURRENT]:
        people = list(
            Application.objects.filter(
                program=program("rongdong", term), status__in=list(ROTATED_STATES)
            ).values_list("applicant_id", flat=True)
        )
        assert 0 < len(people) < len(eligible)  # a share each term, never the whole staff
        sent += people
    assert sorted(sent) == sorted(eligible)  # everyone once: the branch's full coverage


def test_the_demo_teacher_has_completed_exchanges_and_may_apply_now(loaded: Any) -> None:
    me = named.staff("bj80_rd_teacher")
    assert Application.objects.filter(applicant=me, status=AppStatus.COMPLETED).count() == 1
    results = list(selectors.my_results(teacher_actor()))
    assert results and all(r.slot_id for r in results)
    assert all(r.explanation["steps"][-1]["code"] == "admitted" for r in results)
    open_rd = program("rongdong", NEXT)
    assert open_rd.status == ProgramStatus.OPEN
    assert services.eligibility_problems(open_rd, me, TODAY) == []
    assert not Application.objects.filter(program=open_rd, applicant=me).exists()


def test_offers_have_slots_and_mentors_at_the_hosts(loaded: Any) -> None:
    rd = program("rongdong", PAST[0])
    offer = rd.offers.get()
    assert offer.host == named.institution("bj80")
    assert offer.mentor == named.staff("bj80_mentor")
    assert offer.slots.count() >= 3


def test_a_first_load_reports_what_it_wrote_and_nothing_about_earlier_runs(loaded: Any) -> None:
    text = exchanges.summary(loaded)
    assert text.startswith(f"Exchanges: {loaded.programs} programs, ")
    assert "already" not in text


def test_a_second_load_creates_nothing_and_audits_nothing(loaded: Any) -> None:
    counts = (
        Program.objects.count(),
        Application.objects.count(),
        Placement.objects.count(),
        MatchResult.objects.count(),
        AuditEvent.objects.count(),
    )
    again = exchanges.load_exchanges(TODAY)
    assert again.programs == 0
    assert again.skipped == sum(map(programs_of, exchanges.SERIES))
    assert counts == (
        Program.objects.count(),
        Application.objects.count(),
        Placement.objects.count(),
        MatchResult.objects.count(),
        AuditEvent.objects.count(),
    )
    assert "nothing to do" in exchanges.summary(again)


def test_every_write_went_through_the_audited_services(loaded: Any) -> None:
    events = AuditEvent.objects.filter(action__startswith="exchanges.")
    repeats = sum(programs_of(s) - 1 for s in exchanges.SERIES if s.repeated)
    created = sum(map(programs_of, exchanges.SERIES)) - repeats
    assert repeats > 0 and created > 0
    assert events.filter(action="exchanges.program.create").count() == created
    assert events.filter(action="exchanges.program.repeat").count() == repeats
    runs = sum(map(published_runs_of, exchanges.SERIES))
    assert events.filter(action="exchanges.run.publish").count() == loaded.runs == runs
    assert (
        events.filter(action="exchanges.application.completed").count()
        == loaded.completed
        == Application.objects.filter(status=AppStatus.COMPLETED).count()
    )
    assert BEIJING  # the organiser of Rongdong is the Beijing commission
    assert program("rongdong", PAST[0]).organiser == named.institution("bj_jw")


STEP_ORDER = (
    "created",
    "submitted",
    "recommended",
    "notice start",
    "notice end",
    "approved",
    "matched",
    "confirmed",
    "started",
    "ended",
    "placement completed",
    "exchange completed",
)


def _steps(app: Application) -> list[tuple[str, dt.datetime]]:
    """The application's and its placement's step times that exist, in workflow order.

    A notice's dates are days: its start is taken at the start of the day (a recommendation
    that day comes no later than 00:00 of the next), its end at the end of the day.
    """
    tz = exchanges.TZ
    day = dt.time(0)
    p = getattr(app, "placement", None)
    times: dict[str, dt.datetime | None] = {
        "created": app.created_at,
        "submitted": app.submitted_at,
        "recommended": app.recommended_at,
        "notice start": (
            dt.datetime.combine(app.notice_starts_on + dt.timedelta(days=1), day, tz)
            if app.notice_starts_on
            else None
        ),
        "notice end": (
            dt.datetime.combine(app.notice_ends_on + dt.timedelta(days=1), day, tz)
            if app.notice_ends_on
            else None
        ),
        "approved": app.approved_at,
        "matched": app.matched_at,
        "confirmed": app.confirmed_at,
        "started": p.started_at if p else None,
        "ended": p.ended_at if p else None,
        "placement completed": p.completed_at if p else None,
        "exchange completed": app.completed_at,
    }
    return [(name, at) for name in STEP_ORDER if (at := times[name]) is not None]


def test_no_step_of_the_demo_comes_before_the_one_it_follows(loaded: Any) -> None:
    wrong: list[str] = []
    apps = Application.objects.select_related("placement").order_by("pk")
    for app in apps:
        steps = _steps(app)
        for (a, at_a), (b, at_b) in itertools.pairwise(steps):
            # recommended vs notice start compares a time with the start of the next day
            if at_b < at_a:
                wrong.append(f"application {app.pk}: {b} {at_b} before {a} {at_a}")
        if app.recommended_at and app.notice_starts_on:
            assert timezone_day(app.recommended_at) <= app.notice_starts_on
    assert wrong == [], "\n".join(wrong[:20])
    # The demo reaches every step somewhere, so the ordering above is checked for each.
    reached = {name for app in apps for name, _at in _steps(app)}
    assert reached == set(STEP_ORDER)
    # A placement's logs and reports come after its start; a run after the approvals it
    # matched and before its publication, which comes before the places it gave.
    for p in Placement.objects.filter(started_at__isnull=False):
        for log in p.logs.all():
            assert p.started_at <= log.created_at, (p.pk, log.pk)
        for r in p.reports.all():
            assert p.started_at <= r.submitted_at, (p.pk, r.pk)
    for run in MatchingRun.objects.filter(published_at__isnull=False):
        approved = [r.application.approved_at for r in run.results.select_related("application")]
        assert max(approved) <= run.created_at <= run.published_at
        matched = run.program.applications.filter(matched_at__isnull=False)
        assert all(run.published_at <= a.matched_at for a in matched)


def timezone_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(exchanges.TZ).date()


def test_the_demo_ends_placements_past_their_end_date_and_asks_for_reports(loaded: Any) -> None:
    ended = Placement.objects.filter(status=PlacementStatus.ENDED)
    assert ended.exists() and loaded.ended == ended.count()
    assert not Placement.objects.filter(status=PlacementStatus.ACTIVE, ends_on__lt=TODAY).exists()
    for p in ended:
        assert p.ended_at is not None and timezone_day(p.ended_at) > p.ends_on
    # Through the job's service: audited as the system's move, once per placement.
    events = AuditEvent.objects.filter(action="exchanges.placement.ended")
    assert events.count() == ended.count()
