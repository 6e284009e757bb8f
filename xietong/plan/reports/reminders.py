"""Reminders of progress reports due soon or overdue, once per expected report and stage.

An expected report is a reporting body of a task and a quarter of its plan. It is *due*
when its due date is within ``XIETONG_REPORT_REMIND_DAYS`` days and *overdue* once the due
date has passed (looking back one quarter: older reports were reminded in their time),
as long as it has not been submitted. Each reminder sent is recorded
(:class:`~xietong.plan.reports.models.ReportReminder`), so a daily run never repeats one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from xietong.access.actor import system_actor
from xietong.accounts import audit
from xietong.notifications.services import Notice, notify_each
from xietong.plan.models import Plan, ProgressReport, TaskBody
from xietong.plan.reports.models import ReminderStage, ReportReminder
from xietong.plan.reports.notices import task_params
from xietong.plan.reports.recipients import admins_of
from xietong.plan.reports.selectors import SUBMITTED_STATES
from xietong.plan.reports.services import due_on, plan_periods

LOOK_BACK = dt.timedelta(days=92)
CODES: dict[str, str] = {
    ReminderStage.DUE: "plan.report_due",
    ReminderStage.OVERDUE: "plan.report_overdue",
}


def _stage(due: dt.date, today: dt.date) -> str | None:
    ahead = dt.timedelta(days=settings.XIETONG_REPORT_REMIND_DAYS)
    if today <= due <= today + ahead:
        return ReminderStage.DUE
    if today - LOOK_BACK <= due < today:
        return ReminderStage.OVERDUE
    return None


def _pending(plan: Plan, period: str, stage: str) -> Any:
    filed = ProgressReport.objects.filter(
        task=OuterRef("task_id"),
        body=OuterRef("institution_id"),
        period=period,
        state__in=SUBMITTED_STATES,
    )
    sent = ReportReminder.objects.filter(
        task=OuterRef("task_id"), body=OuterRef("institution_id"), period=period, stage=stage
    )
    return (
        TaskBody.objects.filter(task__plan=plan, reports=True)
        .exclude(Exists(filed))
        .exclude(Exists(sent))
        .select_related("task", "institution")
        .order_by("task_id", "institution_id")
    )


def send_reminders(today: dt.date | None = None) -> dict[str, int]:
    """Remind the admins of the bodies with reports due or overdue; returns the counts."""
    today = today or timezone.localdate()
    counts = {"due": 0, "overdue": 0, "notifications": 0}
    for plan in Plan.objects.all():
        for period in plan_periods(plan):
            due = due_on(period)
            stage = _stage(due, today)
            if stage is None:
                continue
            pending = list(_pending(plan, period.code, stage))
            if not pending:
                continue
            admins = admins_of({tb.institution for tb in pending})
            drafts = {
                (t, b): pk
                for t, b, pk in ProgressReport.objects.filter(
                    task__plan=plan, period=period.code
                ).values_list("task_id", "body_id", "id")
            }
            notices: list[Notice] = []
            rows: list[ReportReminder] = []
            for tb in pending:
                users = admins.get(tb.institution_id, set())
                params = {
                    **task_params(tb.task),
                    "body": tb.institution.name,
                    "body_id": tb.institution_id,
                    "period": period.code,
                    "due": due.isoformat(),
                }
                notices += [Notice(u, CODES[stage], tb.task, params) for u in sorted(users)]
                rows.append(
                    ReportReminder(
                        task_id=tb.task_id,
                        body_id=tb.institution_id,
                        period=period.code,
                        stage=stage,
                        report_id=drafts.get((tb.task_id, tb.institution_id)),
                        recipients=len(users),
                    )
                )
            with transaction.atomic():
                ReportReminder.objects.bulk_create(rows, ignore_conflicts=True)
                counts["notifications"] += notify_each(notices)
            counts[stage] += len(rows)
    if counts["due"] or counts["overdue"]:
        audit.record(system_actor("reminders"), "plan.report.remind", detail=counts)
    return counts
