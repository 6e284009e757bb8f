"""Helpers shared by the exchange pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from xietong.core.errors import InvalidInput
from xietong.core.views import apply_errors
from xietong.exchanges.models import HostOffer
from xietong.institutions.choices import Stage

STAGES = dict(Stage.choices)
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
