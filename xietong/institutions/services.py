"""Every write to institutions, labs and staff.

Each service checks the actor's right through the selectors' ``Q`` rules, validates
with the model's validators, runs in one transaction and records an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from xietong import access
from xietong.accounts import alerts, audit
from xietong.accounts.access import Actor
from xietong.core.codes import HONOURS, STAGES, SUBJECTS, TITLES, packed, single
from xietong.core.delimited import pack
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.institutions import personal_data, staff_checks, tallies
from xietong.institutions.choices import DEFAULT_STAGES
from xietong.institutions.models import Institution, Lab, Staff
from xietong.institutions.selectors import region_write_q
from xietong.institutions.validators import (
    birth_date_from_id,
    gender_from_id,
    normalise_id_number,
    school_code_province,
)
from xietong.regions.models import Region

INSTITUTION_FIELDS = (
    "name",
    "name_en",
    "kind",
    "school_code",
    "stages",
    "ownership",
    "locality",
    "region",
    "address",
    "latitude",
    "longitude",
    "parent",
)
STAFF_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "institution",
    "position",
    "stages",
    "subjects",
    "title",
    "honours",
    "joined_on",
)
LIST_FIELDS = {"stages", "subjects", "honours"}
DUPLICATE_REFUSED = "staff.duplicate_id_refused"
DUPLICATE_WINDOW = dt.timedelta(days=1)


# --- helpers -------------------------------------------------------------------------


def _unknown_fields(data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise InvalidInput(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)},
            fields={k: [_("This field is not known.")] for k in unknown},
        )


def _resolve_region(value: Any) -> Region:
    if isinstance(value, Region):
        return value
    region = Region.objects.filter(code=str(value or "").strip()).first()
    if region is None:
        raise InvalidInput(
            fields={"region": [_("Unknown region code: %(code)s") % {"code": value}]}
        )
    return region


def _resolve_institution(value: Any, field: str) -> Institution | None:
    if value in (None, ""):
        return None
    if isinstance(value, Institution):
        return value
    try:
        inst = Institution.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        inst = None
    if inst is None:
        raise InvalidInput(fields={field: [_("No institution with id %(id)s.") % {"id": value}]})
    return inst


def _full_clean(obj: Any) -> None:
    try:
        obj.full_clean()
    except ValidationError as e:
        raise InvalidInput.from_validation_error(e) from None


def _save(obj: Any) -> None:
    """Save, turning a lost race on a unique index into a clear conflict."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise Conflict(
            _("A record with the same unique values was saved at the same time.")
        ) from None


# --- institutions --------------------------------------------------------------------


def apply_institution(actor: Actor, inst: Institution, data: Mapping[str, Any]) -> None:
    _unknown_fields(data, INSTITUTION_FIELDS)
    for key, value in data.items():
        if key == "region":
            region = _resolve_region(value)
            inst.region = region
            inst.region_path = region.path
        elif key == "parent":
            parent = _resolve_institution(value, "parent")
            if parent is not None and "edit" not in access.actions(actor, parent):
                raise PermissionDenied(
                    _("You may only attach a branch campus to an institution you manage.")
                )
            old = inst.parent if inst.pk and inst.parent_id else None
            # Leaving a parent changes who administers the branch (the parent's admin
            # does): only who manages the parent may undo the tie, not the branch.
            leaving = old is not None and old.pk != getattr(parent, "pk", None)
            if leaving and old is not None and "edit" not in access.actions(actor, old):
                raise PermissionDenied(
                    _("Only who manages %(parent)s may detach its branch campus.")
                    % {"parent": old.name}
                )
            inst.parent = parent
        elif key == "stages":
            inst.stages = packed(STAGES, value, "stages")
        elif key in ("school_code", "latitude", "longitude"):
            setattr(inst, key, value if value not in ("",) else None)
        else:
            setattr(inst, key, value.strip() if isinstance(value, str) else value)
    if "stages" not in data and not inst.stages and inst.kind in DEFAULT_STAGES:
        inst.stages = pack(DEFAULT_STAGES[inst.kind])
    _validate_institution(inst)


def _validate_institution(inst: Institution) -> None:
    errors: dict[str, list[str]] = {}
    try:
        inst.full_clean()
    except ValidationError as e:
        # message_dict keeps "__all__" (a name already used in the region), which
        # InvalidInput.from_validation_error(e).fields would drop.
        errors = {k: list(v) for k, v in e.message_dict.items()}
    if inst.school_code and "school_code" not in errors and inst.region_id:
        province = school_code_province(inst.school_code)
        if province and province != inst.region.province_code:
            errors.setdefault("school_code", []).append(
                _("This identifier belongs to another province than the institution's region.")
            )
    if inst.parent_id and inst.pk:
        ancestor: Institution | None = inst.parent
        while ancestor is not None:
            if ancestor.pk == inst.pk:
                errors.setdefault("parent", []).append(
                    _("An institution cannot be a branch of itself or of its own branch.")
                )
                break
            ancestor = ancestor.parent
    if errors:
        raise InvalidInput(fields=errors)


def require_region_write(actor: Actor, region: Region) -> None:
    if not Region.objects.filter(region_write_q(actor), pk=region.pk).exists():
        raise PermissionDenied(
            _("You may only register institutions in your own region (%(region)s is outside it).")
            % {"region": region.name}
        )


@transaction.atomic
def create_institution(actor: Actor, data: Mapping[str, Any]) -> Institution:
    if "region" not in data:
        raise InvalidInput(fields={"region": [_("This field is required.")]})
    inst = Institution()
    apply_institution(actor, inst, data)
    require_region_write(actor, inst.region)
    _save(inst)
    audit.record(actor, "institution.create", target=inst, after=audit.snapshot(inst))
    return inst


def _writable_institution(actor: Actor, pk: int, verb: str = "edit") -> Institution:
    inst = Institution.objects.select_for_update().filter(pk=pk).first()
    if inst is None:
        raise NotFound()
    access.require(actor, verb, inst)
    return inst


@transaction.atomic
def update_institution(actor: Actor, pk: int, data: Mapping[str, Any]) -> Institution:
    inst = _writable_institution(actor, pk)
    before = audit.snapshot(inst)
    old_region = inst.region_id
    apply_institution(actor, inst, data)
    if inst.region_id != old_region:
        require_region_write(actor, inst.region)
    _save(inst)
    if inst.region_id != old_region:
        tallies.refresh([inst.pk])
    after = audit.snapshot(inst)
    changed = {k for k in after if after[k] != before.get(k)} - {"updated_at"}
    audit.record(
        actor,
        "institution.update",
        target=inst,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return inst


@transaction.atomic
def delete_institution(actor: Actor, pk: int) -> None:
    inst = _writable_institution(actor, pk, "delete")
    before = audit.snapshot(inst)
    label = str(inst)
    try:
        with transaction.atomic():
            inst.delete()
    except ProtectedError:
        raise Conflict(
            _(
                "This institution still has staff, branch campuses or administrator accounts; "
                "move or remove them first."
            )
        ) from None
    audit.record(
        actor,
        "institution.delete",
        object_type="institutions.institution",
        object_id=pk,
        label=label,
        before=before,
    )


@transaction.atomic
def add_lab(actor: Actor, institution_pk: int, data: Mapping[str, Any]) -> Lab:
    inst = _writable_institution(actor, institution_pk)
    _unknown_fields(data, ("name", "field", "opened_on"))
    lab = Lab(institution=inst, **{k: v for k, v in data.items()})
    _full_clean(lab)
    _save(lab)
    audit.record(actor, "lab.create", target=lab, after=audit.snapshot(lab))
    return lab


@transaction.atomic
def remove_lab(actor: Actor, lab_pk: int) -> None:
    lab = Lab.objects.filter(pk=lab_pk).first()
    if lab is None:
        raise NotFound()
    _writable_institution(actor, lab.institution_id)
    before = audit.snapshot(lab)
    lab.delete()
    audit.record(
        actor,
        "lab.delete",
        object_type="institutions.lab",
        object_id=lab_pk,
        label=before["name"],
        before=before,
    )


# --- staff -------------------------------------------------------------------------


def _apply_staff(
    actor: Actor, staff: Staff, data: Mapping[str, Any]
) -> tuple[dict[str, str], set[str]]:
    """Apply ``data`` to ``staff`` and validate it; seal the ID number and phone given.

    Returns the personal data given, normalised, and which of it differs from what the
    record held (all of it for a new record): compared unmasked — by blind index, or by
    opening the stored phone — since masks of different values can look alike.
    """
    _unknown_fields(data, STAFF_FIELDS)
    # What the stored ID number says (the services keep birth date and gender equal to it).
    stored = (staff.birth_date, staff.gender) if staff.pk else None
    clear: dict[str, str] = {} if staff.pk else {"id_number": ""}
    for key, value in data.items():
        if key == "institution":
            inst = _resolve_institution(value, "institution")
            if inst is None:
                raise InvalidInput(fields={"institution": [_("This field is required.")]})
            staff.institution = inst
        elif key == "id_number":
            clear["id_number"] = normalise_id_number(str(value or ""))
        elif key == "phone":
            clear["phone"] = str(value or "").strip()
        elif key == "stages":
            staff.stages = packed(STAGES, value, "stages")
        elif key == "honours":
            staff.honours = packed(HONOURS, value, "honours")
        elif key == "subjects":
            staff.subjects = packed(SUBJECTS, value, "subjects")
        elif key == "title":
            staff.title = single(TITLES, value, "title")
        else:
            setattr(staff, key, value.strip() if isinstance(value, str) else value)
    _validate_staff(staff, clear, stored)
    if staff.pk is None:
        changed = set(clear)
    else:
        holds = {"id_number": personal_data.holds_id_number, "phone": personal_data.holds_phone}
        changed = {f for f, value in clear.items() if not holds[f](staff, value)}
    personal_data.seal(staff, **{f: clear[f] for f in changed})
    return clear, changed


def _validate_staff(
    staff: Staff, clear: Mapping[str, str], stored: tuple[dt.date, str] | None
) -> None:
    errors = staff_checks.personal_data_errors(clear)
    # Derive what the ID number already says, so the two can never disagree.
    id_ok = "id_number" not in errors
    derived = stored  # no new ID number: birth date and gender stay what the stored one says
    if "id_number" in clear:
        number = clear["id_number"]
        derived = (birth_date_from_id(number), gender_from_id(number)) if id_ok else None
    if derived is not None:
        errors.update(staff_checks.derived_errors(staff.birth_date, staff.gender, derived))
        if staff.birth_date in (None, ""):
            staff.birth_date = derived[0]
        if not staff.gender:
            staff.gender = derived[1]
    try:
        # The sealed columns are made from the values checked above; uniqueness of the ID
        # number is checked by _check_id_number_free, which answers differently inside and
        # outside the actor's scope.
        staff.full_clean(exclude=personal_data.SEALED_COLUMNS, validate_unique=False)
    except ValidationError as e:
        for k, v in InvalidInput.from_validation_error(e).fields.items():
            errors.setdefault(k, []).extend(v)
    if not id_ok:
        # Not given, they would have been derived from the ID number: its error says it all.
        for name in ("birth_date", "gender"):
            if getattr(staff, name) in (None, ""):
                errors.pop(name, None)
    if joined := staff_checks.joined_on_errors(staff.joined_on, staff.birth_date):
        errors.setdefault("joined_on", []).extend(joined)
    if errors:
        raise InvalidInput(fields=errors)


def _require_staff_institution(actor: Actor, inst: Institution) -> None:
    if "register_staff" not in access.actions(actor, inst):
        raise PermissionDenied(
            _("You may only register staff of institutions in your scope (%(name)s is outside it).")
            % {"name": inst.name}
        )


class _RegisteredElsewhere(Exception):
    """The ID number belongs to a staff record outside the actor's owning scope."""


def _check_id_number_free(actor: Actor, staff: Staff, id_number: str) -> None:
    """Refuse an ID number that another staff record has (found by its blind index).

    Inside the actor's owning scope the answer says where the person is registered. Outside
    it the refusal says nothing about where (and is audited and rate-limited by the caller):
    "already registered" for any number anywhere would let anyone recover a masked number
    by trying the few thousand candidates its mask leaves.
    """
    other = (
        Staff.objects.filter(personal_data.id_number_q(id_number))
        .exclude(pk=staff.pk)
        .select_related("institution")
        .first()
    )
    if other is None:
        return
    if "reveal" in access.actions(actor, other):  # in the actor's owning scope
        raise InvalidInput(
            fields={
                "id_number": [
                    _("This person is already registered: %(name)s at %(institution)s.")
                    % {"name": other.name, "institution": other.institution.name}
                ]
            }
        )
    raise _RegisteredElsewhere()


def _require_id_numbers_not_paused(actor: Actor) -> None:
    limit = settings.XIETONG_DUPLICATE_ID_LIMIT
    if alerts.count_recent(actor, DUPLICATE_REFUSED, DUPLICATE_WINDOW) >= limit:
        raise PermissionDenied(
            _(
                "You have entered too many ID numbers that are registered elsewhere: "
                "entering ID numbers is paused for a day, and the security administrator "
                "has been told."
            )
        )


def _require_creates_within_the_hourly_limit(actor: Actor) -> None:
    """One record at a time is for people typing; thousands an hour are a script trying
    ID numbers (or a roster, which goes through the importer)."""
    limit = settings.XIETONG_STAFF_CREATES_PER_HOUR
    if alerts.count_recent(actor, "staff.create", dt.timedelta(hours=1)) >= limit:
        raise PermissionDenied(
            _(
                "You have registered %(n)d staff members in the last hour one by one: "
                "register more through an import, or try again later."
            )
            % {"n": limit}
        )


def _refuse_registered_elsewhere(actor: Actor, inst: Institution | None) -> InvalidInput:
    """Audit the attempt (committed, though the write is refused) and alert at the limit."""
    with transaction.atomic():
        audit.record(
            actor,
            DUPLICATE_REFUSED,
            object_type="institutions.institution" if inst else "",
            object_id=inst.pk if inst else "",
            label=inst.name if inst else "",
        )
        hits = alerts.count_recent(actor, DUPLICATE_REFUSED, DUPLICATE_WINDOW)
        if hits == settings.XIETONG_DUPLICATE_ID_LIMIT:
            alerts.raise_alert(actor, "duplicate_id_numbers", {"attempts": hits})
    return InvalidInput(
        fields={
            "id_number": [
                _(
                    "This ID number cannot be registered here. If the person has moved to "
                    "your institution, ask the authority of their former institution to "
                    "transfer the record."
                )
            ]
        }
    )


def create_staff(actor: Actor, data: Mapping[str, Any]) -> Staff:
    try:
        return _create_staff(actor, data)
    except _RegisteredElsewhere:
        inst_pk = _int_or_none(data.get("institution"))
        inst = Institution.objects.filter(pk=inst_pk).first() if inst_pk else None
        raise _refuse_registered_elsewhere(actor, inst) from None


@transaction.atomic
def _create_staff(actor: Actor, data: Mapping[str, Any]) -> Staff:
    if not data.get("institution"):
        raise InvalidInput(fields={"institution": [_("This field is required.")]})
    # Scope first: an actor outside the institution learns nothing from validation, not
    # even whether an ID number is already registered.
    inst = _resolve_institution(data["institution"], "institution")
    assert inst is not None
    _require_staff_institution(actor, inst)
    _require_id_numbers_not_paused(actor)
    _require_creates_within_the_hourly_limit(actor)
    staff = Staff()
    clear, _changed = _apply_staff(actor, staff, data)
    _check_id_number_free(actor, staff, clear["id_number"])
    _save(staff)
    tallies.refresh([staff.institution_id])
    audit.record(actor, "staff.create", target=staff, after=audit.snapshot(staff))
    return staff


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _writable_staff(actor: Actor, pk: int, verb: str) -> Staff:
    staff = Staff.objects.select_for_update().filter(pk=pk).first()
    if staff is None:
        raise NotFound()
    # A record the actor may not read does not exist for it: 404 as on reading, not 403.
    access.require(actor, verb, staff)
    return staff


def update_staff(actor: Actor, pk: int, data: Mapping[str, Any]) -> Staff:
    try:
        return _update_staff(actor, pk, data)
    except _RegisteredElsewhere:
        staff = Staff.objects.select_related("institution").filter(pk=pk).first()
        raise _refuse_registered_elsewhere(actor, staff.institution if staff else None) from None


@transaction.atomic
def _update_staff(actor: Actor, pk: int, data: Mapping[str, Any]) -> Staff:
    staff = _writable_staff(actor, pk, "edit")
    before = audit.snapshot(staff)
    old_birth = staff.birth_date
    old_inst, old_position = staff.institution_id, staff.position
    if "id_number" in data:
        _require_id_numbers_not_paused(actor)
    clear, personal_changed = _apply_staff(actor, staff, data)
    if "id_number" in personal_changed:
        _check_id_number_free(actor, staff, clear["id_number"])
    if staff.institution_id != old_inst:
        _require_staff_institution(actor, staff.institution)
    _save(staff)
    if (staff.institution_id, staff.position) != (old_inst, old_position):
        tallies.refresh([old_inst, staff.institution_id])
    after = audit.snapshot(staff)
    changed = {k for k in after if after[k] != before.get(k)} - {"updated_at"}
    # Masked forms can look alike (138****0002): personal data was compared unmasked.
    changed |= personal_changed | ({"birth_date"} if staff.birth_date != old_birth else set())
    audit.record(
        actor,
        "staff.update",
        target=staff,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return staff


@transaction.atomic
def delete_staff(actor: Actor, pk: int) -> None:
    staff = _writable_staff(actor, pk, "delete")
    before = audit.snapshot(staff)
    before_inst = staff.institution_id
    label = str(staff)
    staff.delete()
    tallies.refresh([before_inst])
    audit.record(
        actor,
        "staff.delete",
        object_type="institutions.staff",
        object_id=pk,
        label=label,
        before=before,
    )
