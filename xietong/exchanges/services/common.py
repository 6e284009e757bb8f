"""Helpers shared by the exchange services: loading for an actor, refusing, notifying."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q
from django.utils.translation import gettext as _

from xietong.accounts.models import Role, RoleAssignment
from xietong.core.errors import InvalidInput, NotFound, PermissionDenied
from xietong.institutions.models import Institution
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


def invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


def institution_admin_users(inst: Institution) -> list[int]:
    """Users who administer the institution (or its parent, for a branch campus)."""
    ids = [inst.pk] + ([inst.parent_id] if inst.parent_id else [])
    return list(
        RoleAssignment.objects.filter(
            role=Role.INSTITUTION_ADMIN, institution_id__in=ids
        ).values_list("user_id", flat=True)
    )


def authority_admin_users(inst: Institution) -> list[int]:
    """Authority admins whose region covers the institution."""
    parts = [p for p in inst.region_path.split("/") if p]
    prefixes = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return list(
        RoleAssignment.objects.filter(
            role=Role.AUTHORITY_ADMIN, region__path__in=prefixes
        ).values_list("user_id", flat=True)
    )


def not_allowed() -> str:
    return _("You do not have permission to do this.")
