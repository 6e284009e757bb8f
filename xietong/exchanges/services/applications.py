"""The application workflow, one service per transition.

draft → submitted → recommended → approved → matched → confirmed → in_progress → completed,
with withdraw (by the applicant, until confirmed) and reject (with a reason, by whoever may
act at that step). Each transition checks the actor's scope and the current state, is
audited and notifies the people affected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong import access
from xietong.access.transitions import Notify, transition
from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.accounts.recipients import authority_admin_users, institution_admin_users
from xietong.core import workdays
from xietong.core.codes import SUBJECTS
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied
from xietong.exchanges.access import WINDOW, area_q
from xietong.exchanges.choices import AppStatus, PlacementStatus, Side
from xietong.exchanges.models import (
    Application,
    ApplicationChoice,
    HostOffer,
    OfferSlot,
    Placement,
    Program,
)
from xietong.exchanges.services.common import (
    invalid,
    load,
)
from xietong.institutions.models import Institution, Staff

RELATED = ["program", "applicant", "applicant__user", "home", "home__region"]


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


def eligibility_problems(
    program: Program,
    staff: Staff,
    today: dt.date | None = None,
    *,
    in_sending_area: bool | None = None,
) -> list[str]:
    """Every eligibility rule the staff member fails, each named; empty when eligible.

    ``in_sending_area`` is the area rule's answer when the caller already has it (the
    workbench checks many programs with :func:`~xietong.exchanges.access.in_area`).
    """
    today = today or timezone.localdate()
    problems: list[str] = []
    if in_sending_area is None:
        in_sending_area = Institution.objects.filter(
            area_q(program, Side.SENDING), pk=staff.institution_id
        ).exists()
    if not in_sending_area:
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
    if applicant is None:
        access.require(actor, "apply", program)  # for oneself: a teacher with a record
    staff_id = applicant if applicant is not None else access.own_record(actor)
    if staff_id is None:
        raise invalid("applicant", _("Say for whom the application is made."))
    staff = load(Staff, staff_id, related=["institution"])
    own = "self" in access.relations_of(actor, staff)
    access.require(actor, "apply" if own else "apply_for", program)
    if "act_for" not in access.actions(actor, staff):
        raise PermissionDenied(
            _("You may apply for yourself, or for staff of an institution you administer.")
        )
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
    access.require(actor, "edit", app)
    offers = _check_choices(app.program, list(choices))
    app.choices.all().delete()
    ApplicationChoice.objects.bulk_create(
        [ApplicationChoice(application=app, rank=i, offer=o) for i, o in enumerate(offers, 1)]
    )
    audit.record(actor, "exchanges.application.choices", target=app, after={"choices": choices})
    return app


def _window(program: Program) -> None:
    """Applications are made and submitted inside the program's window only."""
    if not WINDOW.holds(program):
        raise InvalidInput(str(WINDOW.message(program)))  # type: ignore[operator]


def _submit(actor: Actor, app: Application) -> Application:
    _window(app.program)
    if not app.choices.exists():
        raise invalid("choices", _("Rank at least one offer before submitting."))
    return transition(
        actor,
        "submit",
        app,
        notify=Notify(
            [app.applicant.user_id, *institution_admin_users(app.home)],
            "exchanges.application_submitted",
            target=app,
            params={"name": app.applicant.name, "program": app.program.title},
        ),
    )


@transaction.atomic
def submit_application(actor: Actor, app_id: int) -> Application:
    app = load(Application, app_id, lock=True, related=RELATED)
    access.require(actor, "submit", app)
    return _submit(actor, app)


# --- recommend, approve ---------------------------------------------------------------------


def notice_min_days() -> int:
    """The shortest public notice, in working days (``XIETONG_NOTICE_MIN_WORKING_DAYS``)."""
    return max(1, int(getattr(settings, "XIETONG_NOTICE_MIN_WORKING_DAYS", 5)))


def earliest_notice_end(starts_on: dt.date) -> dt.date:
    """The first day a public notice starting on ``starts_on`` may end."""
    return workdays.last_of(starts_on, notice_min_days())


def check_notice_dates(starts_on: dt.date, ends_on: dt.date) -> None:
    """A public notice starts today or later and lasts its minimum (see check_notice)."""
    today = timezone.localdate()
    if starts_on < today:
        raise invalid(
            "notice_starts_on",
            _(
                "The public notice cannot start before today (%(today)s): it is published "
                "when the school recommends and cannot be back-dated."
            )
            % {"today": today.isoformat()},
        )
    if ends_on < starts_on:
        raise invalid("notice_ends_on", _("The public notice cannot end before it starts."))
    n = notice_min_days()
    days = workdays.count(starts_on, ends_on)
    if days < n:
        raise invalid(
            "notice_ends_on",
            _(
                "The public notice lasts at least %(n)d working days: from %(start)s it ends "
                "on %(end)s at the earliest (these dates give %(days)d)."
            )
            % {
                "n": n,
                "start": starts_on.isoformat(),
                "end": earliest_notice_end(starts_on).isoformat(),
                "days": days,
            },
        )


def check_notice(app: Application, starts_on: dt.date, ends_on: dt.date) -> None:
    """The public notice (公示) is published with the recommendation and runs its minimum.

    It starts no earlier than today (the day of the recommendation: a notice cannot be
    back-dated) nor before the application was submitted, and lasts at least
    :func:`notice_min_days` working days.
    """
    check_notice_dates(starts_on, ends_on)
    if app.submitted_at is not None:
        submitted = timezone.localdate(app.submitted_at)
        if starts_on < submitted:
            raise invalid(
                "notice_starts_on",
                _("The public notice cannot start before the application was submitted (%(date)s).")
                % {"date": submitted.isoformat()},
            )


def _comment(value: str | None) -> str:
    text = (value or "").strip()
    if len(text) > COMMENT_MAX:
        raise invalid("comment", _("The comment is at most %(n)d characters.") % {"n": COMMENT_MAX})
    return text


COMMENT_MAX = 500


@transaction.atomic
def recommend_application(
    actor: Actor,
    app_id: int,
    *,
    notice_starts_on: dt.date,
    notice_ends_on: dt.date,
    score: float | None = None,
    comment: str = "",
) -> Application:
    """The home institution recommends; the public notice (公示) runs over the given dates."""
    app = load(Application, app_id, lock=True, related=RELATED)
    access.require(actor, "recommend", app)
    check_notice(app, notice_starts_on, notice_ends_on)
    if score is not None and not (0 <= score <= 1000):
        raise invalid("score", _("The score must be between 0 and 1000."))
    app.notice_starts_on, app.notice_ends_on = notice_starts_on, notice_ends_on
    app.score = score
    app.recommend_comment = _comment(comment)
    return transition(
        actor,
        "recommend",
        app,
        fields=["notice_starts_on", "notice_ends_on", "score", "recommend_comment"],
        notify=Notify(
            [app.applicant.user_id, *authority_admin_users(app.home)],
            "exchanges.application_recommended",
            target=app,
            params={
                "home": app.home.name,
                "name": app.applicant.name,
                "program": app.program.title,
            },
        ),
        detail={
            "notice": [str(notice_starts_on), str(notice_ends_on)],
            **({"comment": app.recommend_comment} if app.recommend_comment else {}),
        },
    )


@transaction.atomic
def approve_application(actor: Actor, app_id: int, *, comment: str = "") -> Application:
    app = load(Application, app_id, lock=True, related=RELATED)
    access.require(actor, "approve", app)
    app.approve_comment = _comment(comment)
    _check_quota(app.program_id)
    return transition(
        actor,
        "approve",
        app,
        fields=["approve_comment"],
        notify=Notify(
            [app.applicant.user_id],
            "exchanges.application_approved",
            target=app,
            params={"program": app.program.title},
        ),
        detail={"comment": app.approve_comment} if app.approve_comment else None,
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
    return "reject" in access.actions(actor, app)


@transaction.atomic
def reject_application(actor: Actor, app_id: int, reason: str) -> Application:
    app = load(Application, app_id, lock=True, related=RELATED)
    access.require(actor, "reject", app)
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", _("Give the reason for the rejection."))
    if app.status == AppStatus.MATCHED and app.matched_slot_id:
        release_place(app.matched_slot_id)
    app.reject_reason = reason[:500]
    return transition(
        actor,
        "reject",
        app,
        fields=["reject_reason"],
        notify=Notify(
            [app.applicant.user_id],
            "exchanges.application_rejected",
            target=app,
            params={"program": app.program.title, "reason": app.reject_reason},
        ),
        detail={"reason": reason, "at": app.status},
    )


@transaction.atomic
def withdraw_application(actor: Actor, app_id: int) -> Application:
    app = load(Application, app_id, lock=True, related=RELATED)
    access.require(actor, "withdraw", app)
    if app.status == AppStatus.MATCHED and app.matched_slot_id:
        release_place(app.matched_slot_id)
    return transition(
        actor,
        "withdraw",
        app,
        notify=Notify(
            [app.applicant.user_id, *institution_admin_users(app.home)],
            "exchanges.application_withdrawn",
            target=app,
            params={"name": app.applicant.name, "program": app.program.title},
        ),
    )


# --- matched (directly), confirmed ------------------------------------------------------------


@transaction.atomic
def assign_place(actor: Actor, app_id: int, slot_id: int) -> Application:
    """A program manager places an approved applicant directly (programs run without a run)."""
    app = load(Application, app_id, lock=True, related=RELATED)
    access.require(actor, "assign", app)
    slot = load(OfferSlot, slot_id, related=["offer", "offer__host"])
    if slot.offer.program_id != app.program_id:
        raise invalid("slot", _("This slot is not part of the application's program."))
    if not take_place(slot.pk):
        raise Conflict(_("All places of this slot are taken."))
    app.matched_slot = slot
    app.matched_rank = (
        app.choices.filter(offer_id=slot.offer_id).values_list("rank", flat=True).first()
    )
    return transition(
        actor,
        "assign",
        app,
        fields=["matched_slot", "matched_rank"],
        notify=Notify(
            [app.applicant.user_id],
            "exchanges.application_placed",
            target=app,
            params={"host": slot.offer.host.name},
        ),
    )


@transaction.atomic
def confirm_application(
    actor: Actor, app_id: int, *, starts_on: dt.date | None = None, ends_on: dt.date | None = None
) -> Placement:
    """The applicant accepts the match: a placement is created; the home post is kept."""
    app = load(Application, app_id, lock=True, related=RELATED)
    access.require(actor, "confirm", app)
    if app.matched_slot_id is None:
        raise Conflict(_("This application has no matched place to confirm."))
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
    transition(
        actor,
        "confirm",
        app,
        notify=Notify(
            [
                app.applicant.user_id,
                *institution_admin_users(slot.offer.host),
                *authority_admin_users(slot.offer.host),
            ],
            "exchanges.application_confirmed",
            target=app,
            params={
                "name": app.applicant.name,
                "host": slot.offer.host.name,
                "start": str(starts_on),
            },
        ),
    )
    audit.record(actor, "exchanges.placement.create", target=placement)
    return placement
