"""What the training services share: loading rows the actor reads, field errors, numbers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.db.models import Model
from django.utils.translation import gettext as _

from xietong import access
from xietong.access.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.errors import field_error as invalid

M = TypeVar("M", bound=Model)


def load(actor: Actor, model: type[M], pk: Any, *related: str) -> M:
    """The row if the actor reads it; NotFound for hidden and missing rows alike."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    row = model._default_manager.select_related(*related).filter(pk=key).first()
    if row is None or not access.can_read(actor, row):
        raise NotFound()
    return row


def hours(value: Any, field_name: str, *, upper: Decimal | None = None) -> Decimal:
    """Hours as a positive number with one decimal, at most ``upper``."""
    try:
        n = Decimal(str(value).strip()).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise invalid(field_name, _("Give the hours as a number, such as 24 or 1.5.")) from None
    if n <= 0:
        raise invalid(field_name, _("Hours must be more than zero."))
    if upper is not None and n > upper:
        raise invalid(
            field_name,
            _("At most %(max)s hours: the program's own.") % {"max": hours_text(upper)},
        )
    if n > 1000:
        raise invalid(field_name, _("A program gives at most 1000 hours."))
    return n


def hours_text(value: Decimal) -> str:
    """24.0 → "24", 1.5 → "1.5" (``normalize`` alone would write 20 as "2E+1")."""
    return format(value.normalize(), "f")
