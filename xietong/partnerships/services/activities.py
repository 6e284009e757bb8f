"""Writes of activities: log one (with its evidence files), change it, delete it.

An activity is logged by an admin of a member of an active partnership, for that member
(``logged_for``); the admin of that member or the partnership's managers change or delete
it later. Every refusal names the field at fault and leaves nothing written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong import access
from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.attachments import services as attachments
from xietong.attachments import validation
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.institutions.models import Staff
from xietong.partnerships.access import member_admin_of
from xietong.partnerships.activity_access import EVIDENCE_TYPES
from xietong.partnerships.choices import ActivityKind, PartnershipStatus
from xietong.partnerships.models import Activity, Member, Partnership
from xietong.partnerships.services.partnerships import _load

MAX_TEACHERS = 10_000
MAX_STUDENTS = 100_000
MAX_HOURS = Decimal(24)
MAX_EVIDENCE = 10


@dataclass(frozen=True)
class ActivityIn:
    kind: str
    title: str
    occurred_on: dt.date | str | None
    location: str = ""
    hours: Decimal | str | float | None = None
    teachers: int | str | None = 0
    students: int | str | None = 0
    summary: str = ""
    institutions: Sequence[int] = field(default_factory=tuple)
    people: Sequence[int] = field(default_factory=tuple)
    member: int | None = None  # the party it is logged for (when the admin acts for several)


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def raise_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise InvalidInput(first, fields=self.fields)


def _date(value: Any, errors: _Errors) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors.add("occurred_on", _("Enter the date as YYYY-MM-DD, such as 2024-10-15."))
        return None


def _count(value: Any, name: str, limit: int, errors: _Errors) -> int:
    if value in (None, ""):
        return 0
    try:
        n = int(str(value))
    except ValueError:
        n = -1
    if not 0 <= n <= limit:
        errors.add(name, _("Enter a whole number from 0 to %(limit)s.") % {"limit": f"{limit:,}"})
        return 0
    return n


def _hours(value: Any, errors: _Errors) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        h = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        errors.add("hours", _("Enter the hours as a number, such as 3.5."))
        return None
    if not Decimal(0) <= h <= MAX_HOURS:
        errors.add("hours", _("An activity of one day lasts from 0 to 24 hours."))
        return None
    return h


def _validated(p: Partnership, data: ActivityIn) -> dict[str, Any]:
    """The activity's fields checked against the partnership, or InvalidInput."""
    errors = _Errors()
    if data.kind not in ActivityKind.values:
        errors.add("kind", _("Choose the kind of activity from the list."))
    title = (data.title or "").strip()
    if not title:
        errors.add("title", _("Give the activity a title."))
    elif len(title) > 150:
        errors.add("title", _("The title is at most 150 characters."))
    location = (data.location or "").strip()
    if len(location) > 150:
        errors.add("location", _("The location is at most 150 characters."))
    summary = (data.summary or "").strip()
    if len(summary) > 4000:
        errors.add("summary", _("The summary is at most 4,000 characters."))
    day = _date(data.occurred_on, errors)
    if day is not None:
        today = timezone.localdate()
        if day > today:
            errors.add("occurred_on", _("An activity is logged once it has happened."))
        elif day < p.starts_on or (p.ends_on is not None and day > p.ends_on):
            errors.add(
                "occurred_on",
                _("The date is outside the partnership's period (%(start)s – %(end)s).")
                % {"start": p.starts_on.isoformat(), "end": p.ends_on or "…"},
            )
    teachers = _count(data.teachers, "teachers", MAX_TEACHERS, errors)
    students = _count(data.students, "students", MAX_STUDENTS, errors)
    hours = _hours(data.hours, errors)
    try:
        inst_ids = sorted({int(i) for i in data.institutions or ()})
    except (TypeError, ValueError):
        inst_ids = []
        errors.add("institutions", _("Choose the participating institutions from the list."))
    try:
        people_ids = sorted({int(i) for i in data.people or ()})
    except (TypeError, ValueError):
        people_ids = []
        errors.add("people", _("Choose the people from the list."))
    members = {m.institution_id: m for m in p.members.select_related("institution")}
    if not inst_ids:
        errors.add("institutions", _("Name at least one participating institution."))
    outsiders = [i for i in inst_ids if i not in members]
    if outsiders:
        errors.add(
            "institutions",
            _("Only members of this partnership take part in its activities."),
        )
    if day is not None:
        for i in inst_ids:
            m = members.get(i)
            if m is not None and (m.joined_on > day or (m.left_on and m.left_on < day)):
                errors.add(
                    "institutions",
                    _("%(name)s was not a member on %(date)s.")
                    % {"name": m.institution.name, "date": day.isoformat()},
                )
    people = list(Staff.objects.filter(pk__in=people_ids).only("pk", "name", "institution_id"))
    if len(people) != len(people_ids):
        errors.add("people", _("Choose the people from the list."))
    strangers = [s.name for s in people if s.institution_id not in inst_ids]
    if strangers:
        errors.add(
            "people",
            _("%(names)s is not on the staff of a participating institution.")
            % {"names": "、".join(strangers)},
        )
    if people and teachers < len(people):
        errors.add(
            "teachers",
            _("At least %(n)s teachers took part: the people named.") % {"n": len(people)},
        )
    errors.raise_any()
    return {
        "kind": data.kind,
        "title": title,
        "occurred_on": day,
        "location": location,
        "summary": summary,
        "teachers": teachers,
        "students": students,
        "hours": hours,
        "institutions": inst_ids,
        "people": [s.pk for s in people],
    }


def _logged_for(actor: Actor, p: Partnership, member: int | None) -> Member:
    parties = member_admin_of(actor, p)
    if not parties:
        raise PermissionDenied(
            _("Only an administrator of a member institution logs its activities.")
        )
    if p.status != PartnershipStatus.ACTIVE:
        raise Conflict(_("Activities are logged while the partnership is active."))
    if member is None:
        return parties[0]
    for m in parties:
        if m.pk == member:
            return m
    raise InvalidInput(fields={"member": [_("You do not act for this member.")]})


def check_evidence(files: Sequence[Any]) -> None:
    """Refuse evidence files before anything is written (each checked as it will be stored)."""
    if len(files) > MAX_EVIDENCE:
        raise InvalidInput(
            fields={"file": [_("Attach at most %(n)s files at once.") % {"n": MAX_EVIDENCE}]}
        )
    for f in files:
        validation.check(f, types=EVIDENCE_TYPES)


def may_log(actor: Actor, p: Partnership) -> bool:
    return p.status == PartnershipStatus.ACTIVE and bool(member_admin_of(actor, p))


def log_activity(
    actor: Actor, partnership_id: int, data: ActivityIn, evidence: Sequence[Any] = ()
) -> Activity:
    """Log an activity for the actor's member, with evidence files (photos, PDF)."""
    check_evidence(evidence)
    with transaction.atomic():
        p = _load(actor, partnership_id, lock=True)
        member = _logged_for(actor, p, data.member)
        values = _validated(p, data)
        inst_ids, people_ids = values.pop("institutions"), values.pop("people")
        a = Activity.objects.create(
            partnership=p, logged_by_id=actor.user_id, logged_for=member, **values
        )
        a.institutions.set(inst_ids)
        a.people.set(people_ids)
        audit.record(
            actor,
            "partnerships.activity.log",
            target=a,
            after={**audit.snapshot(a), "institutions": inst_ids, "people": people_ids},
        )
        for f in evidence:
            attachments.attach(actor, a, f, kind="evidence")
    return a


def _activity(actor: Actor, pk: int) -> Activity:
    a = (
        Activity.objects.filter(access.read_q(actor, Activity), pk=pk)
        .select_related("partnership", "logged_for")
        .select_for_update(of=("self",))
        .first()
    )
    if a is None:
        raise NotFound()
    return a


def update_activity(actor: Actor, pk: int, data: ActivityIn) -> Activity:
    with transaction.atomic():
        a = _activity(actor, pk)
        access.require(actor, "edit", a)
        before = {
            **audit.snapshot(a),
            "institutions": sorted(a.institutions.values_list("pk", flat=True)),
        }
        values = _validated(a.partnership, data)
        inst_ids, people_ids = values.pop("institutions"), values.pop("people")
        for k, v in values.items():
            setattr(a, k, v)
        a.save()
        a.institutions.set(inst_ids)
        a.people.set(people_ids)
        audit.record(
            actor,
            "partnerships.activity.update",
            target=a,
            before=before,
            after={**audit.snapshot(a), "institutions": inst_ids},
        )
    return a


def delete_activity(actor: Actor, pk: int) -> None:
    with transaction.atomic():
        a = _activity(actor, pk)
        access.require(actor, "delete", a)
        audit.record(actor, "partnerships.activity.delete", target=a, before=audit.snapshot(a))
        from django.contrib.contenttypes.models import ContentType

        from xietong.attachments.models import Attachment

        names = list(
            Attachment.objects.filter(
                owner_type=ContentType.objects.get_for_model(Activity), owner_id=a.pk
            ).values_list("pk", flat=True)
        )
        for att in names:
            attachments.remove(actor, att)
        a.delete()
