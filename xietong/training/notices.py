"""The notifications of teacher training (rendered in the reader's language when read)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from xietong.notifications.kinds import Kind, Params, register


def _program(pk: int | None, params: Params) -> str:
    return reverse("training:program", args=[pk]) if pk else ""


PROGRAM = "training.program"

register(
    Kind(
        "training.promoted",
        text=lambda p: _("A place in “%(title)s” came free: you are enrolled now.") % p,
        link=_program,
        target=PROGRAM,
    ),
    Kind(
        "training.cancelled",
        text=lambda p: _("The training program “%(title)s” was cancelled: %(reason)s") % p,
        link=_program,
        target=PROGRAM,
    ),
    Kind(
        "training.completed",
        text=lambda p: (
            _("You completed “%(title)s”: %(hours)s hours are on your training record.") % p
        ),
        link=_program,
        target=PROGRAM,
    ),
)
