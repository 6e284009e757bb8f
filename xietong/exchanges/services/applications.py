"""The application workflow, one service per transition.

draft → submitted → recommended → approved → matched → confirmed → in_progress → completed,
with withdraw (by the applicant, until confirmed) and reject (with a reason, by whoever may
act at that step). Each transition checks the actor's scope and the current state, is
audited and notifies the people affected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.core.codes import SUBJECTS
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied
from xietong.exchanges.access import (
    area_q,
    authority_admin_q,
    home_admin_q,
    manage_program_q,
)
from xietong.exchanges.choices import WITHDRAWABLE, AppStatus, PlacementStatus, ProgramStatus, Side
from xietong.exchanges.models import (
    Application,
    ApplicationChoice,
    HostOffer,
    OfferSlot,
    Placement,
    Program,
)
from xietong.exchanges.services.common import (
    allowed,
    authority_admin_users,
    institution_admin_users,
    invalid,
    load,
    notify,
)
from xietong.institutions.models import Institution, Staff
from xietong.institutions.selectors import administered_institutions_q

RELATED = ["program", "applicant", "applicant__user", "home", "home__region"]


def link(app: Application) -> str:
    return f"/api/exchanges/applications/{app.pk}"


# --- places: the one atomic counter -------------------------------------------------------


def take_place(slot_id: int) -> bool:
    """Take one place of a slot if one is free; False if the slot is full.

    One conditional UPDATE: the database decides, so two transactions can never both take
    the last place (and ``taken <= capacity`` is a CHECK constraint besides).
    """
    return (
        OfferSlot.objects.filter(pk=slot_id, taken__lt=F("capacity")).update(taken=F("taken") + 1)
        == 1
    )


def release_place(slot_id: int) -> None:
    OfferSlot.objects.filter(pk=slot_id, taken__gt=0).update(taken=F("taken") - 1)


# --- eligibility and choices ---------------------------------------------------------------


def eligibility_problems(program: Program, staff: Staff, today: dt.date | None = None) -> list[str]:
    """Every eligibility rule the staff member fails, each named; empty when eligible."""
    today = today or timezone.localdate()
    problems: list[str] = []
    if not Institution.objects.filter(
        area_q(program, Side.SENDING), pk=staff.institution_id
    ).exists():
        problems.append(_("Your institution is outside the program's sending area."))
    stages = program.codes("elig_stages")
    if stages and not set(stages) & set(staff.stage_list):
        problems.append(_("Stage: the program is for %(codes)s.") % {"codes": "、".join(stages)})
    subjects = program.codes("elig_subjects")
    if subjects and not set(subjects) & set(staff.subject_list):
        problems.append(
            _("Subject: the program is for %(codes)s.")
            % {"codes": "、".join(SUBJECTS.labels(subjects))}
        )
    titles = program.codes("elig_titles")
    if titles and staff.title not in titles:
        problems.append(
            _("Professional title: the program is for %(codes)s.") % {"codes": "、".join(titles)}
        )
    positions = program.codes("elig_positions")
    if positions and staff.position not in positions:
        problems.append(
            _("Position: the program is for %(codes)s.") % {"codes": "、".join(positions)}
        )
    if program.min_years is not None and staff.years_at_institution(today) < program.min_years:
        problems.append(
            _("Years at the institution: at least %(n)d required.") % {"n": program.min_years}
        )
    age = _age(staff.birth_date, program.starts_on)
    if program.min_age is not None and age < program.min_age:
        problems.append(_("Age: at least %(n)d at the start.") % {"n": program.min_age})
    if program.max_age is not None and age > program.max_age:
        problems.append(_("Age: at most %(n)d at the start.") % {"n": program.max_age})
    return problems


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _check_window(program: Program) -> None:
    now = timezone.now()
    if program.status != ProgramStatus.OPEN or not (program.opens_at <= now < program.closes_at):
        raise InvalidInput(
            _("Applications to this program are accepted from %(opens)s to %(closes)s only.")
            % {
                "opens": timezone.localtime(program.opens_at).strftime("%Y-%m-%d %H:%M"),
                "closes": timezone.localtime(program.closes_at).strftime("%Y-%m-%d %H:%M"),
            }
        )


def _check_choices(program: Program, offer_ids: Sequence[int]) -> list[HostOffer]:
    if len(offer_ids) > program.max_choices:
        raise invalid(
            "choices",
            _("At most %(n)d choices are allowed in this program.") % {"n": program.max_choices},
        )
    if len(set(offer_ids)) != len(offer_ids):
        raise invalid("choices", _("The same offer is chosen twice."))
    offers = {
        o.pk: o
        for o in HostOffer.objects.filter(pk__in=offer_ids)
        .select_related("host")
        .prefetch_related("slots")
    }
    result: list[HostOffer] = []
    for oid in offer_ids:
        offer = offers.get(oid)
        if offer is None or offer.program_id != program.pk:
            raise invalid("choices", _("Offer %(id)s is not part of this program.") % {"id": oid})
        if all(s.taken >= s.capacity for s in offer.slots.all()):
            raise invalid(
                "choices", _("The offer of %(host)s is full.") % {"host": offer.host.name}
            )
        result.append(offer)
    return result


def _may_act_for(actor: Actor, staff: Staff) -> bool:
    if actor.own_staff_id == staff.pk:
        return True
    return allowed(Institution, administered_institutions_q(actor), staff.institution_id)


# --- create, submit -------------------------------------------------------------------------


@transaction.atomic
def create_application(
    actor: Actor,
    program_id: int,
    *,
    choices: Sequence[int],
    statement: str = "",
    applicant: int | None = None,
    submit: bool = False,
) -> Application:
    """Apply (as a draft, or submitted at once) with up to N ranked offer choices."""
    program = load(Program, program_id)
    staff_id = applicant if applicant is not None else actor.own_staff_id
    if staff_id is None:
        raise invalid("applicant", _("Say for whom the application is made."))
    staff = load(Staff, staff_id, related=["institution"])
    if not _may_act_for(actor, staff):
        raise PermissionDenied(
            _("You may apply for yourself, or for staff of an institution you administer.")
        )
    _check_window(program)
    problems = eligibility_problems(program, staff)
    if problems:
        raise InvalidInput(
            _("Not eligible for this program: %(reasons)s") % {"reasons": " ".join(problems)},
            fields={"eligibility": problems},
        )
    if (
        Application.objects.filter(program=program, applicant=staff)
        .exclude(status__in=[AppStatus.WITHDRAWN, AppStatus.REJECTED])
        .exists()
    ):
        raise Conflict(_("%(name)s has already applied to this program.") % {"name": staff.name})
    offers = _check_choices(program, list(choices))
    app = Application(
        program=program,
        applicant=staff,
        home_id=staff.institution_id,
        statement=(statement or "").strip(),
        created_by_id=actor.user_id,
    )
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError:
        raise Conflict(
            _("%(name)s has already applied to this program.") % {"name": staff.name}
        ) from None
    ApplicationChoice.objects.bulk_create(
        [ApplicationChoice(application=app, rank=i, offer=o) for i, o in enumerate(offers, 1)]
    )
    audit.record(
        actor,
        "exchanges.application.create",
        target=app,
        after={"program": program.pk, "applicant": staff.pk, "choices": list(choices)},
    )
    if submit:
        return _submit(actor, app)
    return app


@transaction.atomic
def update_choices(actor: Actor, app_id: int, choices: Sequence[int]) -> Application:
    app = load(Application, app_id, lock=True, related=RELATED)
    _require_applicant(actor, app)
    if app.status != AppStatus.DRAFT:
        raise _wrong_state(app)
    offers = _check_choices(app.program, list(choices))
    app.choices.all().delete()
    ApplicationChoice.objects.bulk_create(
        [ApplicationChoice(application=app, rank=i, offer=o) for i, o in enumerate(offers, 1)]
    )
    audit.record(actor, "exchanges.application.choices", target=app, after={"choices": choices})
    return app


def _require_applicant(actor: Actor, app: Application) -> None:
    if not _may_act_for(actor, app.applicant):
        raise PermissionDenied(_("Only the applicant or their institution may do this."))


def _wrong_state(app: Application) -> Conflict:
    return Conflict(
        _("This is not possible while the application is “%(status)s”.")
        % {"status": app.get_status_display()}
    )


def _move(
    actor: Actor,
    app: Application,
    to: str,
    *,
    fields: Sequence[str] = (),
    notify_users: Sequence[int | None] = (),
    message: str = "",
    detail: dict[str, Any] | None = None,
) -> Application:
    old = app.status
    app.status = to
    app.save(update_fields=["status", "updated_at", *fields])
    audit.record(
        actor,
        f"exchanges.application.{to}",
        target=app,
        before={"status": old},
        after={"status": to},
        detail=detail,
    )
    notify([app.applicant.user_id, *notify_users], message, link(app))
    return app


def _submit(actor: Actor, app: Application) -> Application:
    _check_window(app.program)
    if not app.choices.exists():
        raise invalid("choices", _("Rank at least one offer before submitting."))
    app.submitted_at = timezone.now()
    return _move(
        actor,
        app,
        AppStatus.SUBMITTED,
        fields=["submitted_at"],
        notify_users=institution_admin_users(app.home),
        message=_("Application of %(name)s to “%(program)s” submitted.")
        % {"name": app.applicant.name, "program": app.program.title},
    )


@transaction.atomic
def submit_application(actor: Actor, app_id: int) -> Application:
    app = load(Application, app_id, lock=True, related=RELATED)
    _require_applicant(actor, app)
    if app.status != AppStatus.DRAFT:
        raise _wrong_state(app)
    return _submit(actor, app)


# --- recommend, approve ---------------------------------------------------------------------


@transaction.atomic
def recommend_application(
    actor: Actor,
    app_id: int,
    *,
    notice_starts_on: dt.date,
    notice_ends_on: dt.date,
    score: float | None = None,
) -> Application:
    """The home institution recommends, after a public notice (公示) over the given dates."""
    app = load(Application, app_id, lock=True, related=RELATED)
    if not allowed(Institution, home_admin_q(actor), app.home_id):
        raise PermissionDenied(_("Only the home institution's administrator recommends."))
    if app.status != AppStatus.SUBMITTED:
        raise _wrong_state(app)
    if notice_ends_on < notice_starts_on:
        raise invalid("notice_ends_on", _("The public notice cannot end before it starts."))
    if score is not None and not (0 <= score <= 1000):
        raise invalid("score", _("The score must be between 0 and 1000."))
    app.notice_starts_on, app.notice_ends_on = notice_starts_on, notice_ends_on
    app.score = score
    app.recommended_at = timezone.now()
    return _move(
        actor,
        app,
        AppStatus.RECOMMENDED,
        fields=["notice_starts_on", "notice_ends_on", "score", "recommended_at"],
        notify_users=authority_admin_users(app.home),
        message=_("%(home)s recommends %(name)s for “%(program)s”.")
        % {"home": app.home.name, "name": app.applicant.name, "program": app.program.title},
        detail={"notice": [str(notice_starts_on), str(notice_ends_on)]},
    )


@transaction.atomic
def approve_application(actor: Actor, app_id: int) -> Application:
    app = load(Application, app_id, lock=True, related=RELATED)
    if not allowed(Institution, authority_admin_q(actor), app.home_id):
        raise PermissionDenied(
            _("Only an authority administrator over the home institution approves.")
        )
    if app.status != AppStatus.RECOMMENDED:
        raise _wrong_state(app)
    assert app.notice_ends_on is not None
    if timezone.localdate() <= app.notice_ends_on:
        raise Conflict(
            _("The public notice runs until %(date)s; approve after it has ended.")
            % {"date": app.notice_ends_on}
        )
    _check_quota(app.program_id)
    app.approved_at = timezone.now()
    return _move(
        actor,
        app,
        AppStatus.APPROVED,
        fields=["approved_at"],
        message=_("Your application to “%(program)s” was approved.")
        % {"program": app.program.title},
    )


APPROVED_OR_LATER = [
    AppStatus.APPROVED,
    AppStatus.MATCHED,
    AppStatus.CONFIRMED,
    AppStatus.IN_PROGRESS,
    AppStatus.COMPLETED,
]


def _check_quota(program_id: int) -> None:
    """At most ``quota`` approved participants; the program row is locked while counting."""
    program = Program.objects.select_for_update().get(pk=program_id)
    if program.quota is None:
        return
    approved = Application.objects.filter(program=program, status__in=APPROVED_OR_LATER).count()
    if approved >= program.quota:
        raise Conflict(
            _("The program's quota of %(n)d approved participants is reached.")
            % {"n": program.quota}
        )


# --- reject, withdraw -----------------------------------------------------------------------


def may_reject(actor: Actor, app: Application) -> bool:
    """Whether the actor may reject the application at its current step."""
    if app.status == AppStatus.SUBMITTED:
        return allowed(Institution, home_admin_q(actor), app.home_id)
    if app.status == AppStatus.RECOMMENDED:
        return allowed(Institution, authority_admin_q(actor), app.home_id)
    if app.status in (AppStatus.APPROVED, AppStatus.MATCHED):
        return allowed(Program, manage_program_q(actor), app.program_id)
    return False


@transaction.atomic
def reject_application(actor: Actor, app_id: int, reason: str) -> Application:
    app = load(Application, app_id, lock=True, related=RELATED)
    if app.status not in (
        AppStatus.SUBMITTED,
        AppStatus.RECOMMENDED,
        AppStatus.APPROVED,
        AppStatus.MATCHED,
    ):
        raise _wrong_state(app)
    if not may_reject(actor, app):
        raise PermissionDenied(_("You may not decide on the application at this step."))
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", _("Give the reason for the rejection."))
    if app.status == AppStatus.MATCHED and app.matched_slot_id:
        release_place(app.matched_slot_id)
    app.reject_reason = reason[:500]
    app.closed_at = timezone.now()
    return _move(
        actor,
        app,
        AppStatus.REJECTED,
        fields=["reject_reason", "closed_at"],
        message=_("Your application to “%(program)s” was rejected: %(reason)s")
        % {"program": app.program.title, "reason": reason},
        detail={"reason": reason, "at": app.status},
    )


@transaction.atomic
def withdraw_application(actor: Actor, app_id: int) -> Application:
    app = load(Application, app_id, lock=True, related=RELATED)
    _require_applicant(actor, app)
    if app.status not in WITHDRAWABLE:
        raise _wrong_state(app)
    if app.status == AppStatus.MATCHED and app.matched_slot_id:
        release_place(app.matched_slot_id)
    app.closed_at = timezone.now()
    return _move(
        actor,
        app,
        AppStatus.WITHDRAWN,
        fields=["closed_at"],
        notify_users=institution_admin_users(app.home),
        message=_("The application of %(name)s to “%(program)s” was withdrawn.")
        % {"name": app.applicant.name, "program": app.program.title},
    )


# --- matched (directly), confirmed ------------------------------------------------------------


@transaction.atomic
def assign_place(actor: Actor, app_id: int, slot_id: int) -> Application:
    """A program manager places an approved applicant directly (programs run without a run)."""
    app = load(Application, app_id, lock=True, related=RELATED)
    if not allowed(Program, manage_program_q(actor), app.program_id):
        raise PermissionDenied(_("Only the program's managers place applicants."))
    if app.status != AppStatus.APPROVED:
        raise _wrong_state(app)
    slot = load(OfferSlot, slot_id, related=["offer", "offer__host"])
    if slot.offer.program_id != app.program_id:
        raise invalid("slot", _("This slot is not part of the application's program."))
    if not take_place(slot.pk):
        raise Conflict(_("All places of this slot are taken."))
    app.matched_slot = slot
    app.matched_rank = (
        app.choices.filter(offer_id=slot.offer_id).values_list("rank", flat=True).first()
    )
    return _move(
        actor,
        app,
        AppStatus.MATCHED,
        fields=["matched_slot", "matched_rank"],
        message=_("You were placed at %(host)s.") % {"host": slot.offer.host.name},
    )


@transaction.atomic
def confirm_application(
    actor: Actor, app_id: int, *, starts_on: dt.date | None = None, ends_on: dt.date | None = None
) -> Placement:
    """The applicant accepts the match: a placement is created; the home post is kept."""
    app = load(Application, app_id, lock=True, related=RELATED)
    _require_applicant(actor, app)
    if app.status != AppStatus.MATCHED or app.matched_slot_id is None:
        raise _wrong_state(app)
    slot = load(OfferSlot, app.matched_slot_id, related=["offer", "offer__host"])
    starts_on = starts_on or app.program.starts_on
    ends_on = ends_on or app.program.ends_on
    if ends_on < starts_on:
        raise invalid("ends_on", _("The placement cannot end before it starts."))
    placement = Placement.objects.create(
        application=app,
        slot=slot,
        host=slot.offer.host,
        home=app.home,
        mentor_id=slot.offer.mentor_id,
        starts_on=starts_on,
        ends_on=ends_on,
        status=PlacementStatus.PLANNED,
    )
    app.confirmed_at = timezone.now()
    _move(
        actor,
        app,
        AppStatus.CONFIRMED,
        fields=["confirmed_at"],
        notify_users=[
            *institution_admin_users(slot.offer.host),
            *authority_admin_users(slot.offer.host),
        ],
        message=_("%(name)s confirmed the place at %(host)s from %(start)s.")
        % {"name": app.applicant.name, "host": slot.offer.host.name, "start": starts_on},
    )
    audit.record(actor, "exchanges.placement.create", target=placement)
    return placement
