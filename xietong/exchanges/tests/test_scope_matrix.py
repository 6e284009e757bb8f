"""The access rules of exchanges as tables, run through services, API and pages.

One world (built once per test from the shared cast) holds an object of every kind in
every state the tables name; the harness (:mod:`xietong.access.testing`) runs each cell
in a savepoint that is rolled back. Cells: ``Y`` allowed · ``F`` forbidden (403) · ``H``
hidden (404) · ``N`` not now (the state or the time forbids it: 409/422) · ``.`` n/a.

Each application belongs to Tina (the ``teacher`` user) at Sanhe Experimental, in its
own copy of the program "Sanhe → sub-centre shadowing" (managed by ``sanhe``; the host
Tongzhou No. 1 is kept by ``tongzhou`` and, above it, ``beijing``). ``noticed`` is
recommended with its public notice still running; ``recommended`` is past the notice;
``in_progress`` has its placement completed and its return duty done (ready to close).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from xietong.access.testing import Api, Matrix, Verb
from xietong.exchanges import selectors, services
from xietong.exchanges.choices import AppStatus, PlacementStatus, ProgramStatus, RunStatus
from xietong.exchanges.models import Application, HostOffer, MatchingRun, Placement, Program
from xietong.exchanges.tests.conftest import Ex, notice_over, program_data
from xietong.institutions.models import Staff

A = "/api/exchanges"
TODAY = timezone.localdate


# --- programs and offers -------------------------------------------------------------------

PROGRAMS = """
user          object          read edit offer apply apply_for match runs
sanhe         draft_program   Y    Y    .     F     F         N     Y
sanhe         open_program    Y    Y    .     F     F         N     Y
sanhe         closed_program  Y    Y    .     F     F         Y     Y
tongzhou      draft_program   H    H    H     H     H         H     H
tongzhou      open_program    Y    F    Y     F     F         F     F
tongzhou      closed_program  Y    F    Y     F     F         F     F
school_admin  draft_program   H    H    H     H     H         H     H
school_admin  open_program    Y    F    .     F     Y         F     F
school_admin  closed_program  Y    F    .     F     N         F     F
teacher       draft_program   H    H    H     H     H         H     H
teacher       open_program    Y    F    F     Y     F         F     F
teacher       closed_program  Y    F    F     N     F         F     F
hebei_viewer  draft_program   H    H    H     H     H         H     H
hebei_viewer  open_program    Y    F    F     F     F         F     Y
sysadmin      draft_program   H    H    H     H     H         H     H
sysadmin      open_program    Y    F    F     F     F         F     F
nobody        open_program    H    H    H     H     H         H     H
"""
# "offer" is "." where the program allows it but no host the user keeps is inside the
# program's host area: the host institution's own rule refuses then (see test_applying).

OFFERS = """
user          object       read edit delete
sanhe         offer        Y    F    F
tongzhou      offer        Y    Y    Y
beijing       offer        Y    Y    Y
school_admin  offer        Y    F    F
teacher       offer        Y    F    F
sanhe         draft_offer  Y    F    F
tongzhou      draft_offer  H    H    H
teacher       draft_offer  H    H    H
nobody        offer        H    H    H
"""

APPLICATIONS = """
user         object       read edit submit withdraw recommend approve reject assign confirm complete
teacher      draft        Y    Y    Y      Y        F         F       F      F      N       F
teacher      submitted    Y    N    N      Y        F         F       F      F      N       F
teacher      noticed      Y    N    N      Y        F         F       F      F      N       F
teacher      recommended  Y    N    N      Y        F         F       F      F      N       F
teacher      approved     Y    N    N      Y        F         F       F      F      N       F
teacher      matched      Y    N    N      Y        F         F       F      F      Y       F
teacher      confirmed    Y    N    N      N        F         F       F      F      N       F
teacher      in_progress  Y    N    N      N        F         F       F      F      N       F
teacher      completed    Y    N    N      N        F         F       F      F      N       F
teacher      withdrawn    Y    N    N      N        F         F       F      F      N       F
teacher      rejected     Y    N    N      N        F         F       F      F      N       F
school_admin draft        Y    Y    Y      Y        N         F       N      F      F       N
school_admin submitted    Y    N    N      Y        Y         F       Y      F      F       N
school_admin noticed      Y    N    N      Y        N         F       F      F      F       N
school_admin recommended  Y    N    N      Y        N         F       F      F      F       N
school_admin approved     Y    N    N      Y        N         F       F      F      F       N
school_admin matched      Y    N    N      Y        N         F       F      F      F       N
school_admin confirmed    Y    N    N      N        N         F       N      F      F       N
school_admin in_progress  Y    N    N      N        N         F       N      F      F       Y
school_admin completed    Y    N    N      N        N         F       N      F      F       N
school_admin withdrawn    Y    N    N      N        N         F       N      F      F       N
school_admin rejected     Y    N    N      N        N         F       N      F      F       N
sanhe        draft        Y    F    F      F        F         N       N      N      F       N
sanhe        submitted    Y    F    F      F        F         N       F      N      F       N
sanhe        noticed      Y    F    F      F        F         N       Y      N      F       N
sanhe        recommended  Y    F    F      F        F         Y       Y      N      F       N
sanhe        approved     Y    F    F      F        F         N       Y      Y      F       N
sanhe        matched      Y    F    F      F        F         N       Y      N      F       N
sanhe        confirmed    Y    F    F      F        F         N       N      N      F       N
sanhe        in_progress  Y    F    F      F        F         N       N      N      F       Y
sanhe        completed    Y    F    F      F        F         N       N      N      F       N
sanhe        withdrawn    Y    F    F      F        F         N       N      N      F       N
hebei_viewer submitted    Y    F    F      F        F         F       F      F      F       F
hebei_viewer matched      Y    F    F      F        F         F       F      F      F       F
tongzhou     submitted    H    H    H      H        H         H       H      H      H       H
tongzhou     approved     H    H    H      H        H         H       H      H      H       H
tongzhou     matched      Y    F    F      F        F         F       F      F      F       F
tongzhou     in_progress  Y    F    F      F        F         F       F      F      F       F
sysadmin     submitted    H    H    H      H        H         H       H      H      H       H
nobody       matched      H    H    H      H        H         H       H      H      H       H
"""

RUNS = """
user          object     read publish
sanhe         run        Y    Y
sanhe         published  Y    N
hebei_viewer  run        Y    F
tongzhou      run        H    H
school_admin  run        H    H
teacher       published  H    H
"""

PLACEMENTS = """
user          object     read start log report complete
teacher       planned    Y    F     N   N      F
teacher       active     Y    F     Y   Y      F
teacher       ended      Y    F     Y   Y      F
teacher       finished   Y    F     N   Y      F
tongzhou      planned    Y    Y     F   N      N
tongzhou      active     Y    N     F   Y      Y
tongzhou      ended      Y    N     F   Y      Y
tongzhou      finished   Y    N     F   Y      N
school_admin  planned    Y    Y     F   F      F
school_admin  active     Y    N     F   F      F
school_admin  ended      Y    N     F   F      F
sanhe         planned    Y    Y     F   F      N
sanhe         active     Y    N     F   F      Y
sanhe         ended      Y    N     F   F      Y
hebei_viewer  active     Y    F     F   F      F
nobody        active     H    H     H   H      H
"""


def _app_request(path: str, body: Any = None) -> Any:
    return lambda o: ("post", f"{A}/applications/{o.pk}/{path}", body)


def _status_is(status: str) -> Any:
    return lambda o: o.status == status


def _slot(app: Application) -> int:
    return app.program.offers.get().slots.get().pk


def _app_page(o: Any) -> str:
    return reverse("exchanges:application_detail", args=[o.pk])


def _program_page(o: Any) -> str:
    return reverse("exchanges:program_detail", args=[o.pk])


def _notice() -> dict[str, str]:
    """The shortest public notice allowed, from today (a notice cannot be back-dated)."""
    return {k: v.isoformat() for k, v in _notice_dates().items()}


def _notice_dates() -> dict[str, dt.date]:
    today = TODAY()
    return {"notice_starts_on": today, "notice_ends_on": services.earliest_notice_end(today)}


APP_VERBS = {
    "read": Verb(
        "read",
        service=lambda a, o: selectors.application_detail(a, o.pk),
        api=lambda o: ("get", f"{A}/applications/{o.pk}", None),
        page=_app_page,
    ),
    "edit": Verb(
        "edit",
        action="edit",
        service=lambda a, o: services.update_choices(a, o.pk, [o.program.offers.get().pk]),
        api=lambda o: (
            "put",
            f"{A}/applications/{o.pk}/choices",
            {"choices": [o.choices.get().offer_id]},
        ),
        page=_app_page,
        marker=lambda o: 'data-testid="edit"',
        form=lambda o: reverse("exchanges:application_edit", args=[o.pk]),
    ),
    "submit": Verb(
        "submit",
        action="submit",
        service=lambda a, o: services.submit_application(a, o.pk),
        done=_status_is(AppStatus.SUBMITTED),
        api=_app_request("submit"),
        page=_app_page,
        marker=lambda o: 'data-testid="submit"',
        post=lambda o: (reverse("exchanges:application_submit", args=[o.pk]), {}),
    ),
    "withdraw": Verb(
        "withdraw",
        action="withdraw",
        service=lambda a, o: services.withdraw_application(a, o.pk),
        done=_status_is(AppStatus.WITHDRAWN),
        api=_app_request("withdraw"),
        page=_app_page,
        marker=lambda o: 'data-testid="withdraw"',
        post=lambda o: (reverse("exchanges:application_withdraw", args=[o.pk]), {}),
    ),
    "recommend": Verb(
        "recommend",
        action="recommend",
        service=lambda a, o: services.recommend_application(a, o.pk, **_notice_dates()),
        done=_status_is(AppStatus.RECOMMENDED),
        api=lambda o: ("post", f"{A}/applications/{o.pk}/recommend", _notice()),
        form=lambda o: reverse("exchanges:application_recommend", args=[o.pk]),
        post=lambda o: (reverse("exchanges:application_recommend", args=[o.pk]), _notice()),
    ),
    "approve": Verb(
        "approve",
        action="approve",
        service=lambda a, o: services.approve_application(a, o.pk),
        done=_status_is(AppStatus.APPROVED),
        api=_app_request("approve"),
        form=lambda o: reverse("exchanges:application_approve", args=[o.pk]),
        post=lambda o: (reverse("exchanges:application_approve", args=[o.pk]), {}),
    ),
    "reject": Verb(
        "reject",
        action="reject",
        service=lambda a, o: services.reject_application(a, o.pk, "名额有限"),
        done=_status_is(AppStatus.REJECTED),
        api=_app_request("reject", {"reason": "名额有限"}),
        page=_app_page,
        marker=lambda o: 'data-testid="reject"',
        post=lambda o: (
            reverse("exchanges:application_reject", args=[o.pk]),
            {"reason": "名额有限"},
        ),
    ),
    "assign": Verb(
        "assign",
        action="assign",
        service=lambda a, o: services.assign_place(a, o.pk, _slot(o)),
        done=_status_is(AppStatus.MATCHED),
        api=lambda o: ("post", f"{A}/applications/{o.pk}/assign", {"slot": _slot(o)}),
    ),
    "confirm": Verb(
        "confirm",
        action="confirm",
        service=lambda a, o: services.confirm_application(a, o.pk),
        done=_status_is(AppStatus.CONFIRMED),
        api=_app_request("confirm", {}),
        page=_app_page,
        marker=lambda o: 'data-testid="confirm"',
        post=lambda o: (reverse("exchanges:application_confirm", args=[o.pk]), {}),
    ),
    "complete": Verb(
        "complete",
        action="complete",
        service=lambda a, o: services.complete_application(a, o.pk),
        done=_status_is(AppStatus.COMPLETED),
        api=_app_request("complete"),
        post=lambda o: (reverse("exchanges:application_complete", args=[o.pk]), {}),
    ),
}

PROGRAM_VERBS = {
    "read": Verb(
        "read",
        service=lambda a, o: selectors.program_detail(a, o.pk),
        api=lambda o: ("get", f"{A}/programs/{o.pk}", None),
        page=_program_page,
    ),
    "edit": Verb(
        "edit",
        action="edit",
        service=lambda a, o: services.update_program(a, o.pk, {"title": "改名"}),
        done=lambda o: o.title == "改名",
        api=lambda o: ("patch", f"{A}/programs/{o.pk}", {"title": "改名"}),
        page=_program_page,
        marker=lambda o: f'href="{reverse("exchanges:program_edit", args=[o.pk])}"',
        form=lambda o: reverse("exchanges:program_edit", args=[o.pk]),
    ),
    "offer": Verb(
        "offer",
        action="offer",
        service=lambda a, o: services.create_offer(
            a, o.pk, host=_host(o), slots=[{"stage": "primary", "subject": "语文", "capacity": 1}]
        ),
        done=lambda o: o.offers.count() == 2,
        page=_program_page,
        marker=lambda o: f'href="{reverse("exchanges:offer_create", args=[o.pk])}"',
    ),
    "apply": Verb(
        "apply",
        action="apply",
        service=lambda a, o: services.create_application(a, o.pk, choices=[o.offers.get().pk]),
        done=lambda o: o.applications.exists(),
        api=lambda o: (
            "post",
            f"{A}/programs/{o.pk}/applications",
            {"choices": [o.offers.get().pk]},
        ),
        page=_program_page,
        marker=lambda o: 'data-testid="apply"',
    ),
    "apply_for": Verb(
        "apply_for",
        action="apply_for",
        service=lambda a, o: services.create_application(
            a, o.pk, choices=[o.offers.get().pk], applicant=_colleague(o)
        ),
        done=lambda o: o.applications.filter(applicant__name="刘大厂").exists(),
        page=_program_page,
        marker=lambda o: 'data-testid="apply-for"',
    ),
    "match": Verb(
        "match",
        action="match",
        service=lambda a, o: services.start_matching_run(a, o.pk, enqueue=False),
        done=lambda o: o.runs.exists(),
    ),
    "runs": Verb(
        "runs",
        action="runs",
        service=lambda a, o: list(selectors.runs_for(a, o.pk)),
        api=lambda o: ("get", f"{A}/programs/{o.pk}/runs", None),
    ),
}


def _host(program: Program) -> int:
    return program.offers.get().host_id


def _colleague(program: Program) -> int:
    """刘大厂 of the Dachang branch campus: a colleague the Sanhe school may apply for."""
    return Staff.objects.get(name="刘大厂").pk


OFFER_VERBS = {
    "read": Verb(
        "read",
        service=lambda a, o: selectors.offer_detail(a, o.pk),
        api=lambda o: ("get", f"{A}/offers/{o.pk}", None),
    ),
    "edit": Verb(
        "edit",
        action="edit",
        service=lambda a, o: services.update_offer(a, o.pk, requirements="改"),
        done=lambda o: o.requirements == "改",
        api=lambda o: ("patch", f"{A}/offers/{o.pk}", {"requirements": "改"}),
        form=lambda o: reverse("exchanges:offer_edit", args=[o.pk]),
    ),
    "delete": Verb(
        "delete",
        action="delete",
        service=lambda a, o: services.delete_offer(a, o.pk),
        done=lambda o: o is None,
        api=lambda o: ("delete", f"{A}/offers/{o.pk}", None),
    ),
}


def _run_page(o: Any) -> str:
    return reverse("exchanges:run_detail", args=[o.pk])


RUN_VERBS = {
    "read": Verb(
        "read",
        service=lambda a, o: selectors.run_detail(a, o.pk),
        api=lambda o: ("get", f"{A}/runs/{o.pk}", None),
        page=_run_page,
    ),
    "publish": Verb(
        "publish",
        action="publish",
        service=lambda a, o: services.publish_run(a, o.pk),
        done=lambda o: (
            o.status == RunStatus.PUBLISHED
            and o.results.filter(slot__isnull=False).exists()
            and o.program.applications.filter(status=AppStatus.MATCHED).exists()
        ),
        api=lambda o: ("post", f"{A}/runs/{o.pk}/publish", None),
        page=_run_page,
        marker=lambda o: 'data-testid="publish"',
        post=lambda o: (reverse("exchanges:run_publish", args=[o.pk]), {}),
    ),
}


def _placement_page(o: Any) -> str:
    return reverse("exchanges:placement_detail", args=[o.pk])


MONDAY = dt.date(2024, 9, 2)

PLACEMENT_VERBS = {
    "read": Verb(
        "read",
        service=lambda a, o: selectors.placement_detail(a, o.pk),
        api=lambda o: ("get", f"{A}/placements/{o.pk}", None),
        page=_placement_page,
    ),
    "start": Verb(
        "start",
        action="start",
        service=lambda a, o: services.start_placement(a, o.pk),
        done=lambda o: (
            o.status == PlacementStatus.ACTIVE and o.application.status == AppStatus.IN_PROGRESS
        ),
        api=lambda o: ("post", f"{A}/placements/{o.pk}/start", None),
        page=_placement_page,
        marker=lambda o: 'data-testid="start-placement"',
        post=lambda o: (reverse("exchanges:placement_start", args=[o.pk]), {}),
    ),
    "log": Verb(
        "log",
        action="log",
        service=lambda a, o: services.add_log(
            a, o.pk, week_starting=MONDAY + dt.timedelta(days=7), content="听课", hours=10
        ),
        done=lambda o: o.logs.filter(week_starting=MONDAY + dt.timedelta(days=7)).exists(),
        api=lambda o: (
            "post",
            f"{A}/placements/{o.pk}/logs",
            {"week_starting": "2024-09-09", "content": "听课", "hours": 10},
        ),
        page=_placement_page,
        marker=lambda o: f'action="{reverse("exchanges:placement_log", args=[o.pk])}"',
    ),
    "report": Verb(
        "report",
        action="report",
        service=lambda a, o: services.submit_report(a, o.pk, kind="midterm", content="小结"),
        done=lambda o: o.reports.filter(kind="midterm").exists(),
        api=lambda o: (
            "post",
            f"{A}/placements/{o.pk}/reports",
            {"kind": "midterm", "content": "小结"},
        ),
        page=_placement_page,
        marker=lambda o: 'data-testid="submit-report"',
    ),
    "complete": Verb(
        "complete",
        action="complete",
        service=lambda a, o: services.complete_placement(a, o.pk, hours_credited=10),
        done=lambda o: o.status == PlacementStatus.COMPLETED,
        api=lambda o: ("post", f"{A}/placements/{o.pk}/complete", {"hours_credited": 10}),
        page=_placement_page,
        marker=lambda o: 'data-testid="complete-placement"',
    ),
}

MATRICES = {
    "programs": Matrix(PROGRAMS, PROGRAM_VERBS),
    "offers": Matrix(OFFERS, OFFER_VERBS),
    "applications": Matrix(APPLICATIONS, APP_VERBS),
    "runs": Matrix(RUNS, RUN_VERBS),
    "placements": Matrix(PLACEMENTS, PLACEMENT_VERBS),
}


# --- the world: one object of every kind in every state -------------------------------------


@dataclass
class World:
    ex: Ex
    objects: dict[str, Any]

    def actor(self, user: str) -> Any:
        return self.ex.actor(user)


def _program(ex: Ex, title: str, status: str = ProgramStatus.OPEN) -> Program:
    sanhe = ex.actor("sanhe")
    program = services.create_program(sanhe, program_data(ex.sanhe_bureau, title=title))
    services.set_program_status(sanhe, program.pk, ProgramStatus.OPEN)
    services.create_offer(
        ex.actor("tongzhou"),
        program.pk,
        host=ex.cast.tongzhou_school.pk,
        mentor=ex.cast.beijing_teacher.pk,
        slots=[{"stage": "primary", "subject": "数学", "capacity": 2}],
    )
    if status != ProgramStatus.OPEN:
        services.set_program_status(sanhe, program.pk, status)
    return Program.objects.get(pk=program.pk)


STEPS = (
    "draft",
    "submitted",
    "noticed",
    "recommended",
    "approved",
    "matched",
    "confirmed",
    "started",
    "in_progress",
    "completed",
)


def _application(ex: Ex, state: str) -> Application:
    """Tina's application in its own program, moved through the services up to ``state``."""
    teacher, school, sanhe, host = (
        ex.actor(u) for u in ("teacher", "school_admin", "sanhe", "tongzhou")
    )
    program = _program(ex, f"矩阵 {state}")
    offer = program.offers.get()
    app = services.create_application(teacher, program.pk, choices=[offer.pk])
    target = {"withdrawn": "draft", "rejected": "submitted"}.get(state, state)
    reached = STEPS[: STEPS.index(target) + 1]
    today = TODAY()
    if "submitted" in reached:
        services.submit_application(teacher, app.pk)
    if "noticed" in reached:
        services.recommend_application(school, app.pk, **_notice_dates())
        if target != "noticed":
            notice_over(app.pk)
    if "approved" in reached:
        services.approve_application(sanhe, app.pk)
    if "matched" in reached:
        services.assign_place(sanhe, app.pk, offer.slots.get().pk)
    if "confirmed" in reached:
        services.confirm_application(teacher, app.pk)
    placement = Placement.objects.filter(application=app).first()
    if "started" in reached:
        assert placement is not None
        services.start_placement(host, placement.pk)
        services.submit_report(teacher, placement.pk, kind="completion", content="结业")
        services.submit_report(host, placement.pk, kind="completion", content="优秀")
    if "in_progress" in reached:
        assert placement is not None
        services.complete_placement(host, placement.pk, hours_credited=100)
        duty = services.add_return_duty(school, placement.pk, kind="open_lesson", due_on=today)
        services.complete_return_duty(teacher, duty.pk, done_on=today, evidence="公开课")
    if "completed" in reached:
        services.complete_application(school, app.pk)
    if state == "withdrawn":
        services.withdraw_application(teacher, app.pk)
    if state == "rejected":
        services.reject_application(school, app.pk, "名额已满")
    return Application.objects.get(pk=app.pk)


def _run(ex: Ex, title: str, publish: bool) -> MatchingRun:
    program = Program.objects.get(pk=_application(ex, "approved").program_id)
    Program.objects.filter(pk=program.pk).update(title=title)
    sanhe = ex.actor("sanhe")
    services.set_program_status(sanhe, program.pk, ProgramStatus.CLOSED)
    run = services.start_matching_run(sanhe, program.pk, enqueue=False)
    run = services.execute_matching_run(run.pk)
    if publish:
        services.publish_run(sanhe, run.pk)
    return MatchingRun.objects.get(pk=run.pk)


@pytest.fixture
def world(ex: Ex) -> World:
    return build_world(ex)


def build_world(ex: Ex) -> World:
    """One object of every kind in every state the tables name (test_review_batch too)."""
    apps = {s: _application(ex, s) for s in (*STEPS, "withdrawn", "rejected") if s != "started"}
    ended = _application(ex, "started")  # its end date has passed: the daily job ends it
    assert services.end_due_placements()["ended"] == 1
    active = _application(ex, "started")
    Placement.objects.filter(pk=active.placement.pk).update(ends_on=TODAY())  # not yet due
    closed = _program(ex, "矩阵 closed")
    services.create_application(ex.actor("teacher"), closed.pk, choices=[closed.offers.get().pk])
    app = closed.applications.get()
    services.submit_application(ex.actor("teacher"), app.pk)
    services.recommend_application(ex.actor("school_admin"), app.pk, **_notice_dates())
    notice_over(app.pk)
    services.approve_application(ex.actor("sanhe"), app.pk)
    services.set_program_status(ex.actor("sanhe"), closed.pk, ProgramStatus.CLOSED)
    draft = _program(ex, "矩阵 draft", ProgramStatus.DRAFT)
    objects: dict[str, Any] = {
        "draft_program": draft,
        "open_program": ex.program,
        "closed_program": Program.objects.get(pk=closed.pk),
        "offer": ex.offer,
        "draft_offer": draft.offers.get(),
        "run": _run(ex, "矩阵 run", publish=False),
        "published": _run(ex, "矩阵 published", publish=True),
        "planned": apps["confirmed"].placement,
        "active": active.placement,
        "ended": Placement.objects.get(pk=ended.placement.pk),
        "finished": apps["in_progress"].placement,
    }
    return World(ex, {**apps, **objects})


def _for(name: str, world: World) -> dict[str, Any]:
    wanted = {c.obj for c in MATRICES[name].cells}
    return {k: v for k, v in world.objects.items() if k in wanted}


@pytest.mark.parametrize("name", list(MATRICES))
def test_it_allows_through_the_services_exactly_what_each_table_says(world, name):
    wrong = MATRICES[name].check_services(world.actor, _for(name, world))
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("name", list(MATRICES))
def test_it_answers_through_the_api_exactly_what_each_table_says(world, name):
    wrong = MATRICES[name].check_api(Api(world.actor), _for(name, world))
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("name", list(MATRICES))
def test_it_shows_pages_and_buttons_exactly_where_each_table_says(world, name):
    users = world.ex.cast.users
    login = lambda client, user: client.force_login(users[user])  # noqa: E731
    wrong = MATRICES[name].check_web(login, _for(name, world))
    assert wrong == [], "\n".join(wrong)


def test_it_names_every_declared_verb_of_applications_in_its_table():
    from xietong import access

    declared = set(access.policy_for(Application).verbs)
    assert declared == {v.action for v in APP_VERBS.values() if v.action}
    assert set(access.policy_for(HostOffer).verbs) == {
        v.action for v in OFFER_VERBS.values() if v.action
    }
