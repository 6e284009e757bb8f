"""Demo progress reports: quarterly reports 2023Q4–2025Q4 on the plan's tasks by the three
provincial authorities and by 通州区 and 三河市 — most accepted, some filed late, one
returned with a comment and resubmitted, one returned and awaiting resubmission, and the
last quarter partly still under review or missing — and by every other body named on a
task (the schools, universities and institutes of the plan, 大厂 and 香河): a report each
quarter on each of its tasks, accepted, filed on time but for the two late ones of
:data:`LATE`.

Runs after the plan (and its indicator history) is loaded; without a plan it does nothing.
The rows are written directly with the dates of their story (filed around their due date,
reviewed some days later, all before today), as the other demo loaders date their records;
each report keeps the indicator values of its period (``services.indicator_values``).
Idempotent: a report that exists for a task, body and period is left as it is.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from xietong.accounts.models import Role, User
from xietong.core.periods import Period
from xietong.institutions.choices import Kind
from xietong.institutions.models import Institution
from xietong.plan.choices import ReportStatus, TaskStatus
from xietong.plan.models import Plan, ProgressReport, ReviewNote, Task, TaskBody
from xietong.plan.reports import services

# The bodies that report in the demo, by their names in ``demo.named``.
BODIES = (
    "北京市教育委员会",
    "天津市教育委员会",
    "河北省教育厅",
    "北京市通州区教育委员会",
    "三河市教育和体育局",
)
TASKS_PER_BODY = 3
REVIEWER = {"北京市教育委员会": "hebei"}  # everyone else's reports are reviewed by beijing
RETURN_COMMENT = "请补充本季度结对学校名单和教师交流人次，并附活动照片。"
OPEN_COMMENT = "进展说明与佐证材料不一致，请核对帮扶学校数量后重新提交。"
# The named bodies' two late reports (all their others are filed on time).
LATE = {("北京交通大学唐山研究院", "2024Q3"), ("雄县第一高级中学", "2025Q1")}
SCHOOL_NARRATIVES = (
    "本季度与结对学校开展联合教研和跨校听评课，完成本季度交流安排。",
    "本季度接收对口学校跟岗教师，共享课程资源，按计划推进合作项目。",
    "本季度组织师生交流活动，总结合作经验，梳理下一阶段合作重点。",
)
NARRATIVES = (
    "本季度按计划推进，召开专题协调会，结对学校开展同课异构和联合教研活动。",
    "本季度组织骨干教师跨区域交流，完成阶段性任务，部分项目进度略慢于预期。",
    "本季度完成年度目标的主要指标，正在总结经验并谋划下一阶段工作。",
)


@dataclass
class Loaded:
    created: int = 0
    existing: int = 0
    returned: int = 0
    late: int = 0
    plan: str = ""
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.plan:
            return "Progress reports: no plan loaded, none written."
        return (
            f"Progress reports on {self.plan}: {self.created} created ({self.late} late, "
            f"{self.returned} returned at least once), {self.existing} already there."
        )


@dataclass
class _Batch:
    """What one load reads once and writes at the end: the reports already there (by task,
    body and period), the indicator values per task and period, and the dates the rows
    are given once written (``created_at`` and ``written_at`` are set on insert)."""

    existing: set[tuple[int, int, str]]
    values: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    reports: list[ProgressReport] = field(default_factory=list)
    notes: list[tuple[ReviewNote, dt.datetime]] = field(default_factory=list)

    def has(self, task: Task, body: Institution, period: Period) -> bool:
        return (task.pk, body.pk, period.code) in self.existing

    def indicator_values(self, report: ProgressReport) -> dict[str, Any]:
        """``services.indicator_values``: it reads only the task and the period."""
        key = (report.task_id, report.period)
        if key not in self.values:
            self.values[key] = services.indicator_values(report)
        return copy.deepcopy(self.values[key])

    def report(self, report: ProgressReport, created: dt.datetime) -> None:
        report.save()
        self.existing.add((report.task_id, report.body_id, report.period))
        report.created_at = created
        self.reports.append(report)

    def note(self, note: ReviewNote, at: dt.datetime) -> None:
        self.notes.append((note, at))

    def write(self) -> None:
        ProgressReport.objects.bulk_update(self.reports, ["created_at"], batch_size=500)
        notes = ReviewNote.objects.bulk_create([n for n, _at in self.notes], batch_size=500)
        for note, (_n, at) in zip(notes, self.notes, strict=True):
            note.written_at = at
        ReviewNote.objects.bulk_update(notes, ["written_at"], batch_size=500)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _reviewer(body: Institution) -> User | None:
    name = REVIEWER.get(body.name, "beijing")
    return User.objects.filter(username=name).first()


def _filer(body: Institution) -> User | None:
    """The admin who files the body's reports: of its institution, or of exactly its
    authority's region; None for a body without a demo sign-in."""
    if body.kind != Kind.AUTHORITY:
        return (
            User.objects.filter(roles__role=Role.INSTITUTION_ADMIN, roles__institution=body)
            .order_by("pk")
            .first()
        )
    return (
        User.objects.filter(
            roles__role=Role.AUTHORITY_ADMIN,
            roles__region__path=body.region_path,
        )
        .order_by("pk")
        .first()
    )


def _plan() -> Plan | None:
    """The plan the demo reports on: the latest one that has begun."""
    return Plan.objects.filter(starts_on__lte=timezone.localdate()).order_by("-starts_on").first()


def load_reports(today: dt.date | None = None) -> Loaded:
    today = today or timezone.localdate()
    out = Loaded()
    plan = _plan()
    if plan is None:
        return out
    out.plan = plan.name
    bodies = list(Institution.objects.filter(kind=Kind.AUTHORITY, name__in=BODIES))
    bodies.sort(key=lambda b: BODIES.index(b.name))
    quarters = [p for p in services.plan_periods(plan) if services.due_on(p) < today]
    codes = [p.code for p in quarters]
    batch = _Batch(
        existing=set(
            ProgressReport.objects.filter(task__plan=plan, period__in=codes).values_list(
                "task_id", "body_id", "period"
            )
        )
    )
    with transaction.atomic():
        for b_index, body in enumerate(bodies):
            filer, reviewer = _filer(body), _reviewer(body)
            for t_index, task in enumerate(_tasks(plan, body)[:TASKS_PER_BODY]):
                for q_index, period in enumerate(quarters):
                    where = (b_index, t_index, q_index)
                    last = q_index == len(quarters) - 1
                    _one(
                        out,
                        batch,
                        task,
                        body,
                        period,
                        where,
                        filer,
                        reviewer,
                        last=last,
                        today=today,
                    )
        for body in _named_bodies(plan):
            filer, reviewer = _filer(body), _reviewer(body)
            for task in _tasks(plan, body):
                for period in quarters:
                    _named_one(out, batch, task, body, period, filer, reviewer, today=today)
        batch.write()
    return out


def _tasks(plan: Plan, body: Institution) -> list[Task]:
    """The plan's tasks on which ``body`` files reports, in the plan's order."""
    filed = TaskBody.objects.filter(institution=body, reports=True).values("task_id")
    return list(Task.objects.filter(plan=plan, pk__in=filed).order_by("order", "id"))


def _named_bodies(plan: Plan) -> list[Institution]:
    """The plan's other reporting bodies (not in :data:`BODIES`), in region and name order."""
    filing = TaskBody.objects.filter(task__plan=plan, reports=True).values("institution_id")
    return list(
        Institution.objects.filter(pk__in=filing)
        .exclude(kind=Kind.AUTHORITY, name__in=BODIES)
        .order_by("region_path", "name", "id")
    )


def _named_one(
    out: Loaded,
    batch: _Batch,
    task: Task,
    body: Institution,
    period: Period,
    filer: User | None,
    reviewer: User | None,
    *,
    today: dt.date,
) -> None:
    """One accepted quarterly report of a named body: filed a few days before it is due
    (or, for :data:`LATE`, some days after), accepted a few days later."""
    if batch.has(task, body, period):
        out.existing += 1
        return
    rng = random.Random(f"{task.code}/{body.name}/{period.code}")
    due = services.due_on(period)
    late = (body.name, period.code) in LATE
    filed_on = (
        due + dt.timedelta(days=rng.randint(4, 15))
        if late
        else due - dt.timedelta(days=rng.randint(1, 10))
    )
    filed_on = min(filed_on, today - dt.timedelta(days=3))
    submitted = _at(filed_on, 15)
    accepted = min(
        submitted + dt.timedelta(days=rng.randint(2, 8), hours=2),
        _at(today, 0) - dt.timedelta(hours=1),
    )
    accepted = max(accepted, submitted + dt.timedelta(hours=1))
    report = ProgressReport(
        task=task,
        body=body,
        period=period.code,
        due_on=due,
        progress=TaskStatus.AT_RISK if rng.random() < 0.1 else TaskStatus.ON_TRACK,
        narrative=SCHOOL_NARRATIVES[rng.randrange(len(SCHOOL_NARRATIVES))],
        created_by=filer,
        state=ReportStatus.ACCEPTED,
        submitted_at=submitted,
        accepted_at=accepted,
        reviewed_by=reviewer,
    )
    report.values = batch.indicator_values(report)
    created = _at(max(period.ends_on - dt.timedelta(days=10), filed_on - dt.timedelta(days=20)), 9)
    created = min(created, submitted - dt.timedelta(days=1))
    batch.report(report, created)
    note = ReviewNote(report=report, verdict=ReportStatus.ACCEPTED, comment="", author=reviewer)
    batch.note(note, accepted)
    out.created += 1
    out.late += int(late)


def _one(
    out: Loaded,
    batch: _Batch,
    task: Task,
    body: Institution,
    period: Period,
    where: tuple[int, int, int],
    filer: User | None,
    reviewer: User | None,
    *,
    last: bool,
    today: dt.date,
) -> None:
    b_index, t_index, q_index = where
    if batch.has(task, body, period):
        out.existing += 1
        return
    rng = random.Random(f"{task.code}/{body.name}/{period.code}")
    # 天津 skips one quarter of its second task: an expected report that never came.
    if body.name == "天津市教育委员会" and t_index == 1 and period.code == "2025Q1":
        return
    due = services.due_on(period)
    late = rng.random() < 0.2
    filed_on = (
        due + dt.timedelta(days=rng.randint(3, 20))
        if late
        else due - dt.timedelta(days=rng.randint(0, 12))
    )
    filed_on = min(filed_on, today - dt.timedelta(days=1))
    created = _at(max(period.ends_on - dt.timedelta(days=10), filed_on - dt.timedelta(days=20)), 9)
    progress = TaskStatus.AT_RISK if rng.random() < 0.15 else TaskStatus.ON_TRACK
    if q_index >= 8 and t_index == 0 and rng.random() < 0.5:
        progress = TaskStatus.DONE
    report = ProgressReport(
        task=task,
        body=body,
        period=period.code,
        due_on=due,
        progress=progress,
        narrative=NARRATIVES[(b_index + t_index + q_index) % len(NARRATIVES)],
        created_by=filer,
        state=ReportStatus.SUBMITTED,
    )
    report.values = batch.indicator_values(report)
    notes: list[tuple[str, str, dt.datetime]] = []
    submitted = _at(filed_on, 16)
    returned_at = accepted_at = None
    story = _story(body, t_index, period.code, last)
    if story == "resubmitted":
        returned_at = _at(filed_on + dt.timedelta(days=3), 10)
        notes.append((ReportStatus.RETURNED, RETURN_COMMENT, returned_at))
        submitted = _at(filed_on + dt.timedelta(days=8), 15)
    if story == "returned":
        returned_at = _at(min(filed_on + dt.timedelta(days=4), today), 10)
        notes.append((ReportStatus.RETURNED, OPEN_COMMENT, returned_at))
        report.state, report.review_comment = ReportStatus.RETURNED, OPEN_COMMENT
    elif story != "waiting":
        accepted_at = submitted + dt.timedelta(days=rng.randint(2, 9), hours=1)
        notes.append((ReportStatus.ACCEPTED, "", accepted_at))
        report.state = ReportStatus.ACCEPTED
    report.submitted_at, report.returned_at, report.accepted_at = (
        submitted,
        returned_at,
        accepted_at,
    )
    report.reviewed_by = reviewer if notes else None
    batch.report(report, created)
    for verdict, comment, at in notes:
        note = ReviewNote(report=report, verdict=verdict, comment=comment, author=reviewer)
        batch.note(note, at)
    out.created += 1
    out.late += int(submitted.date() > due)
    out.returned += int(bool(returned_at))
    if report.state == ReportStatus.ACCEPTED:
        services._task_status_from(report)


def _story(body: Institution, t_index: int, period: str, last: bool) -> str:
    """accepted · resubmitted (returned once, then accepted) · returned (awaiting the body)
    · waiting (submitted, not yet reviewed: the last quarter of the responsible bodies)."""
    if body.name == "河北省教育厅" and t_index == 0 and period == "2025Q2":
        return "resubmitted"
    if body.name == "三河市教育和体育局" and t_index == 0 and last:
        return "returned"
    if last and body.name in ("河北省教育厅", "北京市通州区教育委员会"):
        return "waiting"
    return "accepted"
