"""Notifications of agreements (rendered in the reader's language when read)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from xietong.notifications.kinds import Kind, Params, register


def _agreement(pk: int | None, params: Params) -> str:
    return reverse("partnerships:agreement_detail", args=[pk]) if pk else ""


TARGET = "partnerships.agreement"

register(
    Kind(
        "partnerships.agreement_pending",
        text=lambda p: (
            _(
                "Version %(number)s of the agreement “%(title)s” (%(partnership)s) awaits your "
                "approval."
            )
            % p
        ),
        link=_agreement,
        target=TARGET,
    ),
    Kind(
        "partnerships.agreement_approved",
        text=lambda p: (
            _(
                "Every party has approved version %(number)s of the agreement “%(title)s” "
                "(%(partnership)s)."
            )
            % p
        ),
        link=_agreement,
        target=TARGET,
    ),
)
