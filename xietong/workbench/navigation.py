"""The side navigation: each app registers its entries in ``AppConfig.ready``.

An entry is shown when the actor holds its named capability (``xietong.access.can``);
no entry carries a rule of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from xietong.access import Actor, can


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    capability: str = ""  # empty: every signed-in user
    order: int = 100
    section: str | Promise = ""
    # Asked after the capability, for an entry that depends on rows (a reviewer's
    # appointment) rather than on roles; keep it to one indexed query.
    shown: Callable[[Actor], bool] | None = None


_items: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(i.url_name != item.url_name for i in _items):
        _items.append(item)
        _items.sort(key=lambda i: i.order)


def items_for(actor: Actor) -> list[NavItem]:
    if not actor.is_authenticated:
        return []
    return [
        i
        for i in _items
        if (not i.capability or can(actor, i.capability)) and (i.shown is None or i.shown(actor))
    ]
