"""The audit log's sentences for the registry: institutions, labs, staff and personal data
(see ``accounts.audit_reading``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.audit_reading import Facts, by_pk, describe, field_names, object_type
from xietong.institutions.models import Institution, Lab, Staff

GROUP = gettext_lazy("Institutions")


def _institutions(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(Institution.objects.only("name"), lambda i: {"name": i.name}, keys)


def _staff(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(
        Staff.objects.select_related("institution").only("name", "institution__name"),
        lambda s: {"name": s.name, "institution": s.institution.name},
        keys,
    )


def _labs(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(
        Lab.objects.select_related("institution").only("name", "institution__name"),
        lambda lab: {"name": lab.name, "institution": lab.institution.name},
        keys,
    )


object_type("institutions.institution", gettext_lazy("institution"), _institutions)
object_type("institutions.staff", gettext_lazy("staff member"), _staff)
object_type("institutions.lab", gettext_lazy("lab"), _labs)


def _changed(model: Any, message: str) -> Any:
    def text(f: Facts) -> str:
        keys = list((f.value("after", {}) or {}).keys())
        return message % {**f, "fields": field_names(model, keys)}

    return text


def _staff_created(f: Facts) -> str:
    if f["institution"] != "—":
        return _("%(actor)s registered %(object)s at %(institution)s") % f
    return _("%(actor)s registered the staff member %(object)s") % f


EVENTS: list[tuple[str, Any, Any]] = [
    (
        "institution.create",
        gettext_lazy("Institution registered"),
        lambda f: _("%(actor)s registered the institution %(object)s") % f,
    ),
    (
        "institution.update",
        gettext_lazy("Institution changed"),
        lambda f: _changed(Institution, _("%(actor)s changed %(fields)s of %(object)s"))(f),
    ),
    (
        "institution.delete",
        gettext_lazy("Institution removed"),
        lambda f: _("%(actor)s removed the institution %(object)s") % f,
    ),
    (
        "lab.create",
        gettext_lazy("Lab added"),
        lambda f: _("%(actor)s added the lab %(object)s to %(institution)s") % f,
    ),
    (
        "lab.delete",
        gettext_lazy("Lab removed"),
        lambda f: _("%(actor)s removed the lab %(object)s") % f,
    ),
    ("staff.create", gettext_lazy("Staff member registered"), _staff_created),
    (
        "staff.update",
        gettext_lazy("Staff record changed"),
        lambda f: _changed(Staff, _("%(actor)s changed %(fields)s of %(object)s"))(f),
    ),
    (
        "staff.delete",
        gettext_lazy("Staff record removed"),
        lambda f: _("%(actor)s removed the staff record of %(object)s") % f,
    ),
    (
        "staff.duplicate_id_refused",
        gettext_lazy("ID number registered elsewhere refused"),
        lambda f: (
            _("%(actor)s entered an ID number already registered elsewhere; it was refused") % f
        ),
    ),
    (
        "personal_data.read",
        gettext_lazy("Personal data revealed"),
        lambda f: _("%(actor)s revealed the ID number, phone and birth date of %(object)s") % f,
    ),
    (
        "personal_data.rotate",
        gettext_lazy("Personal data sealed under a new key"),
        lambda f: _("%(actor)s sealed staff personal data again under a new key version") % f,
    ),
]

for action, label, text in EVENTS:
    describe(GROUP, action, label, text)
