"""The keepers' training work on the workbench: programs whose enrollment has ended and
that wait to be completed, and today's sessions whose attendance is to be recorded
(:func:`xietong.training.selectors.to_complete`, :func:`~.selectors.sessions_today`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.training import selectors as sel
from xietong.training.models import Program, Session
from xietong.workbench.queues import INSTITUTION, Item, Queue, QueueSource, queue_of, register_queue


def _program_item(p: Program) -> Item:
    return Item(
        title=f"{p.title} · {p.provider.name}",
        step=_("Record the last attendance and assessments, then complete the program"),
        url=reverse("training:roster", args=[p.pk]),
        due=p.applications_close,
        status=str(p.get_status_display()),
    )


def _session_item(s: Session) -> Item:
    start = timezone.localtime(s.starts_at)
    return Item(
        title=f"{s.program.title} · {start:%H:%M} {s.topic}".strip(),
        step=_("Show the check-in code or tick the roster"),
        url=reverse("training:roster", args=[s.program_id]),
        due=start.date(),
    )


def to_complete(actor: Any, limit: int) -> Queue | None:
    return queue_of(
        "training-to-complete",
        _("Training programs to complete"),
        sel.to_complete(actor),
        _program_item,
        reverse("training:catalogue"),
        limit,
        _("All training programs"),
    )


def sessions_today(actor: Any, limit: int) -> Queue | None:
    return queue_of(
        "training-sessions-today",
        _("Training sessions today"),
        sel.sessions_today(actor),
        _session_item,
        reverse("training:catalogue"),
        limit,
        _("All training programs"),
    )


def register() -> None:
    register_queue(
        QueueSource("training.to_complete", INSTITUTION, to_complete, "training.provide", 60)
    )
    register_queue(
        QueueSource("training.sessions_today", INSTITUTION, sessions_today, "training.provide", 59)
    )
