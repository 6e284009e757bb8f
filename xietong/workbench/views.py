"""The home page: a workbench of what waits for the signed-in user, role by role.

It only composes the selectors of the apps that own the data — the queues they register
(:mod:`xietong.workbench.queues`), the registry's and the region's counts, accounts' states
and the audit log's, the reader's notifications — each of which applies the access rules;
the page holds none of its own. Every panel shows counts and the first few rows, each
linked to where the work is done.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xietong import access
from xietong.accounts import alerts, audit_reading
from xietong.accounts import selectors as accounts
from xietong.exchanges import agenda
from xietong.institutions import selectors as registry
from xietong.notifications import selectors as notifications
from xietong.workbench.queues import INSTITUTION, LIMIT, PERSON, REGION, Queue, queues_for

NOTIFICATIONS_SHOWN = 5


def _split(queues: list[Queue]) -> dict[str, list[Queue]]:
    """Queues with rows (or a note) as panels; the empty ones as one line of links."""
    busy = [q for q in queues if q.items or q.note]
    return {"busy": busy, "clear": [q for q in queues if q not in busy]}


def _section(actor: Any, audience: str) -> dict[str, Any] | None:
    """The queues of one audience, or None when none of them is the actor's."""
    found = queues_for(actor, audience)
    return {"queues": _split(found)} if found else None


def _authority(actor: Any) -> dict[str, Any] | None:
    if not access.can(actor, "registry.region"):
        return None
    codes = {ra.region.code for ra in accounts.roles_of(actor) if ra.region is not None}
    return {
        "area": codes.pop() if len(codes) == 1 else "",
        "counts": registry.region_counts(actor),
        "exchanges": agenda.region_exchanges(actor),
        "queues": _split(queues_for(actor, REGION)),
    }


def _security(actor: Any) -> dict[str, Any] | None:
    if not access.can(actor, "accounts.manage"):
        return None
    locked = accounts.users_for(actor, state="locked").prefetch_related(None)
    recent = alerts.recent_alerts(actor)
    return {
        "states": accounts.account_states(actor),
        "locked": list(locked[:LIMIT]),
        "alerts": audit_reading.render(list(recent[:LIMIT])),
        "alert_count": recent.count(),
    }


def _audit(actor: Any) -> dict[str, Any] | None:
    if not access.can(actor, "audit.read"):
        return None
    return {
        "today": accounts.audit_events_today(actor),
        "verification": accounts.last_audit_verification(actor),
    }


def _notifications(actor: Any) -> dict[str, Any]:
    unread = notifications.notifications_for(actor, unread=True)
    shown = [notifications.render(n) for n in unread[:NOTIFICATIONS_SHOWN]]
    count = len(shown) if len(shown) < NOTIFICATIONS_SHOWN else unread.count()
    return {"items": shown, "count": count, "more": count - len(shown)}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    context = {
        "teacher": _section(actor, PERSON),
        "school": _section(actor, INSTITUTION),
        "authority": _authority(actor),
        "security": _security(actor),
        "audit": _audit(actor),
        "counts": (
            registry.institution_counts(actor) if access.can(actor, "registry.overview") else None
        ),
        "notifications": _notifications(actor),
    }
    return render(request, "workbench/home.html", context)
