"""Helpers shared by the exchange services: loading for an actor, refusing, notifying."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q
from django.utils.translation import gettext as _

from xietong.core.errors import InvalidInput, NotFound, PermissionDenied
from xietong.core.errors import field_error as invalid  # noqa: F401  (the services' name)
from xietong.notifications.services import notify

M = TypeVar("M", bound=Model)

__all__ = ["notify"]  # re-exported: the exchange services notify through the notifications app


def load(model: type[M], pk: Any, *, lock: bool = False, related: Iterable[str] = ()) -> M:
    """The row with this id (locked for the transaction if asked), else NotFound."""
    qs = model._default_manager.select_related(*related)
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        obj = qs.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        raise NotFound()
    return obj


def allowed(model: type[Model], q: Q, pk: int) -> bool:
    return model._default_manager.filter(q, pk=pk).exists()


def require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message)


def full_clean(obj: Model, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as e:
        raise InvalidInput.from_validation_error(e) from None


def not_allowed() -> str:
    return _("You do not have permission to do this.")
