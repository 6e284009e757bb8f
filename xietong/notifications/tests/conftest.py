"""A kind of notification that only the tests send: a welcome pointing at an institution."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from xietong.notifications.kinds import Kind, register

register(
    Kind(
        "tests.welcome",
        text=lambda p: _("Welcome, %(name)s.") % p,
        link=lambda pk, p: reverse("institutions:detail", args=[pk]),
        target="institutions.institution",
    ),
    Kind("tests.external", text=lambda p: "see elsewhere", link=lambda pk, p: p["url"]),
)
