"""Placements: start, weekly logs, reports, evaluation, completion, the return duty at home."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong import access
from xietong.access.transitions import Notify, move, send, transition
from xietong.accounts import audit
from xietong.accounts.access import Actor, system_actor
from xietong.accounts.recipients import institution_admin_users
from xietong.core.errors import Conflict
from xietong.exchanges.choices import (
    AppStatus,
    AuthorSide,
    DutyKind,
    PlacementStatus,
    ReportKind,
)
from xietong.exchanges.models import (
    Application,
    Placement,
    PlacementLog,
    PlacementReport,
    ReturnDuty,
)
from xietong.exchanges.services.common import invalid, load

Progress = Callable[[int, int], None]

RELATED = [
    "application",
    "application__program",
    "application__applicant",
    "application__applicant__user",
    "host",
    "home",
]


def _get(placement_id: int) -> Placement:
    return load(Placement, placement_id, lock=True, related=RELATED)


@transaction.atomic
def start_placement(actor: Actor, placement_id: int) -> Placement:
    p = _get(placement_id)
    app = Application.objects.select_for_update().get(pk=p.application_id)
    transition(
        actor,
        "start",
        p,
        notify=Notify(
            [p.application.applicant.user_id],
            "exchanges.placement_started",
            target=p,
            params={"host": p.host.name},
        ),
    )
    move(actor, app, AppStatus.IN_PROGRESS, event="exchanges.application.in_progress")
    return p


@transaction.atomic
def add_log(
    actor: Actor, placement_id: int, *, week_starting: dt.date, content: str, hours: int = 0
) -> PlacementLog:
    p = _get(placement_id)
    access.require(actor, "log", p)
    if not (content or "").strip():
        raise invalid("content", _("Write what happened this week."))
    if not (0 <= hours <= 80):
        raise invalid("hours", _("Hours per week are between 0 and 80."))
    if not (p.starts_on - dt.timedelta(days=6) <= week_starting <= p.ends_on):
        raise invalid("week_starting", _("The week lies outside the placement."))
    try:
        with transaction.atomic():
            log = PlacementLog.objects.create(
                placement=p, week_starting=week_starting, content=content.strip(), hours=hours
            )
    except IntegrityError:
        raise Conflict(_("There is already a log for this week.")) from None
    audit.record(actor, "exchanges.placement.log", target=log, detail={"placement": p.pk})
    return log


@transaction.atomic
def submit_report(actor: Actor, placement_id: int, *, kind: str, content: str) -> PlacementReport:
    """A mid-term or completion report, by the teacher or by the host (side from the actor)."""
    p = _get(placement_id)
    if kind not in ReportKind.values:
        raise invalid("kind", _("Unknown report kind."))
    access.require(actor, "report", p)
    # The teacher writes the teacher's side; the mentor and the host's admins the host's.
    side = AuthorSide.TEACHER if "teacher" in access.relations_of(actor, p) else AuthorSide.HOST
    if not (content or "").strip():
        raise invalid("content", _("The report is empty."))
    try:
        with transaction.atomic():
            report = PlacementReport.objects.create(
                placement=p, kind=kind, side=side, content=content.strip(), author_id=actor.user_id
            )
    except IntegrityError:
        raise Conflict(_("This report has already been submitted.")) from None
    audit.record(actor, "exchanges.placement.report", target=report, detail={"side": side})
    return report


@transaction.atomic
def evaluate_placement(actor: Actor, placement_id: int, *, score: float, grade: str) -> Placement:
    p = _get(placement_id)
    access.require(actor, "evaluate", p)
    if not (0 <= score <= 100):
        raise invalid("score", _("The score is between 0 and 100."))
    p.score, p.grade = score, (grade or "").strip()[:20]
    p.save(update_fields=["score", "grade"])
    audit.record(
        actor, "exchanges.placement.evaluate", target=p, after={"score": score, "grade": grade}
    )
    return p


@transaction.atomic
def complete_placement(actor: Actor, placement_id: int, *, hours_credited: int) -> Placement:
    """The host (or a program manager) completes the placement; both completion reports needed."""
    p = _get(placement_id)
    access.require(actor, "complete", p)
    sides = set(p.reports.filter(kind=ReportKind.COMPLETION).values_list("side", flat=True))
    missing = [str(AuthorSide(s).label) for s in AuthorSide.values if s not in sides]
    if missing:
        raise Conflict(
            _("The completion report is missing from: %(sides)s.") % {"sides": "、".join(missing)}
        )
    if hours_credited < 0 or hours_credited > 5000:
        raise invalid("hours_credited", _("The hours credited are between 0 and 5000."))
    p.hours_credited = hours_credited
    fields = ["hours_credited"]
    if p.ended_at is None:  # completed before the daily job ended it: it ends now
        p.ended_at = timezone.now()
        fields.append("ended_at")
    return transition(
        actor,
        "complete",
        p,
        fields=fields,
        detail={"hours": hours_credited},
        notify=Notify(
            [p.application.applicant.user_id, *institution_admin_users(p.home)],
            "exchanges.placement_completed",
            target=p,
            params={"name": p.application.applicant.name, "host": p.host.name},
        ),
    )


# --- the end of a placement (the daily job) ----------------------------------------------------


def end_due_placements(today: dt.date | None = None, report: Progress | None = None) -> dict:
    """End the active placements whose end date has passed; ask for the completion reports.

    Each placement moves to ``ended`` in its own transaction (audited as the system's move,
    stamped ``ended_at``); the teacher and the host — its administrators and the mentor —
    are each asked for their completion report unless they have already written it. A
    placement completed or ended meanwhile is left alone, so two runs end each one once.
    ``report(done, total)`` follows the progress.
    """
    today = today or timezone.localdate()
    due = Placement.objects.filter(status=PlacementStatus.ACTIVE, ends_on__lt=today)
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    actor = system_actor(SCHEDULER)
    ended = asked = 0
    for i, pk in enumerate(ids, 1):
        sent = _end_one(actor, pk, today)
        if sent is not None:
            ended, asked = ended + 1, asked + sent
        if report is not None:
            report(i, len(ids))
    return {"due": len(ids), "ended": ended, "notified": asked}


SCHEDULER = "scheduler"  # the actor's name in the audit log for the daily job's moves


@transaction.atomic
def _end_one(actor: Actor, placement_id: int, today: dt.date) -> int | None:
    """End one placement if it is still active and due; how many people were asked."""
    p = (
        Placement.objects.select_for_update(of=("self",))
        .select_related(*RELATED, "mentor")
        .filter(pk=placement_id, status=PlacementStatus.ACTIVE, ends_on__lt=today)
        .first()
    )
    if p is None:
        return None
    written = set(p.reports.filter(kind=ReportKind.COMPLETION).values_list("side", flat=True))
    move(
        actor,
        p,
        PlacementStatus.ENDED,
        event="exchanges.placement.ended",
        stamp="ended_at",
        detail={"ends_on": str(p.ends_on)},
    )
    params = {
        "name": p.application.applicant.name,
        "host": p.host.name,
        "date": p.ends_on.isoformat(),
    }
    asked: list[Notify] = []
    if AuthorSide.TEACHER not in written:
        asked.append(
            Notify(
                [p.application.applicant.user_id],
                "exchanges.placement_ended_teacher",
                target=p,
                params=params,
            )
        )
    if AuthorSide.HOST not in written:
        mentor = p.mentor.user_id if p.mentor is not None else None
        asked.append(
            Notify(
                [*institution_admin_users(p.host), mentor],
                "exchanges.placement_ended_host",
                target=p,
                params=params,
            )
        )
    for notification in asked:
        send(notification)
    return sum(len({u for u in n.args[0] if u is not None}) for n in asked)


# --- the return duty at home --------------------------------------------------------------------


@transaction.atomic
def add_return_duty(
    actor: Actor, placement_id: int, *, kind: str, due_on: dt.date, description: str = ""
) -> ReturnDuty:
    p = _get(placement_id)
    access.require(actor, "add_duty", p)
    if kind not in DutyKind.values:
        raise invalid("kind", _("Unknown kind of return duty."))
    duty = ReturnDuty.objects.create(
        placement=p, kind=kind, due_on=due_on, description=(description or "").strip()[:300]
    )
    audit.record(actor, "exchanges.duty.create", target=duty, detail={"placement": p.pk})
    send(
        Notify(
            [p.application.applicant.user_id],
            "exchanges.duty_added",
            target=p,
            params={"kind": duty.kind, "date": str(due_on)},
        )
    )
    return duty


@transaction.atomic
def complete_return_duty(
    actor: Actor, duty_id: int, *, done_on: dt.date, evidence: str
) -> ReturnDuty:
    duty = load(ReturnDuty, duty_id, lock=True)
    p = _get(duty.placement_id)
    access.require(actor, "finish_duty", p)
    if not (evidence or "").strip():
        raise invalid("evidence", _("Describe the evidence that the duty was done."))
    if done_on > timezone.localdate():
        raise invalid("done_on", _("The date lies in the future."))
    duty.done_on, duty.evidence = done_on, evidence.strip()
    duty.save(update_fields=["done_on", "evidence"])
    audit.record(actor, "exchanges.duty.done", target=duty, detail={"placement": p.pk})
    return duty


@transaction.atomic
def complete_application(actor: Actor, app_id: int) -> Application:
    """The home institution closes the exchange once the placement and return duty are done."""
    app = load(Application, app_id, lock=True, related=["applicant", "program"])
    access.require(actor, "complete", app)
    placement = Placement.objects.filter(application=app).select_related(*RELATED).first()
    if placement is None:
        raise Conflict(_("This application has no placement."))
    if placement.status != PlacementStatus.COMPLETED:
        raise Conflict(_("The placement must be completed first."))
    duties = list(placement.duties.all())
    if not duties:
        raise Conflict(_("Record the return duty at home before completing."))
    open_duties = [d for d in duties if d.done_on is None]
    if open_duties:
        raise Conflict(_("%(n)d return duties are not done yet.") % {"n": len(open_duties)})
    return transition(
        actor,
        "complete",
        app,
        notify=Notify(
            [app.applicant.user_id],
            "exchanges.application_completed",
            target=app,
            params={"program": app.program.title},
        ),
    )
