"""Pickers of the registry: institutions and staff, each over its own scoped selector."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xietong.core.pickers import Picker, register
from xietong.institutions import selectors
from xietong.institutions.models import Institution, Staff


def _institutions(actor: Any, q: str, params: Mapping[str, Any]) -> Any:
    filters = selectors.InstitutionFilters(
        q=q, kind=params.get("kind", ""), mine=bool(params.get("mine"))
    )
    return selectors.institutions_for(actor, filters).order_by("name", "id")


def _institution_label(inst: Institution) -> str:
    return f"{inst.name} · {inst.region.name}"


def _to_name(actor: Any, q: str, params: Mapping[str, Any]) -> Any:
    return selectors.institutions_to_name(actor, q)


def _named_label(inst: Institution) -> str:
    return " · ".join(p for p in (inst.name, inst.school_code, inst.region.name) if p)


def _staff(actor: Any, q: str, params: Mapping[str, Any]) -> Any:
    filters = selectors.StaffFilters(
        q=q, institution_id=params.get("institution"), mine=bool(params.get("mine"))
    )
    return selectors.staff_for(actor, filters).order_by("name", "id")


def _staff_label(s: Staff) -> str:
    title = s.get_title_display()
    parts = [s.name, s.institution.name] + ([str(title)] if title else [])
    return " · ".join(parts)


INSTITUTIONS = register(
    Picker(
        "institutions",
        _institutions,
        _institution_label,
        params={"kind": str, "mine": bool},
    )
)
STAFF = register(Picker("staff", _staff, _staff_label, params={"institution": int, "mine": bool}))
# For the security admin granting an institution administrator's role.
TO_NAME = register(Picker("institutions_to_name", _to_name, _named_label))
