"""Sections of a record's page that other modules add (page registries).

A detail page — a partnership's, an exchange program's, a plan task's — shows its own
fields, and the parts that other modules own plug in from their ``ready()``::

    from xietong.core.sections import Section, register_section

    register_section("plan.task", Section("reports", "plan/reports/_task.html", reports_of, 30))

``context(actor, obj)`` returns the template's context (it may query; it is called once
per page view), or None to leave the section out for this reader. The page template
includes each section's template with the section's own context as ``section`` (and the
page's context: the record, the reader's ``actions``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Context = Callable[[Any, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    context: Context
    order: int = 50


_pages: dict[str, dict[str, Section]] = {}


def register_section(page: str, section: Section) -> None:
    """Add (or replace, by key) a section of the page named ``page``."""
    _pages.setdefault(page, {})[section.key] = section


def sections_for(page: str, actor: Any, obj: Any) -> list[dict[str, Any]]:
    """The page's sections to show this reader, in order: ``{"key", "template", "context"}``."""
    out = []
    for s in sorted(_pages.get(page, {}).values(), key=lambda s: (s.order, s.key)):
        context = s.context(actor, obj)
        if context is not None:
            out.append({"key": s.key, "template": s.template, "context": context})
    return out


def unregister_section(page: str, key: str) -> None:
    """Take a section off a page (tests that register one of their own)."""
    _pages.get(page, {}).pop(key, None)
