"""The notifications of shared resources (rendered in the reader's language when read)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from xietong.core.codes import SUBJECTS
from xietong.notifications.kinds import Kind, Params, register


def _resource(pk: int | None, params: Params) -> str:
    return reverse("resources:detail", args=[pk]) if pk else ""


RESOURCE = "resources.resource"

register(
    Kind(
        "resources.submitted",
        text=lambda p: _("%(provider)s submitted “%(title)s” for review.") % p,
        link=_resource,
        target=RESOURCE,
    ),
    Kind(
        "resources.published",
        text=lambda p: _("“%(title)s” was reviewed and published.") % p,
        link=_resource,
        target=RESOURCE,
    ),
    Kind(
        "resources.returned",
        text=lambda p: _("“%(title)s” was returned for changes: %(comment)s") % p,
        link=_resource,
        target=RESOURCE,
    ),
    Kind(
        "resources.withdrawn",
        text=lambda p: _("“%(title)s” was withdrawn: %(reason)s") % p,
        link=_resource,
        target=RESOURCE,
    ),
    Kind(
        "resources.appointed",
        text=lambda p: (
            _("You were appointed reviewer of %(subject)s resources in %(region)s.")
            % {**p, "subject": SUBJECTS.label(p["subject"])}
        ),
        link=lambda pk, p: reverse("resources:reviews"),
        target="resources.reviewer",
    ),
)
