"""Marking the actor's own notifications read."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from xietong.accounts.access import Actor
from xietong.exchanges.models import Notification


def mark_read(actor: Actor, ids: Sequence[int] | None = None) -> int:
    """Mark the given (or all) unread notifications of the actor read; returns how many."""
    if actor.user_id is None:
        return 0
    qs = Notification.objects.filter(user_id=actor.user_id, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
