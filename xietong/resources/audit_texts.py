"""The audit log's sentences for shared resources (see ``accounts.audit_reading``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.audit_reading import Events, by_pk, describe_all, object_type
from xietong.resources.models import Resource, Reviewer

GROUP = gettext_lazy("Shared resources")


def _resources(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(Resource.objects.only("title"), lambda r: {"name": r.title}, keys)


def _reviewers(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = Reviewer.objects.select_related("account", "region")
    return by_pk(qs, lambda r: {"name": f"{r.account.username} · {r.region.name}"}, keys)


object_type("resources.resource", gettext_lazy("shared resource"), _resources)
object_type("resources.reviewer", gettext_lazy("resource reviewer"), _reviewers)

EVENTS: Events = [
    (
        "resources.resource.create",
        gettext_lazy("Resource added"),
        lambda f: _("%(actor)s added the resource %(object)s") % f,
        {},
    ),
    (
        "resources.resource.edit",
        gettext_lazy("Resource changed"),
        lambda f: _("%(actor)s changed the resource %(object)s") % f,
        {},
    ),
    (
        "resources.resource.delete",
        gettext_lazy("Resource deleted"),
        lambda f: _("%(actor)s deleted the draft resource %(object)s") % f,
        {},
    ),
    (
        "resources.resource.submit",
        gettext_lazy("Resource submitted for review"),
        lambda f: _("%(actor)s submitted the resource %(object)s for review") % f,
        {},
    ),
    (
        "resources.resource.publish",
        gettext_lazy("Resource published"),
        lambda f: _("%(actor)s reviewed and published the resource %(object)s") % f,
        {},
    ),
    (
        "resources.resource.return",
        gettext_lazy("Resource returned"),
        lambda f: _("%(actor)s returned the resource %(object)s for changes") % f,
        {},
    ),
    (
        "resources.resource.withdraw",
        gettext_lazy("Resource withdrawn"),
        lambda f: _("%(actor)s withdrew the resource %(object)s") % f,
        {},
    ),
    (
        "resources.use.record",
        gettext_lazy("Use of a resource recorded"),
        lambda f: _("%(actor)s recorded a use of the resource %(object)s") % f,
        {},
    ),
    (
        "resources.rating.give",
        gettext_lazy("Resource rated"),
        lambda f: _("%(actor)s rated the resource %(object)s") % f,
        {},
    ),
    (
        "resources.reviewer.appoint",
        gettext_lazy("Reviewer appointed"),
        lambda f: _("%(actor)s appointed the reviewer %(object)s") % f,
        {},
    ),
    (
        "resources.reviewer.end",
        gettext_lazy("Reviewer appointment ended"),
        lambda f: _("%(actor)s ended the reviewer appointment %(object)s") % f,
        {},
    ),
]

describe_all(GROUP, EVENTS)
