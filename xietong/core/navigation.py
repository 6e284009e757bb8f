"""The side navigation: each app registers its entries in ``AppConfig.ready``.

Later capabilities (exchanges, training, the plan …) plug in the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from xietong.accounts.access import Actor


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    visible: Callable[[Actor], bool]
    order: int = 100
    section: str | Promise = ""


_items: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(i.url_name != item.url_name for i in _items):
        _items.append(item)
        _items.sort(key=lambda i: i.order)


def items_for(actor: Actor) -> list[NavItem]:
    return [i for i in _items if actor.is_authenticated and i.visible(actor)]
