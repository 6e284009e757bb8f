"""Which models may own attachments, and who may read and manage them.

An owner model registers once (from its app's ``ready()``) with two callables that are its
own scope rules — nothing here decides access:

* ``readable(actor) -> QuerySet`` of the owner rows the actor may read (the owner's scoped
  selector);
* ``manageable(actor, obj) -> bool``: may the actor attach files to ``obj`` and remove them.

An attachment is visible exactly when its owner row is in ``readable(actor)``; the
attachments of an unregistered owner type are visible to nobody. Example::

    from xietong.attachments.registry import register_owner

    register_owner(PlacementReport, readable=reports_for, manageable=may_add_evidence)
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from xietong.accounts.access import Actor
from xietong.core.errors import NotFound, PermissionDenied

Readable = Callable[[Actor], QuerySet[Any]]
Manageable = Callable[[Actor, Any], bool]


@dataclass(frozen=True)
class OwnerRules:
    model: type[Model]
    readable: Readable
    manageable: Manageable
    types: tuple[str, ...] | None = None  # the file types this owner accepts (None: all)
    max_bytes: int | None = None  # this owner's own size limit (None: the configured one)

    @property
    def key(self) -> str:
        return self.model._meta.label_lower


_OWNERS: dict[str, OwnerRules] = {}


def owner_key(model_or_obj: type[Model] | Model) -> str:
    """The name of an owner type in URLs and the API: ``app_label.modelname``."""
    return model_or_obj._meta.label_lower


def register_owner(
    model: type[Model],
    *,
    readable: Readable,
    manageable: Manageable,
    types: Collection[str] | None = None,
    max_bytes: int | None = None,
) -> None:
    """Let rows of ``model`` own attachments, scoped by the two callables (once per model).

    ``types`` narrows the file types its attachments may have (``validation`` keys such as
    ``"pdf"``, ``"png"``), whichever door the file comes through; ``max_bytes`` replaces
    the configured size limit for them (a roster to import is larger than any evidence).
    """
    key = owner_key(model)
    known = _OWNERS.get(key)
    if known is not None and (known.readable, known.manageable) != (readable, manageable):
        raise ImproperlyConfigured(f"{key} is already registered as an attachment owner")
    _OWNERS[key] = OwnerRules(
        model, readable, manageable, tuple(types) if types else None, max_bytes
    )


def unregister_owner(model: type[Model]) -> None:
    """Forget an owner type (for tests that register a model of their own)."""
    _OWNERS.pop(owner_key(model), None)


def rules_for(model_or_key: type[Model] | Model | str) -> OwnerRules | None:
    key = model_or_key if isinstance(model_or_key, str) else owner_key(model_or_key)
    return _OWNERS.get(key.lower())


def registered_owners() -> list[OwnerRules]:
    return list(_OWNERS.values())


def readable_owners(actor: Actor, model: type[Model]) -> QuerySet[Any]:
    """The rows of ``model`` the actor may read; none for an unregistered model."""
    rules = rules_for(model)
    if rules is None:
        return model._default_manager.none()
    return rules.readable(actor)


def can_read_owner(actor: Actor, owner: Model) -> bool:
    return readable_owners(actor, type(owner)).filter(pk=owner.pk).exists()


def may_manage(actor: Actor, owner: Model) -> bool:
    """The owner's own ``manageable`` answer, for an owner already known to be readable."""
    rules = rules_for(owner)
    return rules is not None and rules.manageable(actor, owner)


def can_manage_owner(actor: Actor, owner: Model) -> bool:
    """May the actor attach to ``owner`` and remove its attachments (never without reading it)."""
    rules = rules_for(owner)
    return rules is not None and can_read_owner(actor, owner) and rules.manageable(actor, owner)


def require_manageable(actor: Actor, owner: Model) -> None:
    """NotFound for an owner out of the actor's sight, PermissionDenied for one it only reads."""
    rules = rules_for(owner)
    if rules is None or not can_read_owner(actor, owner):
        raise NotFound()
    if not rules.manageable(actor, owner):
        raise PermissionDenied(_("You may read this record but not add or remove its files."))


def resolve_owner(actor: Actor, key: str, pk: int) -> Model:
    """The owner row named by ``key`` and ``pk`` if the actor may read it, else NotFound."""
    rules = rules_for(key or "")
    if rules is None:
        raise NotFound(_("Files cannot be attached to records of this type."))
    owner = rules.readable(actor).filter(pk=pk).first()
    if owner is None:
        raise NotFound()
    return owner
