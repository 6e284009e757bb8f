"""Security alerts: something an account did that the security admin must look at.

An alert is an audit event (``security.alert``) — append-only and chained like every other —
which the security admin's page lists; nothing else stores it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from xietong import access
from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.accounts.models import AuditEvent
from xietong.core.errors import PermissionDenied

ALERT = "security.alert"


def raise_alert(actor: Actor, kind: str, detail: dict[str, Any] | None = None) -> AuditEvent:
    """Record an alert about ``actor``; call it in a transaction that commits."""
    return audit.record(actor, ALERT, detail={"kind": kind, **(detail or {})})


def count_recent(actor: Actor, action: str, within: dt.timedelta) -> int:
    """How often the actor's events of one kind were recorded lately (audit log is indexed
    by actor, action and time for this)."""
    if actor.user_id is None:
        return 0
    since = timezone.now() - within
    return AuditEvent.objects.filter(actor_id=actor.user_id, action=action, at__gte=since).count()


def recent_alerts(actor: Actor, days: int = 30) -> QuerySet[AuditEvent]:
    """The alerts of the last ``days`` days, newest first: the security admin's to read."""
    from django.utils.translation import gettext

    if not access.can(actor, "accounts.manage"):
        raise PermissionDenied(gettext("Only the security administrator reads security alerts."))
    since = timezone.now() - dt.timedelta(days=days)
    return AuditEvent.objects.filter(action=ALERT, at__gte=since).order_by("-at", "-id")
