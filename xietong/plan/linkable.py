"""The kinds of record that can be linked to the plan tasks they serve.

Each app registers its own (partnerships, activities, exchange programs, placements here
in ``plan.linkables``; resources, training programs, cohorts, competitions later)::

    from xietong.plan.linkable import Linkable, register_linkable

    register_linkable(Linkable("partnership", Partnership, _("Partnerships"), verb="edit",
                               url=lambda p: reverse("partnerships:detail", args=[p.pk])))

A record's own managers may link it: those to whom ``verb`` on the record is ever given
(``access.require(..., now=False)``), besides the plan's managers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.db.models.signals import post_delete
from django.utils.functional import Promise

from xietong import access
from xietong.access.actor import Actor
from xietong.core.errors import ServiceError


@dataclass(frozen=True)
class Linkable:
    key: str
    model: type[Model]
    label: str | Promise  # the kind, plural: the heading of its group on the task page
    verb: str  # the record's verb whose holders manage it
    url: Callable[[Any], str]
    title: Callable[[Any], str] = str
    order: int = 50


_kinds: dict[str, Linkable] = {}


def register_linkable(kind: Linkable) -> None:
    _kinds[kind.key] = kind
    # A link names its record by type and id, with no foreign key: it goes with the record.
    post_delete.connect(_unlink, sender=kind.model, dispatch_uid=f"plan.unlink.{kind.key}")


def _unlink(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    from xietong.plan.models import TaskLink

    TaskLink.objects.filter(
        record_type=ContentType.objects.get_for_model(sender), record_id=instance.pk
    ).delete()


def kinds() -> list[Linkable]:
    return sorted(_kinds.values(), key=lambda k: (k.order, k.key))


def kind(key: str) -> Linkable | None:
    return _kinds.get(key)


def kind_of_model(model: type[Model]) -> Linkable | None:
    return next((k for k in _kinds.values() if k.model is model), None)


def kind_of_type(ct: ContentType) -> Linkable | None:
    return next(
        (k for k in _kinds.values() if k.model._meta.label_lower == f"{ct.app_label}.{ct.model}"),
        None,
    )


def manages(actor: Actor, kind: Linkable, record: Model) -> bool:
    """Whether the actor manages the record (its ``verb`` is ever the actor's on it)."""
    try:
        access.require(actor, kind.verb, record, now=False)
    except ServiceError:
        return False
    return True
