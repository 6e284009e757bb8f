"""The sections of a partnership's page that other parts of partnerships add.

The page shows the partnership, its members, yearly terms and dispatched people; the
agreements, the activities timeline and whatever comes later plug in here from their own
modules, in their ``ready()`` (the mechanism is :mod:`xietong.core.sections`, page
``PAGE``)::

    from xietong.partnerships.sections import Section, register_section

    register_section(Section("agreements", "partnerships/_agreements.html", agreements_of, 20))

``context(actor, partnership)`` returns the template's context (it may query; it is
called once per page view), or None to leave the section out for this reader. The
template sees the partnership as ``partnership``, the verbs the reader may do on it as
``actions`` and the section's own context as ``section``.
"""

from __future__ import annotations

from typing import Any

from xietong.core import sections
from xietong.core.sections import Section
from xietong.partnerships.models import Partnership

PAGE = "partnerships.partnership"

__all__ = ["PAGE", "Section", "detail_sections", "register_section"]


def register_section(section: Section) -> None:
    """Add (or replace, by key) a section of the partnership page."""
    sections.register_section(PAGE, section)


def detail_sections(actor: Any, partnership: Partnership) -> list[dict[str, Any]]:
    """The sections to show this reader, in order: ``{"key", "template", "context"}``."""
    return sections.sections_for(PAGE, actor, partnership)
