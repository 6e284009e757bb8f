"""Reads of progress reports, scoped to the viewer: lists, one report, the reporting rate.

The reporting rate (as DHIS2's): for each body and quarter of a plan that has ended,
*expected* reports (the body's tasks on which it files reports), *submitted* (a report
submitted at least once: submitted, returned or accepted), *on time* (submitted on or
before its due date, by the latest submission) and *accepted*. All counts are SQL
aggregates grouped by body and period; the table is assembled from those groups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong import access
from xietong.access import reach as r
from xietong.accounts.access import Actor
from xietong.accounts.models import Role
from xietong.core import periods
from xietong.core.errors import NotFound
from xietong.core.filters import option
from xietong.institutions.models import Institution
from xietong.plan.choices import ReportStatus
from xietong.plan.models import Plan, ProgressReport, Task, TaskBody
from xietong.plan.reports.services import plan_periods
from xietong.regions.selectors import under_paths_q

SUBMITTED_STATES = (ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.ACCEPTED)


@dataclass(frozen=True)
class Filters:
    period: str = option(
        "", label=pgettext_lazy("progress report", "Period"), max_length=12, placeholder="2025Q3"
    )
    state: str = option(
        "",
        label=pgettext_lazy("progress report", "State"),
        choices=ReportStatus.choices,
        empty=_("All states"),
    )
    body: int | None = option(
        None,
        label=pgettext_lazy("progress report", "Body"),
        picker="report_bodies",
        empty=_("All bodies"),
    )
    task: int | None = option(
        None,
        label=pgettext_lazy("progress report", "Task"),
        picker="report_tasks",
        empty=_("All tasks"),
    )
    plan: int | None = option(
        None,
        label=pgettext_lazy("progress report", "Plan"),
        picker="report_plans",
        empty=_("All plans"),
    )
    counted: str = option(
        "",
        label=_("Counted in the reporting rate"),
        choices=[
            ("submitted", pgettext_lazy("progress report", "Submitted")),
            ("on_time", pgettext_lazy("progress report", "On time")),
            ("accepted", pgettext_lazy("progress report", "Accepted")),
        ],
        empty=_("Any"),
    )


def reports_for(actor: Actor, f: Filters | None = None) -> QuerySet[ProgressReport]:
    f = f or Filters()
    qs = ProgressReport.objects.filter(access.read_q(actor, ProgressReport))
    if f.period:
        qs = qs.filter(period=periods.read(f.period).code)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.body:
        qs = qs.filter(body_id=f.body)
    if f.task:
        qs = qs.filter(task_id=f.task)
    if f.plan:
        qs = qs.filter(task__plan_id=f.plan)
    if f.counted:
        qs = _counted(qs, f.counted)
    qs = access.annotate(actor, qs, read=True)
    return qs.select_related("task", "body").order_by(
        "-period", "task__order", "task_id", "body_id"
    )


def _counted(qs: QuerySet[ProgressReport], kind: str) -> QuerySet[ProgressReport]:
    """The reports the reporting rate counts as ``kind`` (its one definition, below)."""
    qs = qs.filter(task__bodies__institution_id=F("body_id"), task__bodies__reports=True)
    if kind == "accepted":
        return qs.filter(state=ReportStatus.ACCEPTED)
    qs = qs.filter(state__in=SUBMITTED_STATES)
    if kind == "on_time":
        qs = qs.alias(submitted_day=_submitted_day()).filter(submitted_day__lte=F("due_on"))
    return qs


def _submitted_day() -> TruncDate:
    return TruncDate("submitted_at", tzinfo=timezone.get_current_timezone())


# --- what the list's filters offer (its pickers, ``plan.reports.pickers``) ------------------


def _tasks_of_reports(actor: Actor) -> Q:
    """Tasks the actor reads, or on which it reads a report (the system admin reads
    submitted reports without reading the plan)."""
    readable = ProgressReport.objects.filter(access.read_q(actor, ProgressReport))
    return access.read_q(actor, Task) | Q(pk__in=readable.values("task_id"))


def report_tasks(actor: Actor, q: str = "", plan: int | None = None) -> QuerySet[Task]:
    """The tasks the list's task filter offers, matching ``q`` (code, title or English)."""
    qs = Task.objects.filter(_tasks_of_reports(actor))
    if plan is not None:
        qs = qs.filter(plan_id=plan)
    if q:
        qs = qs.filter(Q(code__startswith=q) | Q(title__icontains=q) | Q(title_en__icontains=q))
    return qs.select_related("plan").order_by("-plan__starts_on", "order", "id")


def report_bodies(actor: Actor, q: str = "") -> QuerySet[Institution]:
    """The bodies the list's body filter offers: the reporting bodies of the tasks it
    offers, and the bodies of the reports the actor reads."""
    tasks = Task.objects.filter(_tasks_of_reports(actor)).values("pk")
    filing = TaskBody.objects.filter(task__in=tasks, reports=True).values("institution_id")
    readable = ProgressReport.objects.filter(access.read_q(actor, ProgressReport))
    qs = Institution.objects.filter(Q(pk__in=filing) | Q(pk__in=readable.values("body_id")))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q))
    return qs.select_related("region").order_by("region_path", "name", "id")


def report_plans(actor: Actor, q: str = "") -> QuerySet[Plan]:
    """The plans the list's plan filter offers: those of the tasks it offers."""
    tasks = Task.objects.filter(_tasks_of_reports(actor)).values("plan_id")
    qs = Plan.objects.filter(pk__in=tasks)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(key__icontains=q))
    return qs.order_by("-starts_on", "id")


def report_detail(actor: Actor, pk: int) -> ProgressReport:
    report = (
        ProgressReport.objects.filter(access.read_q(actor, ProgressReport), pk=pk)
        .select_related("task__plan", "body", "created_by", "reviewed_by")
        .first()
    )
    if report is None:
        raise NotFound()
    return report


def notes_of(report: ProgressReport) -> QuerySet:  # type: ignore[type-arg]
    return report.notes.select_related("author").order_by("written_at", "id")


def waiting_for(actor: Actor) -> dict[str, QuerySet[ProgressReport]]:
    """The reports waiting for the actor: to file (draft/returned) and to review."""
    base = ProgressReport.objects.select_related("task", "body").order_by("due_on", "id")
    return {
        "file": base.filter(access.verb_q(actor, ProgressReport, "submit")),
        "review": base.filter(access.verb_q(actor, ProgressReport, "accept")),
    }


def reports_of_task(actor: Actor, task: Task) -> QuerySet[ProgressReport]:
    """The reports on one task the actor reads (the task page's panel)."""
    return reports_for(actor, Filters(task=task.pk))


# --- the reporting rate -------------------------------------------------------------------


def task_bodies_in_view(actor: Actor, plan: Plan) -> QuerySet[TaskBody]:
    """The reporting bodies of ``plan``'s tasks whose rate the actor sees: bodies it acts
    for or whose region it oversees; every body for a signatory's admins and the system."""
    qs = TaskBody.objects.filter(task__plan=plan, reports=True)
    if (
        actor.has(Role.SYSTEM_ADMIN)
        or Institution.objects.filter(
            r.acts_for()(actor, ""), pk__in=plan.signatories.values("pk")
        ).exists()
    ):
        return qs
    mine = Institution.objects.filter(r.acts_for()(actor, "")).values("pk")
    return qs.filter(
        Q(institution_id__in=mine) | under_paths_q(actor.authority_region_paths, "region_path")
    )


@dataclass
class RateRow:
    body: Institution
    period: str
    expected: int
    submitted: int = 0
    on_time: int = 0
    accepted: int = 0

    @property
    def rate(self) -> float | None:
        return None if not self.expected else round(100 * self.submitted / self.expected, 1)

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.expected else round(100 * self.on_time / self.expected, 1)


@dataclass
class RateTable:
    plan: Plan
    periods: list[str]
    rows: list[RateRow] = field(default_factory=list)
    totals: dict[str, RateRow] = field(default_factory=dict)


def reporting_rate(
    actor: Actor, plan: Plan, *, today: dt.date | None = None, period: str = ""
) -> RateTable:
    today = today or timezone.localdate()
    ended = [p for p in plan_periods(plan, today) if p.ends_on < today]
    codes = [p.code for p in ended if not period or p.code == period]
    bodies_qs = task_bodies_in_view(actor, plan)
    expected = dict(
        bodies_qs.order_by()
        .values("institution_id")
        .annotate(n=Count("id"))
        .values_list("institution_id", "n")
    )
    bodies = Institution.objects.in_bulk(list(expected))
    counts = (
        ProgressReport.objects.alias(submitted_day=_submitted_day())
        .filter(
            access.read_q(actor, ProgressReport),
            task__plan=plan,
            period__in=codes,
            body_id__in=list(expected),
            task__bodies__institution_id=F("body_id"),
            task__bodies__reports=True,
        )
        .order_by()
        .values("body_id", "period")
        .annotate(
            submitted=Count("id", filter=Q(state__in=SUBMITTED_STATES)),
            on_time=Count(
                "id",
                filter=Q(state__in=SUBMITTED_STATES, submitted_day__lte=F("due_on")),
            ),
            accepted=Count("id", filter=Q(state=ReportStatus.ACCEPTED)),
        )
    )
    found = {(c["body_id"], c["period"]): c for c in counts}
    table = RateTable(plan=plan, periods=codes)
    order = sorted(bodies.values(), key=lambda b: (b.region_path, b.name))
    for code in codes:
        total = RateRow(body=None, period=code, expected=0)  # type: ignore[arg-type]
        for b in order:
            c = found.get((b.pk, code), {})
            row = RateRow(
                body=b,
                period=code,
                expected=expected[b.pk],
                submitted=c.get("submitted", 0),
                on_time=c.get("on_time", 0),
                accepted=c.get("accepted", 0),
            )
            table.rows.append(row)
            total.expected += row.expected
            total.submitted += row.submitted
            total.on_time += row.on_time
            total.accepted += row.accepted
        table.totals[code] = total
    return table


def plans_in_view() -> QuerySet[Plan]:
    return Plan.objects.order_by("-starts_on")
