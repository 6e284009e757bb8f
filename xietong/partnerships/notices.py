"""The kinds of notification partnerships send to the members' admins (rendered when read)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from xietong.notifications.kinds import Kind, Params, register


def _partnership(pk: int | None, params: Params) -> str:
    return reverse("partnerships:detail", args=[pk]) if pk else ""


TARGET = "partnerships.partnership"

register(
    Kind(
        "partnerships.activated",
        text=lambda p: _("The partnership “%(name)s” is now active.") % p,
        link=_partnership,
        target=TARGET,
    ),
    Kind(
        "partnerships.ended",
        text=lambda p: _("The partnership “%(name)s” has ended.") % p,
        link=_partnership,
        target=TARGET,
    ),
)
