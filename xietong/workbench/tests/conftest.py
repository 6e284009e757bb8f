"""Fixtures of the workbench tests: the exchanges program of ``ex`` (see
xietong/exchanges/tests/conftest.py) and steps that take Tina (``teacher``) through it; the
partnerships ``paired`` and ``draft`` (xietong/partnerships/tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone

from xietong.exchanges import services
from xietong.exchanges.models import Application, Placement
from xietong.exchanges.tests.conftest import Ex, approve, ex, program_data
from xietong.partnerships.tests.conftest import draft, paired

__all__ = ["draft", "ex", "paired", "program_data"]


def apply(ex: Ex, submit: bool = True) -> Application:
    """Tina applies to the program, ranking the Tongzhou offer."""
    return services.create_application(
        ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk], submit=submit
    )


def matched(ex: Ex) -> Application:
    """Tina applied, was recommended and approved, and the program's manager placed her."""
    app = apply(ex)
    approve(ex, app.pk)
    services.assign_place(ex.actor("sanhe"), app.pk, ex.offer.slots.get().pk)
    return Application.objects.get(pk=app.pk)


def active(ex: Ex, starts: int = -10, ends: int = 60) -> Placement:
    """Tina's placement, started, running from ``starts`` to ``ends`` days from today."""
    app = matched(ex)
    placement = services.confirm_application(ex.actor("teacher"), app.pk)
    services.start_placement(ex.actor("school_admin"), placement.pk)
    today = timezone.localdate()
    Placement.objects.filter(pk=placement.pk).update(
        starts_on=today + dt.timedelta(days=starts), ends_on=today + dt.timedelta(days=ends)
    )
    return Placement.objects.get(pk=placement.pk)


def count(html: str, key: str) -> int | None:
    """The count shown on a queue or a stat (``data-testid="count-<key>"``), or None."""
    found = re.search(rf'data-testid="count-{re.escape(key)}">([\d,]+)<', html)
    return int(found.group(1).replace(",", "")) if found else None


def queue(html: str, key: str) -> str:
    """The HTML of one queue panel (empty when the queue is not shown as a panel)."""
    found = re.search(
        rf'<section[^>]*data-testid="queue-{re.escape(key)}".*?</section>', html, re.S
    )
    return found.group(0) if found else ""


def english(client: Any) -> None:
    client.cookies["django_language"] = "en"
