"""Writes to programs and host offers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong import access
from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.core.codes import STAGES, SUBJECTS, TITLES, CodeTable, packed, single
from xietong.core.delimited import pack
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied
from xietong.core.terms import SchoolTerm, TermError, parse_school_year
from xietong.exchanges.access import area_q
from xietong.exchanges.choices import (
    PROGRAM_STATUS_MOVES,
    ProgramKind,
    ProgramStatus,
    Side,
)
from xietong.exchanges.models import HostOffer, OfferSlot, Program, ProgramArea
from xietong.exchanges.services.common import full_clean, invalid, load
from xietong.institutions.choices import Kind, Position
from xietong.institutions.models import Institution, Staff
from xietong.regions.models import Region, RegionGroup

PROGRAM_FIELDS = {
    "kind",
    "organiser",
    "region",
    "title",
    "school_term",
    "school_year",
    "term",
    "starts_on",
    "ends_on",
    "duration_weeks",
    "elig_stages",
    "elig_subjects",
    "elig_titles",
    "elig_positions",
    "min_years",
    "min_age",
    "max_age",
    "max_choices",
    "opens_at",
    "closes_at",
    "quota",
    "sending_areas",
    "sending_institutions",
    "host_areas",
    "host_institutions",
}
CODE_LISTS: dict[str, CodeTable | set[str]] = {
    "elig_stages": STAGES,
    "elig_titles": TITLES,
    "elig_positions": set(Position.values),
    "elig_subjects": SUBJECTS,
}
REQUIRED: tuple[str, ...] = ("kind", "organiser", "region", "title")
REQUIRED += ("starts_on", "ends_on", "opens_at", "closes_at")
TERM_KEYS = ("school_term", "school_year", "term")
EDITABLE_STATUSES = {ProgramStatus.DRAFT, ProgramStatus.OPEN, ProgramStatus.CLOSED}

MAX_CAPACITY = 1000  # places in one slot: the same bound on creating and on changing it


def _deny_manage() -> PermissionDenied:
    return PermissionDenied(
        _("Only an authority administrator over the program's region manages this program.")
    )


def require_manager(actor: Actor, program: Program, verb: str = "set_status") -> None:
    access.require(actor, verb, program)


def _codes(value: Any, table: CodeTable | set[str], field: str) -> str:
    if isinstance(table, CodeTable):
        return packed(table, value, field)
    values = [v.strip() for v in (value or []) if isinstance(v, str) and v.strip()]
    bad = [v for v in values if v not in table]
    if bad:
        raise invalid(field, _("Unknown codes: %(codes)s") % {"codes": ", ".join(bad)})
    return pack(values)


def school_term_of(data: Mapping[str, Any]) -> SchoolTerm | None:
    """The term given as ``school_term`` (any spelling) or as ``school_year`` + ``term``.

    None when neither is given; InvalidInput on the field that does not parse.
    """
    pair = any(data.get(k) not in (None, "") for k in ("school_year", "term"))
    if data.get("school_term") not in (None, ""):
        if pair:
            raise invalid(
                "school_term", _("Give the term once: as school_term, or as school_year and term.")
            )
        try:
            return SchoolTerm.parse(data["school_term"])
        except TermError as e:
            raise invalid("school_term", str(e.message)) from e
    if not pair:
        return None
    errors: dict[str, list[str]] = {}
    year: int | None = None
    for key in ("school_year", "term"):
        if data.get(key) in (None, ""):
            errors[key] = [_("This field is required.")]
    if "school_year" not in errors:
        try:
            year = parse_school_year(data["school_year"])
        except TermError as e:
            errors["school_year"] = [str(e.message)]
    if "term" not in errors:
        try:
            term = SchoolTerm.parse((year if year is not None else 2000, data["term"]))
        except TermError as e:
            errors["term"] = [str(e.message)]
        else:
            if not errors:
                return term
    raise InvalidInput(fields=errors)


def _set_term(program: Program, term: SchoolTerm) -> None:
    program.school_year, program.term = term.year_label, term.term


def _apply(program: Program, data: Mapping[str, Any]) -> dict[str, list[Any]]:
    unknown = sorted(set(data) - PROGRAM_FIELDS)
    if unknown:
        raise InvalidInput(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)},
            fields={k: [_("This field is not known.")] for k in unknown},
        )
    term_errors: dict[str, list[str]] = {}
    try:
        term = school_term_of(data)
    except InvalidInput as e:
        term_errors = dict(e.fields)
    else:
        if term is not None:
            _set_term(program, term)
    areas: dict[str, list[Any]] = {}
    for key, value in data.items():
        if key in TERM_KEYS:
            continue
        if key in CODE_LISTS:
            setattr(program, key, _codes(value, CODE_LISTS[key], key))
        elif key == "organiser":
            org = Institution.objects.filter(pk=value).select_related("region").first()
            if org is None or org.kind != Kind.AUTHORITY:
                raise invalid(key, _("The organiser must be an education authority."))
            program.organiser = org
        elif key == "region":
            region = Region.objects.filter(code=str(value)).first()
            if region is None:
                raise invalid(key, _("Unknown region code: %(code)s") % {"code": value})
            program.region = region
        elif key.endswith(("_areas", "_institutions")):
            areas[key] = list(value or [])
        else:
            setattr(program, key, value.strip() if isinstance(value, str) else value)
    _validate(program, term_errors)
    return areas


def _validate(p: Program, errors: dict[str, list[str]] | None = None) -> None:
    errors = dict(errors or {})
    if p.kind not in ProgramKind.values:
        errors["kind"] = [_("Unknown program kind.")]
    if not errors and (not p.school_year or p.term is None):
        errors["school_term"] = [_("This field is required.")]
    if p.starts_on and p.ends_on and p.ends_on < p.starts_on:
        errors["ends_on"] = [_("The program cannot end before it starts.")]
    if p.opens_at and p.closes_at and p.closes_at <= p.opens_at:
        errors["closes_at"] = [_("Applications must close after they open.")]
    # Applications are taken before the program: they are reviewed, publicly noticed and
    # matched before its first day.
    if (
        isinstance(p.starts_on, dt.date)
        and p.opens_at
        and timezone.localdate(p.opens_at) >= p.starts_on
    ):
        errors["opens_at"] = [
            _("Applications must open before the program starts (%(date)s).")
            % {"date": p.starts_on.isoformat()}
        ]
    if not errors and isinstance(p.starts_on, dt.date):
        term = p.school_term
        last_day = term.next().starts_on - dt.timedelta(days=1)
        if not term.starts_on <= p.starts_on <= last_day:
            errors["starts_on"] = [
                _(
                    "A program of %(term)s starts between %(first)s and %(last)s; "
                    "choose a start in that term or the term the start falls in."
                )
                % {
                    "term": term.label(),
                    "first": term.starts_on.isoformat(),
                    "last": last_day.isoformat(),
                }
            ]
    if p.max_choices is not None and p.max_choices < 1:
        errors["max_choices"] = [_("Allow at least one choice.")]
    if p.min_age is not None and p.max_age is not None and p.max_age < p.min_age:
        errors["max_age"] = [_("The maximum age is below the minimum age.")]
    if errors:
        raise InvalidInput(fields=errors)
    full_clean(p, exclude=["organiser", "region", "repeated_from", "created_by"])


def _set_areas(program: Program, areas: dict[str, list[Any]]) -> None:
    for side in (Side.SENDING, Side.HOST):
        codes_key, ids_key = f"{side}_areas", f"{side}_institutions"
        if codes_key not in areas and ids_key not in areas:
            continue
        ProgramArea.objects.filter(program=program, side=side).delete()
        rows: list[ProgramArea] = []
        for code in areas.get(codes_key, []):
            code = str(code).strip()
            if code.isdigit():
                region = Region.objects.filter(code=code).first()
                if region is None:
                    raise invalid(codes_key, _("Unknown region code: %(code)s") % {"code": code})
                rows.append(ProgramArea(program=program, side=side, region=region))
            else:
                group = RegionGroup.objects.filter(key=code).first()
                if group is None:
                    raise invalid(
                        codes_key, _("Unknown region or region group: %(code)s") % {"code": code}
                    )
                rows.append(ProgramArea(program=program, side=side, group=group))
        ids = list(areas.get(ids_key, []))
        found = set(Institution.objects.filter(pk__in=ids).values_list("pk", flat=True))
        missing = [str(i) for i in ids if i not in found]
        if missing:
            raise invalid(ids_key, _("No institution with id %(id)s.") % {"id": ", ".join(missing)})
        rows += [ProgramArea(program=program, side=side, institution_id=i) for i in ids]
        ProgramArea.objects.bulk_create(rows)


def _require_region_power(actor: Actor, program: Program) -> None:
    """The owning region and the organising authority must both lie in the actor's region:
    either alone would let a county create programs in another province's name."""
    ok = "organise" in access.actions(actor, program.region) and "organise" in access.actions(
        actor, program.organiser
    )
    if not ok:
        raise _deny_manage()


@transaction.atomic
def create_program(actor: Actor, data: Mapping[str, Any]) -> Program:
    if not access.can(actor, "exchanges.create_program"):
        raise _deny_manage()
    missing = [k for k in REQUIRED if data.get(k) in (None, "")]
    if all(data.get(k) in (None, "") for k in TERM_KEYS):
        missing.append("school_term")
    if missing:
        raise InvalidInput(fields={k: [_("This field is required.")] for k in missing})
    program = Program(created_by_id=actor.user_id)
    areas = _apply(program, data)
    _require_region_power(actor, program)
    program.save()
    _set_areas(program, areas)
    audit.record(actor, "exchanges.program.create", target=program, after=audit.snapshot(program))
    return program


@transaction.atomic
def update_program(actor: Actor, program_id: int, data: Mapping[str, Any]) -> Program:
    program = load(Program, program_id, lock=True)
    require_manager(actor, program, "edit")
    before = audit.snapshot(program)
    areas = _apply(program, data)
    _require_region_power(actor, program)
    program.save()
    _set_areas(program, areas)
    audit.record(
        actor,
        "exchanges.program.update",
        target=program,
        before=before,
        after=audit.snapshot(program),
    )
    return program


@transaction.atomic
def set_program_status(actor: Actor, program_id: int, status: str) -> Program:
    program = load(Program, program_id, lock=True)
    require_manager(actor, program)
    if status not in PROGRAM_STATUS_MOVES.get(program.status, set()):
        raise Conflict(
            _("A program in status “%(old)s” cannot move to “%(new)s”.")
            % {"old": program.get_status_display(), "new": status}
        )
    old = program.status
    program.status = status
    program.save(update_fields=["status", "updated_at"])
    audit.record(
        actor,
        "exchanges.program.status",
        target=program,
        before={"status": old},
        after={"status": status},
    )
    return program


@transaction.atomic
def repeat_program(
    actor: Actor,
    program_id: int,
    next_term: Mapping[str, Any] | None = None,
    *,
    with_offers: bool = True,
) -> Program:
    """Copy a program to a later term (the every-semester pattern of 容东 and others).

    The term is the next one unless ``school_term`` (or ``school_year`` + ``term``) is given;
    areas and eligibility are copied; dates move by ``shift_days``, or to the given
    ``starts_on``, or else by as much as the new term starts after the old one (in whole
    weeks); with
    ``with_offers`` the host offers are copied with empty slots.
    """
    src = load(Program, program_id)
    require_manager(actor, src, "repeat")
    nt = dict(next_term or {})
    term = school_term_of(nt) or src.school_term.next()
    for key in TERM_KEYS:
        nt.pop(key, None)
    if "starts_on" in nt:
        delta = nt.pop("starts_on") - src.starts_on
    elif "shift_days" in nt:
        delta = dt.timedelta(days=int(nt.pop("shift_days")))
    else:
        # Whole weeks, rounded up: a program that started on a Monday starts on a Monday.
        days = (term.starts_on - src.school_term.starts_on).days
        delta = dt.timedelta(weeks=-(-days // 7))
    if Program.objects.filter(repeated_from=src, term_key=term.key).exists():
        raise Conflict(_("This program was already repeated for that term."))
    copy = Program.objects.get(pk=src.pk)
    copy.pk = None
    _set_term(copy, term)
    copy.starts_on += delta
    copy.ends_on += delta
    copy.opens_at += delta
    copy.closes_at += delta
    copy.status = ProgramStatus.DRAFT
    copy.repeated_from = src
    copy.created_by_id = actor.user_id
    if nt:
        _apply(copy, nt)
    _validate(copy)
    copy.save()
    ProgramArea.objects.bulk_create(
        [
            ProgramArea(
                program=copy,
                side=a.side,
                region_id=a.region_id,
                group_id=a.group_id,
                institution_id=a.institution_id,
            )
            for a in src.areas.all()
        ]
    )
    if with_offers:
        for offer in src.offers.prefetch_related("slots"):
            new = HostOffer.objects.create(
                program=copy,
                host_id=offer.host_id,
                mentor_id=offer.mentor_id,
                requirements=offer.requirements,
            )
            OfferSlot.objects.bulk_create(
                [
                    OfferSlot(offer=new, stage=s.stage, subject=s.subject, capacity=s.capacity)
                    for s in offer.slots.all()
                ]
            )
    audit.record(
        actor,
        "exchanges.program.repeat",
        target=copy,
        detail={"from": src.pk, "school_term": term.code},
    )
    return copy


# --- host offers -------------------------------------------------------------------------


def _slots(data: Any) -> list[OfferSlot]:
    slots: list[OfferSlot] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(data or []):
        field = f"slots.{i}"
        if not isinstance(item, Mapping):
            raise invalid(field, _("Give each slot as a stage, a subject and a capacity."))
        stage = single(STAGES, item.get("stage"), field)
        subject = single(SUBJECTS, item.get("subject"), field)
        capacity = item.get("capacity")
        if not stage:
            raise invalid(field, _("Give exactly one stage."))
        if not subject:
            raise invalid(field, _("Give exactly one subject."))
        if not isinstance(capacity, int) or capacity < 0 or capacity > MAX_CAPACITY:
            raise invalid(field, _("The capacity is a whole number from 0 to 1000."))
        if (stage, subject) in seen:
            raise invalid(field, _("The same stage and subject are listed twice."))
        seen.add((stage, subject))
        slots.append(OfferSlot(stage=stage, subject=subject, capacity=capacity))
    if not slots:
        raise invalid("slots", _("Offer at least one slot."))
    return slots


@transaction.atomic
def create_offer(
    actor: Actor,
    program_id: int,
    *,
    host: int,
    slots: Sequence[Mapping[str, Any]],
    mentor: int | None = None,
    requirements: str = "",
) -> HostOffer:
    program = load(Program, program_id, lock=True)
    access.require(actor, "offer", program)
    inst = load(Institution, host)
    if "host" not in access.actions(actor, inst):
        raise PermissionDenied(
            _("Only the host's administrator or an authority over it may offer places there.")
        )
    if not Institution.objects.filter(area_q(program, Side.HOST), pk=inst.pk).exists():
        raise invalid("host", _("%(name)s is outside the program's host scope.") % {"name": inst})
    mentor_obj = None
    if mentor is not None:
        mentor_obj = Staff.objects.filter(pk=mentor, institution=inst).first()
        if mentor_obj is None:
            raise invalid("mentor", _("The mentor must be a staff member of the host."))
    rows = _slots(slots)
    offer = HostOffer.objects.create(
        program=program, host=inst, mentor=mentor_obj, requirements=requirements.strip()
    )
    for row in rows:
        row.offer = offer
    OfferSlot.objects.bulk_create(rows)
    audit.record(
        actor,
        "exchanges.offer.create",
        target=offer,
        after={
            "program": program.pk,
            "host": inst.pk,
            "mentor": mentor,
            "slots": [[r.stage, r.subject, r.capacity] for r in rows],
        },
    )
    return offer


@transaction.atomic
def update_offer(
    actor: Actor,
    offer_id: int,
    *,
    mentor: int | None = None,
    requirements: str | None = None,
    capacities: Mapping[int, int] | None = None,
) -> HostOffer:
    """Change the mentor, requirements or slot capacities (never below the places taken)."""
    offer = load(HostOffer, offer_id, lock=True, related=["program"])
    access.require(actor, "edit", offer)
    if mentor is not None:
        if not Staff.objects.filter(pk=mentor, institution_id=offer.host_id).exists():
            raise invalid("mentor", _("The mentor must be a staff member of the host."))
        offer.mentor_id = mentor
    if requirements is not None:
        offer.requirements = requirements.strip()
    offer.save()
    for slot_id, capacity in (capacities or {}).items():
        slot = OfferSlot.objects.select_for_update().filter(pk=slot_id, offer=offer).first()
        if slot is None:
            raise invalid("capacities", _("No slot %(id)s in this offer.") % {"id": slot_id})
        if not isinstance(capacity, int) or capacity < 0 or capacity > MAX_CAPACITY:
            raise invalid("capacities", _("The capacity is a whole number from 0 to 1000."))
        if capacity < slot.taken:
            raise invalid(
                "capacities",
                _("%(n)d places of this slot are already taken.") % {"n": slot.taken},
            )
        slot.capacity = capacity
        slot.save(update_fields=["capacity"])
    audit.record(actor, "exchanges.offer.update", target=offer, after=audit.snapshot(offer))
    return offer


@transaction.atomic
def delete_offer(actor: Actor, offer_id: int) -> None:
    offer = load(HostOffer, offer_id, lock=True)
    access.require(actor, "delete", offer)
    if offer.choices.exists():
        raise Conflict(_("Applicants have chosen this offer; it cannot be removed."))
    audit.record(actor, "exchanges.offer.delete", target=offer)
    offer.delete()
