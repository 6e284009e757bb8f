"""The demo's progress reports: every reporting body's quarters, dated in order, some late,
one returned and resubmitted, one returned and awaiting resubmission; the named schools and
institutes on the plan's tasks file theirs too, two of them late once."""

from __future__ import annotations

import datetime as dt

import pytest

from xietong.accounts.access import actor_for
from xietong.accounts.models import Role, RoleAssignment, User
from xietong.conftest import make_institution
from xietong.demo import named
from xietong.demo.plan_reports import BODIES, LATE, load_reports
from xietong.demo.users import DEMO_USERS, ensure_demo_users
from xietong.institutions.models import Institution
from xietong.plan.choices import BodyRole, ReportStatus
from xietong.plan.models import Plan, ProgressReport, ReviewNote, Section, Task, TaskBody
from xietong.plan.reports import selectors as sel

TODAY = dt.date(2026, 12, 1)


def _aware(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


CODES = {
    "北京市教育委员会": "110000",
    "天津市教育委员会": "120000",
    "河北省教育厅": "130000",
    "北京市通州区教育委员会": "110112",
    "三河市教育和体育局": "131082",
}


@pytest.fixture
def plan(db):
    bodies = {n: make_institution(n, c, kind="authority", stages="") for n, c in CODES.items()}
    plan = Plan.objects.create(
        key="p", name="行动计划", starts_on=dt.date(2023, 10, 8), ends_on=dt.date(2025, 12, 31)
    )
    plan.signatories.set([bodies[n] for n in BODIES[:3]])
    section = Section.objects.create(plan=plan, number="一", title="一")
    for i in range(2):
        task = Task.objects.create(
            plan=plan,
            section=section,
            code=f"T{i}",
            title=f"任务{i}",
            deadline=plan.ends_on,
            order=i,
        )
        for b in bodies.values():
            TaskBody.objects.create(task=task, institution=b, role=BodyRole.RESPONSIBLE)
    ensure_demo_users()  # loads the named institutions too
    for code, name in enumerate(NAMED):  # co-responsible named bodies, one task each
        TaskBody.objects.create(
            task=Task.objects.get(plan=plan, code=f"T{code % 2}"),
            institution=Institution.objects.get(name=name),
            role=BodyRole.CO_RESPONSIBLE,
        )
    return plan


# Named bodies of the plan: two schools (one with a demo sign-in) and an institute.
NAMED = ("雄县第一高级中学", "北京交通大学唐山研究院", "三河市赵河沟小学")


def test_it_writes_quarterly_reports_dated_in_order_with_their_review_story(plan):
    loaded = load_reports(TODAY)
    # 5 bodies × 2 tasks × 9 quarters, less the one 天津 never filed; 3 named × 1 × 9.
    assert loaded.created == 116 and ProgressReport.objects.count() == 116
    assert loaded.late > 0
    assert set(ProgressReport.objects.values_list("period", flat=True)) == {
        "2023Q4",
        *(f"{y}Q{q}" for y in (2024, 2025) for q in (1, 2, 3, 4)),
    }
    for r in ProgressReport.objects.all():
        assert r.created_at < r.submitted_at and r.submitted_at.date() < TODAY
        if r.returned_at:  # returned after the first filing; resubmitted after that
            assert r.created_at < r.returned_at
            assert (r.returned_at < r.submitted_at) == (r.state != ReportStatus.RETURNED)
        if r.accepted_at:
            assert r.submitted_at < r.accepted_at < _aware(TODAY)
        written = [n.written_at for n in r.notes.all()]
        assert written == sorted(written)
    again = ProgressReport.objects.get(body__name="河北省教育厅", task__code="T0", period="2025Q2")
    assert again.state == ReportStatus.ACCEPTED
    assert list(again.notes.values_list("verdict", flat=True)) == ["returned", "accepted"]
    waiting = ProgressReport.objects.get(state=ReportStatus.RETURNED)
    assert waiting.body.name == "三河市教育和体育局" and waiting.period == "2025Q4"
    assert waiting.review_comment and ReviewNote.objects.filter(report=waiting).count() == 1
    assert ProgressReport.objects.filter(state=ReportStatus.SUBMITTED).count() == 4
    assert load_reports(TODAY).created == 0


def test_it_gives_the_demo_reviewers_their_queue_and_a_rate_below_one_hundred(plan):
    load_reports(TODAY)
    beijing = actor_for(User.objects.get(username="beijing"))
    assert sel.waiting_for(beijing)["review"].count() == 4
    sanhe = actor_for(User.objects.get(username="sanhe"))
    assert [r.period for r in sel.waiting_for(sanhe)["file"]] == ["2025Q4"]
    table = sel.reporting_rate(beijing, plan, today=TODAY)
    tj = [r for r in table.rows if r.body.name == "天津市教育委员会" and r.period == "2025Q1"]
    assert tj[0].expected == 2 and tj[0].submitted == 1


def test_it_writes_nothing_without_a_plan(db):
    assert load_reports(TODAY).created == 0


def _signed_in(body: Institution) -> bool:
    """Whether a demo user files for the body: its institution admin, or the authority
    admin of exactly its region."""
    grants = RoleAssignment.objects.filter(user__username__in=[u.username for u in DEMO_USERS])
    if body.kind == "authority":
        return grants.filter(role=Role.AUTHORITY_ADMIN, region__path=body.region_path).exists()
    return grants.filter(role=Role.INSTITUTION_ADMIN, institution=body).exists()


def test_every_body_with_a_sign_in_or_a_name_files_its_reports(plan):
    load_reports(TODAY)
    names = {row.name for row in named.INSTITUTIONS}
    checked = set()
    for tb in TaskBody.objects.filter(task__plan=plan, reports=True).select_related("institution"):
        body = tb.institution
        if not (_signed_in(body) or body.name in names):
            continue
        checked.add(body.name)
        filed = ProgressReport.objects.filter(task=tb.task, body=body)
        assert filed.count() >= 8, body.name  # every quarter (天津 skipped one)
    assert set(NAMED) | set(BODIES) <= checked
    beijing = actor_for(User.objects.get(username="beijing"))
    table = sel.reporting_rate(beijing, plan, today=TODAY)
    for row in table.rows:
        if row.body.name in NAMED:
            assert row.submitted == row.expected == 1 and row.accepted == 1
    late = {
        (r.body.name, r.period)
        for r in ProgressReport.objects.filter(body__name__in=NAMED)
        if r.submitted_at.date() > r.due_on
    }
    assert late == LATE
    # The school with a sign-in files as its admin; the reviewer is a signatory's admin.
    zhg = ProgressReport.objects.filter(body__name="三河市赵河沟小学").first()
    assert zhg.created_by.username == "sanhe_school" and zhg.reviewed_by.username == "beijing"
    assert load_reports(TODAY).created == 0
