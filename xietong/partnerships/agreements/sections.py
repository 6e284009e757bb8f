"""The agreements section of a partnership's page."""

from __future__ import annotations

from typing import Any

from xietong.partnerships.agreements import selectors, services
from xietong.partnerships.models import Partnership
from xietong.partnerships.sections import Section, register_section


def agreements_section(actor: Any, partnership: Partnership) -> dict[str, Any] | None:
    agreements = list(selectors.agreements_of(actor, partnership.pk))
    rows = [{"agreement": a, "versions": selectors.version_views(actor, a)} for a in agreements]
    return {"agreements": rows, "creates": services.may_create(actor, partnership)}


def register() -> None:
    register_section(
        Section("agreements", "partnerships/agreements/_section.html", agreements_section, 20)
    )
