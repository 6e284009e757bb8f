"""Placements: start, weekly logs, reports, evaluation, completion, the return duty at home."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.core.errors import Conflict, PermissionDenied
from xietong.exchanges.access import manage_program_q
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
    Program,
    ReturnDuty,
)
from xietong.exchanges.services.common import (
    allowed,
    institution_admin_users,
    invalid,
    load,
    notify,
)
from xietong.institutions.models import Institution
from xietong.institutions.selectors import administered_institutions_q

RELATED = [
    "application",
    "application__program",
    "application__applicant",
    "application__applicant__user",
    "host",
    "home",
]


def _is_teacher(actor: Actor, p: Placement) -> bool:
    return actor.own_staff_id is not None and actor.own_staff_id == p.application.applicant_id


def _is_host(actor: Actor, p: Placement) -> bool:
    if actor.own_staff_id is not None and actor.own_staff_id == p.mentor_id:
        return True
    return allowed(Institution, administered_institutions_q(actor), p.host_id)


def _is_home(actor: Actor, p: Placement) -> bool:
    return allowed(Institution, administered_institutions_q(actor), p.home_id)


def _is_manager(actor: Actor, p: Placement) -> bool:
    return allowed(Program, manage_program_q(actor), p.application.program_id)


def _get(placement_id: int) -> Placement:
    return load(Placement, placement_id, lock=True, related=RELATED)


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied(_("You may not do this for this placement."))


@transaction.atomic
def start_placement(actor: Actor, placement_id: int) -> Placement:
    p = _get(placement_id)
    _require(_is_host(actor, p) or _is_home(actor, p) or _is_manager(actor, p))
    if p.status != PlacementStatus.PLANNED:
        raise Conflict(_("This placement has already started."))
    p.status = PlacementStatus.ACTIVE
    p.save(update_fields=["status"])
    app = Application.objects.select_for_update().get(pk=p.application_id)
    app.status = AppStatus.IN_PROGRESS
    app.save(update_fields=["status", "updated_at"])
    audit.record(actor, "exchanges.placement.start", target=p)
    notify(
        [p.application.applicant.user_id],
        "exchanges.placement_started",
        target=p,
        params={"host": p.host.name},
    )
    return p


@transaction.atomic
def add_log(
    actor: Actor, placement_id: int, *, week_starting: dt.date, content: str, hours: int = 0
) -> PlacementLog:
    p = _get(placement_id)
    _require(_is_teacher(actor, p))
    if p.status != PlacementStatus.ACTIVE:
        raise Conflict(_("Logs are kept while the placement is active."))
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
    if _is_teacher(actor, p):
        side = AuthorSide.TEACHER
    elif _is_host(actor, p):
        side = AuthorSide.HOST
    else:
        raise PermissionDenied(_("Reports are written by the teacher and by the host."))
    if p.status == PlacementStatus.PLANNED:
        raise Conflict(_("Reports are written once the placement has started."))
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
    _require(_is_host(actor, p))
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
    _require(_is_host(actor, p) or _is_manager(actor, p))
    if p.status != PlacementStatus.ACTIVE:
        raise Conflict(_("Only an active placement can be completed."))
    sides = set(p.reports.filter(kind=ReportKind.COMPLETION).values_list("side", flat=True))
    missing = [str(AuthorSide(s).label) for s in AuthorSide.values if s not in sides]
    if missing:
        raise Conflict(
            _("The completion report is missing from: %(sides)s.") % {"sides": "、".join(missing)}
        )
    if hours_credited < 0 or hours_credited > 5000:
        raise invalid("hours_credited", _("The hours credited are between 0 and 5000."))
    p.status = PlacementStatus.COMPLETED
    p.hours_credited = hours_credited
    p.completed_at = timezone.now()
    p.save(update_fields=["status", "hours_credited", "completed_at"])
    audit.record(actor, "exchanges.placement.complete", target=p, after={"hours": hours_credited})
    notify(
        [p.application.applicant.user_id, *institution_admin_users(p.home)],
        "exchanges.placement_completed",
        target=p,
        params={"name": p.application.applicant.name, "host": p.host.name},
    )
    return p


# --- the return duty at home --------------------------------------------------------------------


@transaction.atomic
def add_return_duty(
    actor: Actor, placement_id: int, *, kind: str, due_on: dt.date, description: str = ""
) -> ReturnDuty:
    p = _get(placement_id)
    _require(_is_home(actor, p))
    if kind not in DutyKind.values:
        raise invalid("kind", _("Unknown kind of return duty."))
    duty = ReturnDuty.objects.create(
        placement=p, kind=kind, due_on=due_on, description=(description or "").strip()[:300]
    )
    audit.record(actor, "exchanges.duty.create", target=duty, detail={"placement": p.pk})
    notify(
        [p.application.applicant.user_id],
        "exchanges.duty_added",
        target=p,
        params={"kind": duty.kind, "date": str(due_on)},
    )
    return duty


@transaction.atomic
def complete_return_duty(
    actor: Actor, duty_id: int, *, done_on: dt.date, evidence: str
) -> ReturnDuty:
    duty = load(ReturnDuty, duty_id, lock=True)
    p = _get(duty.placement_id)
    _require(_is_teacher(actor, p) or _is_home(actor, p))
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
    placement = Placement.objects.filter(application=app).select_related(*RELATED).first()
    if placement is None:
        raise Conflict(_("This application has no placement."))
    _require(_is_home(actor, placement))
    if app.status != AppStatus.IN_PROGRESS or placement.status != PlacementStatus.COMPLETED:
        raise Conflict(_("The placement must be completed first."))
    duties = list(placement.duties.all())
    if not duties:
        raise Conflict(_("Record the return duty at home before completing."))
    open_duties = [d for d in duties if d.done_on is None]
    if open_duties:
        raise Conflict(_("%(n)d return duties are not done yet.") % {"n": len(open_duties)})
    app.status = AppStatus.COMPLETED
    app.completed_at = timezone.now()
    app.save(update_fields=["status", "completed_at", "updated_at"])
    audit.record(
        actor,
        "exchanges.application.completed",
        target=app,
        before={"status": AppStatus.IN_PROGRESS},
        after={"status": AppStatus.COMPLETED},
    )
    notify(
        [app.applicant.user_id],
        "exchanges.application_completed",
        target=app,
        params={"program": app.program.title},
    )
    return app
