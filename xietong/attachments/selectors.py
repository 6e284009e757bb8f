"""Every read of attachments: an attachment is visible exactly when its owner row is."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet

from xietong.accounts.access import Actor
from xietong.attachments import registry
from xietong.attachments.models import Attachment
from xietong.core.errors import NotFound

NOTHING = Q(pk__in=[])


def visible_q(actor: Actor) -> Q:
    """Attachments whose owner is in its registered ``readable(actor)``."""
    parts = [
        Q(
            owner_type=ContentType.objects.get_for_model(rules.model),
            owner_id__in=rules.readable(actor).values("pk"),
        )
        for rules in registry.registered_owners()
    ]
    return reduce(or_, parts, NOTHING)


def attachments_of(actor: Actor, owner: Model) -> QuerySet[Attachment]:
    """The attachments of ``owner``; none if the actor may not read the owner."""
    if not registry.can_read_owner(actor, owner):
        return Attachment.objects.none()
    return Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk
    ).select_related("uploaded_by")


def downloadable(actor: Actor, pk: int) -> Attachment:
    """One attachment the actor may read, else NotFound (an unknown id looks the same)."""
    att = (
        Attachment.objects.filter(visible_q(actor), pk=pk)
        .select_related("owner_type", "uploaded_by")
        .first()
    )
    if att is None:
        raise NotFound()
    return att
