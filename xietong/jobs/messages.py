"""Job messages: stored as a code (or a msgid) with parameters, rendered when read.

A handler reports ``report(done, total, gettext_noop("Solving"), n=3)``; the text is looked
up through gettext in the reader's language each time the job is shown. Codes registered
here (``jobs.worker_lost`` …) name the messages of the jobs mechanism itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

WORKER_LOST = "jobs.worker_lost"
UNEXPECTED = "jobs.unexpected"
UNKNOWN_KIND = "jobs.unknown_kind"
CANCELLED = "jobs.cancelled"

_codes: dict[str, Promise] = {
    WORKER_LOST: _(
        "The worker stopped while running this job (no sign of life for %(seconds)s s); retry it."
    ),
    UNEXPECTED: _(
        "The job stopped because of an unexpected error; it has been logged. Retry it, "
        "or tell the administrator if it fails again."
    ),
    UNKNOWN_KIND: _("This kind of job (%(kind)s) is not known to the worker."),
    CANCELLED: _("The job was cancelled."),
}


def register_code(code: str, text: Promise) -> None:
    """Name a message of an app's jobs (a lazy translatable text with %(name)s params)."""
    _codes[code] = text


def render(code: str, params: Mapping[str, Any] | None = None) -> str:
    if not code:
        return ""
    text = str(_codes[code]) if code in _codes else gettext(code)
    if not params:
        return text
    try:
        return text % dict(params)
    except (KeyError, TypeError, ValueError):
        return text  # a translation that lost a placeholder must not break the page
