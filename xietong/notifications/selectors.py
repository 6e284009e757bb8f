"""Reading notifications: only the reader's own, rendered in the active language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.db.models import QuerySet

from xietong.accounts.access import Actor
from xietong.core.paging import paginate
from xietong.notifications import kinds
from xietong.notifications.models import Notification


@dataclass(frozen=True)
class Rendered:
    """A notification as its reader sees it now."""

    id: int
    code: str
    text: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def notifications_for(actor: Actor, *, unread: bool = False) -> QuerySet[Notification]:
    if actor.user_id is None:
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient_id=actor.user_id).order_by("-id")
    return qs.filter(read_at__isnull=True) if unread else qs


def render(n: Notification) -> Rendered:
    return Rendered(
        id=n.pk,
        code=n.code,
        text=kinds.render_text(n.code, n.params),
        link=kinds.render_link(n.code, n.target_id, n.params),
        created_at=n.created_at,
        read_at=n.read_at,
    )


def page_for(actor: Actor, page: Any, size: Any, *, unread: bool = False) -> Page[Any]:
    """One page of the reader's notifications, newest first, each rendered."""
    p = paginate(notifications_for(actor, unread=unread), page, size)
    p.object_list = [render(n) for n in p.object_list]
    return p


def notification_for(actor: Actor, pk: int) -> Rendered | None:
    """One of the reader's own notifications (None for anyone else's)."""
    if not 0 < pk < 2**63:
        return None
    n = notifications_for(actor).filter(pk=pk).first()
    return render(n) if n is not None else None


def unread_count(actor: Actor) -> int:
    return notifications_for(actor, unread=True).count()
