"""The registry of notification kinds.

Each app declares its kinds in its own ``notices`` module (imported when Django starts)::

    from xietong.notifications.kinds import Kind, register

    register(
        Kind(
            "exchanges.application_approved",
            text=lambda p: _("Your application to “%(program)s” was approved.") % p,
            link=lambda pk, p: reverse("exchanges:application_detail", args=[pk]),
            target="exchanges.application",
        )
    )

``text`` turns the stored parameters into a sentence with ``gettext`` — it is called when
the notification is read, so the sentence is in the reader's language; ``link`` turns the
target's id into the address of its page (``reverse()`` of a page URL, never a stored
path). A code nobody registers any more (its app was removed) renders a neutral sentence
and no link instead of failing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch
from django.utils.translation import gettext as _

log = logging.getLogger("xietong.notifications")

Params = Mapping[str, Any]


def no_link(target_id: int | None, params: Params) -> str:
    return ""


@dataclass(frozen=True)
class Kind:
    code: str
    text: Callable[[Params], str]
    link: Callable[[int | None, Params], str] = no_link
    target: str | None = None  # "app_label.model" of the target, checked by notify()


_kinds: dict[str, Kind] = {}


def register(*kinds: Kind) -> None:
    """Register kinds; a code registered twice with another definition is a mistake."""
    for kind in kinds:
        if "." not in kind.code:
            raise ValueError(f"notification code {kind.code!r} must be '<app>.<what>'")
        old = _kinds.get(kind.code)
        if old is not None and old != kind:
            raise ValueError(f"notification code {kind.code!r} is registered twice")
        _kinds[kind.code] = kind


def get(code: str) -> Kind | None:
    return _kinds.get(code)


def codes() -> list[str]:
    return sorted(_kinds)


def render_text(code: str, params: Params) -> str:
    """The sentence for a stored notification, in the active language."""
    kind = _kinds.get(code)
    if kind is not None:
        try:
            return str(kind.text(params))
        except (KeyError, TypeError, ValueError):
            log.warning("notification %s has parameters its kind cannot render", code)
    return _("A notice from a part of Xietong that is no longer available.")


def render_link(code: str, target_id: int | None, params: Params) -> str:
    """The page the notification points to, or "" when there is none."""
    kind = _kinds.get(code)
    if kind is None:
        return ""
    try:
        return kind.link(target_id, params) or ""
    except (NoReverseMatch, KeyError, TypeError, ValueError):
        return ""
