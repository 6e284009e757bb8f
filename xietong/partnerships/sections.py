"""The sections of a partnership's page that other parts of partnerships add.

The page shows the partnership, its members, yearly terms and dispatched people; the
agreements, the activities timeline and whatever comes later plug in here from their own
modules, in their ``ready()``::

    from xietong.partnerships.sections import Section, register_section

    register_section(Section("agreements", "partnerships/_agreements.html", agreements_of, 20))

``context(actor, partnership)`` returns the template's context (it may query; it is
called once per page view), or None to leave the section out for this reader. The
template sees the partnership as ``partnership``, the verbs the reader may do on it as
``actions`` and the section's own context as ``section``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xietong.partnerships.models import Partnership

Context = Callable[[Any, Partnership], dict[str, Any] | None]


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    context: Context
    order: int = 50


_sections: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Add (or replace, by key) a section of the partnership page."""
    _sections[section.key] = section


def detail_sections(actor: Any, partnership: Partnership) -> list[dict[str, Any]]:
    """The sections to show this reader, in order: ``{"key", "template", "context"}``."""
    out = []
    for s in sorted(_sections.values(), key=lambda s: (s.order, s.key)):
        context = s.context(actor, partnership)
        if context is not None:
            out.append({"key": s.key, "template": s.template, "context": context})
    return out
