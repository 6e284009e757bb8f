"""Helpers shared by the exchange pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from xietong.core.errors import InvalidInput
from xietong.core.views import apply_errors
from xietong.exchanges.choices import (
    ProgramStatus,
)
from xietong.exchanges.models import HostOffer
from xietong.institutions import selectors as registry
from xietong.institutions.choices import Stage
from xietong.institutions.selectors import InstitutionFilters

CHOICE_LIMIT = 500
STAGES = dict(Stage.choices)
EDITABLE = {ProgramStatus.DRAFT, ProgramStatus.OPEN, ProgramStatus.CLOSED}
PROGRAM_ORDER = ("-term_key", "title", "id")  # Program.Meta.ordering, lost by GROUP BY


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


ALIASES = {"capacities": "slots"}


def _refused(form: Any, error: Exception) -> None:
    """A service's refusal on a form: fields inline, the rest above the form.

    Keys like ``slots.2`` land on ``slots``; ``capacities`` on ``slots`` too.
    """
    if isinstance(error, InvalidInput):
        fields: dict[str, list[str]] = {}
        for key, msgs in error.fields.items():
            base = ALIASES.get(key, key.split(".")[0])
            target = key if key in form.fields or base not in form.fields else base
            fields.setdefault(target, []).extend(msgs)
        error.fields = fields
        apply_errors(form, error)
    else:
        form.add_error(None, str(getattr(error, "message", error)))


def _label_slots(offers: list[HostOffer]) -> list[HostOffer]:
    for offer in offers:
        for slot in offer.slots.all():
            slot.stage_label = STAGES.get(slot.stage, slot.stage)  # type: ignore[attr-defined]
    return offers


def _institution_choices(actor: Any, **filters: Any) -> list[tuple[int, str]]:
    rows = registry.institutions_for(actor, InstitutionFilters(**filters))
    return [
        (pk, f"{name} · {region}")
        for pk, name, region in rows.values_list("pk", "name", "region__name")[:CHOICE_LIMIT]
    ]


def _is_program_manager(actor: Any) -> bool:
    return bool(actor.admin_region_paths)


def _reviews(actor: Any) -> bool:
    return bool(actor.admin_institution_ids or actor.admin_region_paths)
