"""Writes of progress reports: start and edit a draft, submit, return, accept, delete.

A report is started by the admin of a body of the task that files reports, for a period
of the plan (a quarter by default); it is due ``XIETONG_REPORT_DUE_DAYS`` after its period
ends. Submitting keeps the task's indicator values of that moment in ``report.values``;
a reviewer returns it with a comment or accepts it, which gives the task its status.
Every refusal is specific and leaves nothing written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong import access
from xietong.access import reach as r
from xietong.access.transitions import Notify, transition
from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.core import periods
from xietong.core.errors import InvalidInput, NotFound, PermissionDenied
from xietong.institutions.models import Institution
from xietong.plan.choices import ReportStatus, TaskStatus, ValueStatus
from xietong.plan.models import IndicatorValue, Plan, ProgressReport, ReviewNote, Task, TaskBody
from xietong.plan.reports import recipients
from xietong.plan.reports.notices import task_params

MAX_NARRATIVE = 8000
MAX_COMMENT = 4000


@dataclass(frozen=True)
class ReportIn:
    period: str = ""
    progress: str = TaskStatus.ON_TRACK
    narrative: str = ""


def due_on(period: periods.Period) -> dt.date:
    return period.ends_on + dt.timedelta(days=settings.XIETONG_REPORT_DUE_DAYS)


def default_period(today: dt.date | None = None) -> periods.Period:
    """The quarter to report on now: the last one that has ended."""
    return periods.containing(today or timezone.localdate()).previous()


def plan_periods(plan: Plan, upto: dt.date | None = None) -> list[periods.Period]:
    """The quarters of the plan, up to the one ``upto`` falls in (all when None)."""
    last = periods.containing(plan.ends_on)
    if upto is not None:
        last = min(last, periods.containing(upto))
    return periods.between(periods.containing(plan.starts_on), last)


def _period(value: str, plan: Plan) -> periods.Period:
    p = periods.read(value) if str(value or "").strip() else default_period()
    if p.ends_on < plan.starts_on:
        msg = _("%(period)s ends before the plan starts (%(start)s).") % {
            "period": p.code,
            "start": plan.starts_on.isoformat(),
        }
        raise InvalidInput(msg, fields={"period": [msg]})
    last = plan.ends_on + dt.timedelta(days=settings.XIETONG_REPORT_GRACE_DAYS)
    if p.starts_on > last:
        msg = _("%(period)s starts after the plan has ended (%(end)s).") % {
            "period": p.code,
            "end": plan.ends_on.isoformat(),
        }
        raise InvalidInput(msg, fields={"period": [msg]})
    return p


def _fields(data: ReportIn) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if data.progress not in TaskStatus.values:
        errors["progress"] = [_("Choose the state of the task.")]
    narrative = str(data.narrative or "").strip()
    if len(narrative) > MAX_NARRATIVE:
        errors["narrative"] = [
            _("Keep the narrative within %(n)s characters.") % {"n": MAX_NARRATIVE}
        ]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    return {"progress": data.progress, "narrative": narrative}


def filing_bodies(actor: Actor, task: Task) -> list[Institution]:
    """The bodies of ``task`` that file reports and that the actor acts for."""
    ids = TaskBody.objects.filter(task=task, reports=True).values("institution_id")
    return list(Institution.objects.filter(r.acts_for()(actor, ""), pk__in=ids).order_by("pk"))


def _body(actor: Actor, task: Task, body_id: int | None) -> Institution:
    mine = filing_bodies(actor, task)
    chosen = [b for b in mine if body_id in (None, b.pk)]
    if not chosen:
        raise PermissionDenied(
            _("You are not responsible for the task “%(task)s”: only its bodies report on it.")
            % {"task": task.code}
        )
    return chosen[0]


def _duplicate(task: Task, body: Institution, period: periods.Period) -> InvalidInput:
    msg = _("%(body)s already has a report on this task for %(period)s.") % {
        "body": body.name,
        "period": period.code,
    }
    return InvalidInput(msg, fields={"period": [msg]})


def start_report(
    actor: Actor, task_id: int, data: ReportIn, *, body_id: int | None = None
) -> ProgressReport:
    task = Task.objects.select_related("plan").filter(pk=task_id).first()
    if task is None:
        raise NotFound()
    body = _body(actor, task, body_id)
    period = _period(data.period, task.plan)
    values = _fields(data)
    if ProgressReport.objects.filter(task=task, body=body, period=period.code).exists():
        raise _duplicate(task, body, period)
    try:
        with transaction.atomic():
            report = ProgressReport.objects.create(
                task=task,
                body=body,
                period=period.code,
                due_on=due_on(period),
                created_by_id=actor.user_id,
                **values,
            )
            audit.record(
                actor,
                "plan.report.start",
                target=report,
                after={"period": period.code, "body": body.pk, "task": task.pk},
            )
    except IntegrityError:
        raise _duplicate(task, body, period) from None
    return report


def _load(actor: Actor, pk: int) -> ProgressReport:
    report = ProgressReport.objects.select_related("task__plan", "body").filter(pk=pk).first()
    if report is None or not access.can_read(actor, report):
        raise NotFound()
    return report


def edit_report(actor: Actor, pk: int, data: ReportIn) -> ProgressReport:
    report = _load(actor, pk)
    access.require(actor, "edit", report)
    period = _period(data.period or report.period, report.task.plan)
    values = _fields(data)
    clash = ProgressReport.objects.filter(
        task=report.task, body=report.body, period=period.code
    ).exclude(pk=report.pk)
    if clash.exists():
        raise _duplicate(report.task, report.body, period)
    before = {"period": report.period, "progress": report.progress}
    with transaction.atomic():
        report.period, report.due_on = period.code, due_on(period)
        report.progress, report.narrative = values["progress"], values["narrative"]
        report.save()
        audit.record(
            actor,
            "plan.report.edit",
            target=report,
            before=before,
            after={"period": report.period, "progress": report.progress},
        )
    return report


def delete_report(actor: Actor, pk: int) -> None:
    report = _load(actor, pk)
    access.require(actor, "delete", report)
    with transaction.atomic():
        audit.record(actor, "plan.report.delete", target=report, before={"period": report.period})
        report.delete()


def indicator_values(report: ProgressReport) -> dict[str, Any]:
    """The task's indicators with their latest approved value of a period up to the
    report's (whole plan area, every stage): what the report shows as "the values then"."""
    rows = (
        IndicatorValue.objects.filter(
            indicator__tasks=report.task,
            period__lte=report.period,
            scope="",
            stage="",
            status=ValueStatus.APPROVED,
        )
        .select_related("indicator")
        .order_by("indicator_id", "-period", "-id")
    )
    out: dict[str, Any] = {}
    for v in rows:
        ind = v.indicator
        if ind.key in out:
            continue
        out[ind.key] = {
            "name": ind.name,
            "name_en": ind.name_en,
            "unit": ind.unit,
            "period": v.period,
            "value": str(v.value),
            "target": None if ind.target is None else str(ind.target),
        }
    return out


def _params(report: ProgressReport, **extra: Any) -> dict[str, Any]:
    return {
        **task_params(report.task),
        "period": report.period,
        "body": report.body.name,
        **extra,
    }


def submit_report(actor: Actor, pk: int) -> ProgressReport:
    report = _load(actor, pk)
    access.require(actor, "submit", report)
    if not report.narrative.strip():
        raise InvalidInput(
            _("Write the narrative before submitting the report."),
            fields={"narrative": [_("Write the narrative before submitting the report.")]},
        )
    with transaction.atomic():
        report.values = indicator_values(report)
        return transition(
            actor,
            "submit",
            report,
            fields=["values"],
            notify=Notify(
                recipients.reviewers(report),
                "plan.report_submitted",
                target=report,
                params=_params(report),
            ),
        )


def _comment(value: str, *, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        msg = _("Say what should change: a returned report needs a comment.")
        raise InvalidInput(msg, fields={"comment": [msg]})
    if len(text) > MAX_COMMENT:
        msg = _("Keep the comment within %(n)s characters.") % {"n": MAX_COMMENT}
        raise InvalidInput(msg, fields={"comment": [msg]})
    return text


def return_report(actor: Actor, pk: int, comment: str) -> ProgressReport:
    report = _load(actor, pk)
    access.require(actor, "return", report)
    text = _comment(comment, required=True)
    with transaction.atomic():
        report.review_comment, report.reviewed_by_id = text, actor.user_id
        ReviewNote.objects.create(
            report=report, verdict=ReportStatus.RETURNED, comment=text, author_id=actor.user_id
        )
        return transition(
            actor,
            "return",
            report,
            fields=["review_comment", "reviewed_by"],
            detail={"comment": text},
            notify=Notify(
                recipients.body_admins(report),
                "plan.report_returned",
                target=report,
                params=_params(report, comment=text),
            ),
        )


def accept_report(actor: Actor, pk: int, comment: str = "") -> ProgressReport:
    report = _load(actor, pk)
    access.require(actor, "accept", report)
    text = _comment(comment, required=False)
    with transaction.atomic():
        report.review_comment, report.reviewed_by_id = text, actor.user_id
        ReviewNote.objects.create(
            report=report, verdict=ReportStatus.ACCEPTED, comment=text, author_id=actor.user_id
        )
        transition(
            actor,
            "accept",
            report,
            fields=["review_comment", "reviewed_by"],
            notify=Notify(
                recipients.body_admins(report),
                "plan.report_accepted",
                target=report,
                params=_params(report),
            ),
        )
        _task_status_from(report)
    return report


def _task_status_from(report: ProgressReport) -> None:
    """The task takes the progress of its latest accepted report (by period)."""
    latest = (
        ProgressReport.objects.filter(task=report.task, state=ReportStatus.ACCEPTED)
        .order_by("-period", "-accepted_at")
        .values_list("progress", flat=True)
        .first()
    )
    if latest and latest != report.task.status:
        Task.objects.filter(pk=report.task_id).update(status=latest, updated_at=timezone.now())
        report.task.status = latest
