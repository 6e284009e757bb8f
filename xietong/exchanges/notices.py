"""The kinds of notification exchanges sends (rendered when read, in the reader's language).

Parameters hold names as they were when the notification was sent (a program's title, a
host's name); words the reader's language decides (a return duty's kind) are stored as
codes and translated here.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from xietong.exchanges.choices import DutyKind
from xietong.notifications.kinds import Kind, Params, register


def _application(pk: int | None, params: Params) -> str:
    return reverse("exchanges:application_detail", args=[pk]) if pk else ""


def _placement(pk: int | None, params: Params) -> str:
    return reverse("exchanges:placement_detail", args=[pk]) if pk else ""


def _duty_text(p: Params) -> str:
    kind = DutyKind(p["kind"]).label if p["kind"] in DutyKind.values else p["kind"]
    return _("Return duty at home: %(kind)s by %(date)s.") % {"kind": kind, "date": p["date"]}


APP = "exchanges.application"
PLACEMENT = "exchanges.placement"

register(
    Kind(
        "exchanges.application_submitted",
        text=lambda p: _("Application of %(name)s to “%(program)s” submitted.") % p,
        link=_application,
        target=APP,
    ),
    Kind(
        "exchanges.application_recommended",
        text=lambda p: _("%(home)s recommends %(name)s for “%(program)s”.") % p,
        link=_application,
        target=APP,
    ),
    Kind(
        "exchanges.application_approved",
        text=lambda p: _("Your application to “%(program)s” was approved.") % p,
        link=_application,
        target=APP,
    ),
    Kind(
        "exchanges.application_rejected",
        text=lambda p: _("Your application to “%(program)s” was rejected: %(reason)s") % p,
        link=_application,
        target=APP,
    ),
    Kind(
        "exchanges.application_withdrawn",
        text=lambda p: _("The application of %(name)s to “%(program)s” was withdrawn.") % p,
        link=_application,
        target=APP,
    ),
    Kind(
        "exchanges.application_placed",
        text=lambda p: _("You were placed at %(host)s.") % p,
        link=_application,
        target=APP,
    ),
    Kind(
        "exchanges.application_confirmed",
        text=lambda p: _("%(name)s confirmed the place at %(host)s from %(start)s.") % p,
        link=_application,
        target=APP,
    ),
    Kind(
        "exchanges.application_completed",
        text=lambda p: _("Your exchange in “%(program)s” is complete.") % p,
        link=_application,
        target=APP,
    ),
    Kind(
        "exchanges.run_published_matched",
        text=lambda p: (
            _("Matching for “%(program)s” is published: you were matched to %(host)s.") % p
        ),
        link=_application,
        target=APP,
    ),
    Kind(
        "exchanges.run_published_unmatched",
        text=lambda p: _("Matching for “%(program)s” is published: no place this time.") % p,
        link=_application,
        target=APP,
    ),
    Kind(
        "exchanges.placement_started",
        text=lambda p: _("Your placement at %(host)s has started.") % p,
        link=_placement,
        target=PLACEMENT,
    ),
    Kind(
        "exchanges.placement_completed",
        text=lambda p: (
            _("The placement of %(name)s at %(host)s is complete; the return duty at home follows.")
            % p
        ),
        link=_placement,
        target=PLACEMENT,
    ),
    Kind(
        "exchanges.placement_ended_teacher",
        text=lambda p: (
            _("Your placement at %(host)s ended on %(date)s: please write your completion report.")
            % p
        ),
        link=_placement,
        target=PLACEMENT,
    ),
    Kind(
        "exchanges.placement_ended_host",
        text=lambda p: (
            _(
                "The placement of %(name)s at %(host)s ended on %(date)s: please write the "
                "host's completion report."
            )
            % p
        ),
        link=_placement,
        target=PLACEMENT,
    ),
    Kind("exchanges.duty_added", text=_duty_text, link=_placement, target=PLACEMENT),
    # Notifications written before codes existed: their sentence was frozen when sent.
    Kind(
        "exchanges.legacy",
        text=lambda p: str(p["text"]),
        link=_application,
        target=APP,
    ),
)
