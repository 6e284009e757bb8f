"""Programs: keep them (with their sessions), open, close, cancel, share places by region."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong import access
from xietong.access import reach as r
from xietong.access.actor import Actor
from xietong.access.transitions import transition
from xietong.accounts import audit
from xietong.core.codes import STAGES, SUBJECTS, TITLES, packed
from xietong.core.delimited import pack, unpack
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied
from xietong.core.numbers import whole_number
from xietong.institutions.choices import Position
from xietong.institutions.models import Institution
from xietong.regions.models import Region, RegionGroup
from xietong.training.choices import CreditType, Mode
from xietong.training.models import Program, ProgramRegion, Quota, Session
from xietong.training.services.common import hours, invalid, load

MAX_TITLE = 200
MAX_TEXT = 4000


@dataclass
class ProgramIn:
    """A program as a form, the API or the demo gives it (codes or names in the lists)."""

    title: str = ""
    description: str = ""
    stages: Any = ""
    subjects: Any = ""
    positions: Any = ""
    titles: Any = ""
    regions: list[str] = field(default_factory=list)  # region codes
    region_groups: list[str] = field(default_factory=list)  # region group keys
    eligibility: str = ""
    hours: Any = None
    credit_type: str = CreditType.CENTRALISED
    capacity: Any = None
    mode: str = Mode.OFFLINE
    fee_yuan: Any = 0
    applications_open: Any = None
    applications_close: Any = None
    min_attendance: Any = 80
    assessed: bool = False
    provider_id: int | None = None


def _date(value: Any, field_name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise invalid(field_name, _("Give the date as YYYY-MM-DD.")) from None


def _positions(value: Any) -> str:
    items = value if isinstance(value, list | tuple) else str(value or "").replace("、", ",")
    if isinstance(items, str):
        items = [i for i in items.split(",") if i.strip()]
    by_name = {str(label): code for code, label in Position.choices}
    out: list[str] = []
    for item in items:
        text = str(item).strip()
        code = text if text in Position.values else by_name.get(text)
        if code is None:
            raise invalid("positions", _("Unknown position: %(name)s.") % {"name": text})
        out.append(code)
    return pack(out)


def _fee(value: Any) -> Decimal:
    try:
        fee = Decimal(str(value if value not in (None, "") else 0).strip()).quantize(
            Decimal("0.01")
        )
    except (InvalidOperation, ValueError):
        raise invalid("fee_yuan", _("Give the fee in yuan, such as 0 or 380.")) from None
    if fee < 0 or fee > 100000:
        raise invalid("fee_yuan", _("The fee must be from 0 to 100,000 yuan."))
    return fee


def _clean(data: ProgramIn) -> dict[str, Any]:
    title = str(data.title or "").strip()
    if not title:
        raise invalid("title", _("Give the program a title."))
    if len(title) > MAX_TITLE:
        raise invalid("title", _("Keep the title within %(n)s characters.") % {"n": MAX_TITLE})
    description = str(data.description or "").strip()
    if len(description) > MAX_TEXT:
        raise invalid(
            "description", _("Keep the description within %(n)s characters.") % {"n": MAX_TEXT}
        )
    if str(data.credit_type or "") not in CreditType.values:
        raise invalid("credit_type", _("Choose the kind of credit hours the program gives."))
    if str(data.mode or "") not in Mode.values:
        raise invalid("mode", _("Choose online, in person or blended."))
    opens = _date(data.applications_open, "applications_open")
    closes = _date(data.applications_close, "applications_close")
    if closes < opens:
        raise invalid("applications_close", _("Applications close after they open."))
    return {
        "title": title,
        "description": description,
        "stages": packed(STAGES, data.stages, "stages"),
        "subjects": packed(SUBJECTS, data.subjects, "subjects"),
        "positions": _positions(data.positions),
        "titles": packed(TITLES, data.titles, "titles"),
        "eligibility": str(data.eligibility or "").strip()[:2000],
        "hours": hours(data.hours, "hours"),
        "credit_type": data.credit_type,
        "capacity": whole_number(data.capacity, "capacity", _("The capacity"), 1, 100000),
        "mode": data.mode,
        "fee_yuan": _fee(data.fee_yuan),
        "applications_open": opens,
        "applications_close": closes,
        "min_attendance": whole_number(
            data.min_attendance if data.min_attendance not in (None, "") else 80,
            "min_attendance",
            _("The attendance required"),
            0,
            100,
        ),
        "assessed": bool(data.assessed),
    }


def _targets(data: ProgramIn) -> tuple[list[Region], list[RegionGroup]]:
    codes = [str(c).strip() for c in data.regions or [] if str(c).strip()]
    regions = list(Region.objects.filter(code__in=codes))
    if missing := sorted(set(codes) - {x.code for x in regions}):
        raise invalid("regions", _("Unknown regions: %(codes)s.") % {"codes": ", ".join(missing)})
    keys = [str(k).strip() for k in data.region_groups or [] if str(k).strip()]
    groups = list(RegionGroup.objects.filter(key__in=keys))
    if missing := sorted(set(keys) - {g.key for g in groups}):
        raise invalid(
            "region_groups",
            _("Unknown region groups: %(keys)s.") % {"keys": ", ".join(missing)},
        )
    return regions, groups


def _provider(actor: Actor, provider_id: int | None) -> Institution:
    mine = Institution.objects.filter(r.acts_for()(actor, ""))
    found = (
        mine.filter(pk=provider_id).first()
        if provider_id is not None
        else (mine.first() if mine.count() == 1 else None)
    )
    if found is None:
        if provider_id is None and mine.exists():
            raise invalid("provider_id", _("Choose the institution that provides the program."))
        raise PermissionDenied(_("Only the provider's administrators keep its training programs."))
    return found


def _set_targets(program: Program, regions: list[Region], groups: list[RegionGroup]) -> None:
    ProgramRegion.objects.filter(program=program).delete()
    ProgramRegion.objects.bulk_create(ProgramRegion(program=program, region=x) for x in regions)
    program.region_groups.set(groups)


def _summary(p: Program) -> dict[str, Any]:
    return {
        "title": p.title,
        "hours": str(p.hours),
        "capacity": p.capacity,
        "window": [p.applications_open.isoformat(), p.applications_close.isoformat()],
    }


def create_program(actor: Actor, data: ProgramIn) -> Program:
    provider = _provider(actor, data.provider_id)
    values = _clean(data)
    regions, groups = _targets(data)
    with transaction.atomic():
        program = Program.objects.create(
            provider=provider,
            provider_path=provider.region_path,
            created_by_id=actor.user_id,
            **values,
        )
        _set_targets(program, regions, groups)
        audit.record(actor, "training.program.create", target=program, after=_summary(program))
    return program


def edit_program(actor: Actor, pk: int, data: ProgramIn) -> Program:
    program = load(actor, Program, pk, "provider")
    access.require(actor, "edit", program)
    values = _clean(data)
    regions, groups = _targets(data)
    before = _summary(program)
    with transaction.atomic():
        locked = Program.objects.select_for_update().get(pk=program.pk)
        if values["capacity"] < locked.taken:
            raise invalid(
                "capacity",
                _("%(n)s teachers hold places already: the capacity cannot be less.")
                % {"n": locked.taken},
            )
        quota_total = Quota.objects.filter(program=program).aggregate(n=Sum("places"))["n"] or 0
        if values["capacity"] < quota_total:
            raise invalid(
                "capacity",
                _("The regions' quotas hold %(n)s places: the capacity cannot be less.")
                % {"n": quota_total},
            )
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
        _set_targets(locked, regions, groups)
        audit.record(
            actor, "training.program.edit", target=locked, before=before, after=_summary(locked)
        )
        from xietong.training.services.enrollment import promote_waitlist

        promote_waitlist(actor, locked)
    return locked


def open_program(actor: Actor, pk: int) -> Program:
    program = load(actor, Program, pk, "provider")
    access.require(actor, "open", program)
    if not program.sessions.exists():
        raise InvalidInput(_("Add the program's sessions before opening it."))
    with transaction.atomic():
        return transition(actor, "open", program)


def close_program(actor: Actor, pk: int) -> Program:
    program = load(actor, Program, pk, "provider")
    with transaction.atomic():
        return transition(actor, "close", program)


def cancel_program(actor: Actor, pk: int, reason: str) -> Program:
    program = load(actor, Program, pk, "provider")
    access.require(actor, "cancel", program)
    text = str(reason or "").strip()
    if not text:
        raise invalid("reason", _("Say why the program is cancelled."))
    from xietong.training.services.enrollment import enrolled_user_ids

    with transaction.atomic():
        program.cancel_reason = text[:2000]
        from xietong.access.transitions import Notify

        return transition(
            actor,
            "cancel",
            program,
            fields=["cancel_reason"],
            detail={"reason": text},
            notify=Notify(
                enrolled_user_ids(program),
                "training.cancelled",
                target=program,
                params={"title": program.title, "reason": text},
            ),
        )


# --- sessions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionIn:
    starts_at: Any = None  # an aware datetime or "YYYY-MM-DD HH:MM" (Asia/Shanghai)
    ends_at: Any = None
    place: str = ""
    link: str = ""
    trainer: str = ""
    topic: str = ""


def _moment(value: Any, field_name: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value or "").strip().replace("T", " "))
        except ValueError:
            raise invalid(field_name, _("Give the time as YYYY-MM-DD HH:MM.")) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _session_values(data: SessionIn, mode: str) -> dict[str, Any]:
    starts = _moment(data.starts_at, "starts_at")
    ends = _moment(data.ends_at, "ends_at")
    if ends <= starts:
        raise invalid("ends_at", _("A session ends after it starts."))
    if ends - starts > dt.timedelta(hours=12):
        raise invalid("ends_at", _("A session lasts at most 12 hours; add one per day."))
    link = str(data.link or "").strip()
    if link and not link.startswith(("https://", "http://")):
        raise invalid("link", _("A link must start with http:// or https://."))
    place = str(data.place or "").strip()
    if mode == Mode.OFFLINE and not place:
        raise invalid("place", _("Say where the session takes place."))
    if mode == Mode.ONLINE and not link:
        raise invalid("link", _("Give the link of the online session."))
    return {
        "starts_at": starts,
        "ends_at": ends,
        "place": place[:200],
        "link": link[:400],
        "trainer": str(data.trainer or "").strip()[:100],
        "topic": str(data.topic or "").strip()[:200],
    }


def add_session(actor: Actor, program_id: int, data: SessionIn) -> Session:
    program = load(actor, Program, program_id, "provider")
    access.require(actor, "edit", program)
    values = _session_values(data, program.mode)
    with transaction.atomic():
        session = Session.objects.create(program=program, **values)
        audit.record(
            actor,
            "training.session.add",
            target=program,
            after={"starts_at": values["starts_at"].isoformat(), "topic": values["topic"]},
        )
    return session


def delete_session(actor: Actor, session_id: int) -> None:
    session = load(actor, Session, session_id, "program")
    access.require(actor, "edit", session.program)
    if session.attendance.exists():
        raise Conflict(_("Attendance is recorded for this session: it can no longer be removed."))
    with transaction.atomic():
        audit.record(
            actor,
            "training.session.delete",
            target=session.program,
            before={"starts_at": session.starts_at.isoformat()},
        )
        session.delete()


# --- quotas -------------------------------------------------------------------------------


def allocate_quota(actor: Actor, program_id: int, region_code: str, places: Any) -> Quota:
    """Reserve ``places`` of the program for one region's teachers (0 removes the quota).

    A program with quotas is enrolled through them only: each teacher takes a place of
    the quota of the region their school lies in. The quotas never add up to more than
    the capacity, and a quota is never set below the places its region has taken.
    """
    program = load(actor, Program, program_id, "provider")
    access.require(actor, "allocate", program)
    region = Region.objects.filter(code=str(region_code or "").strip()).first()
    if region is None:
        raise invalid("region", _("Choose the region the places are for."))
    keeper = "keeper" in access.relations_of(actor, program)
    if not keeper and not any(region.path.startswith(p) for p in actor.admin_region_paths):
        raise PermissionDenied(
            _("An authority shares out places only among the regions it covers.")
        )
    n = whole_number(places, "places", _("The places"), 0, 100000)
    with transaction.atomic():
        locked = Program.objects.select_for_update().get(pk=program.pk)
        quota = Quota.objects.select_for_update().filter(program=locked, region=region).first()
        others = (
            Quota.objects.filter(program=locked)
            .exclude(region=region)
            .aggregate(s=Sum("places"))["s"]
            or 0
        )
        if others + n > locked.capacity:
            raise invalid(
                "places",
                _("Only %(free)s of the program's %(cap)s places are not given to other regions.")
                % {"free": locked.capacity - others, "cap": locked.capacity},
            )
        if quota is not None and n < quota.taken:
            raise invalid(
                "places",
                _("%(n)s teachers of this region hold places already.") % {"n": quota.taken},
            )
        if quota is None:
            if n == 0:
                raise invalid("places", _("Give at least one place."))
            try:
                quota = Quota.objects.create(
                    program=locked,
                    region=region,
                    region_path=region.path,
                    places=n,
                    given_by_id=actor.user_id,
                )
            except IntegrityError:
                raise Conflict(_("The quota was changed meanwhile; try again.")) from None
        elif n == 0:
            quota.delete()
        else:
            quota.places, quota.given_by_id = n, actor.user_id
            quota.save(update_fields=["places", "given_by"])
        audit.record(
            actor,
            "training.quota.set",
            target=locked,
            after={"region": region.code, "places": n},
        )
    return quota


def target_codes(program: Program) -> tuple[list[str], list[str]]:
    """The program's target region codes and region group keys (for forms and the API)."""
    codes = list(program.region_rows.values_list("region__code", flat=True))
    keys = list(program.region_groups.values_list("key", flat=True))
    return codes, keys


def audience_lists(program: Program) -> dict[str, list[str]]:
    return {
        "stages": unpack(program.stages),
        "subjects": unpack(program.subjects),
        "positions": unpack(program.positions),
        "titles": unpack(program.titles),
    }


__all__ = [
    "ProgramIn",
    "SessionIn",
    "add_session",
    "allocate_quota",
    "audience_lists",
    "cancel_program",
    "close_program",
    "create_program",
    "delete_session",
    "edit_program",
    "open_program",
    "target_codes",
]
