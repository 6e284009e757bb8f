"""Signed-in sessions: registered at sign-in, limited per account, ended on demand.

Django keeps the session data; :class:`~xietong.accounts.models.UserSession` keeps which
sessions an account has, so a user can see them and sign the others out, and so a password
change, a lock-out or a deactivation can end them all. Ending a session deletes Django's
session row in the same transaction, so its next request is simply not signed in: no check
runs on every request.

Sessions are registered from the ``user_logged_in`` signal, so every way of signing in
(the sign-in page, the test client's ``force_login``) counts.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import timezone

from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.accounts.models import User, UserSession
from xietong.core.errors import NotFound, PermissionDenied


def _drop_session_data(keys: list[str]) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()


@transaction.atomic
def register(user: User, session_key: str, *, ip: str | None, user_agent: str) -> UserSession:
    """Record a new sign-in; beyond the account's limit the least recently used end."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one sign-in at a time
    row, _ = UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": user, "ip": ip or None, "user_agent": (user_agent or "")[:200]},
    )
    UserSession.objects.filter(user=user).exclude(
        session_key__in=live(UserSession.objects.filter(user=user)).values("session_key")
    ).delete()  # expired ones
    limit = settings.XIETONG_MAX_SESSIONS
    surplus = list(
        UserSession.objects.filter(user=user)
        .exclude(pk=row.pk)
        .order_by("-created_at", "-id")
        .values_list("session_key", flat=True)[limit - 1 :]
    )
    if surplus:
        UserSession.objects.filter(session_key__in=surplus).delete()
        _drop_session_data(surplus)
        audit.record(None, "session.end_oldest", target=user, detail={"ended": len(surplus)})
    return row


def live(rows: QuerySet[UserSession]) -> QuerySet[UserSession]:
    """Those whose Django session has not expired (idle sessions expire on their own)."""
    alive = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return rows.filter(session_key__in=alive)


def sessions_of(actor: Actor) -> list[UserSession]:
    """The actor's live sessions, most recently used first, each with ``last_seen_at`` set.

    Sessions are saved on every request (the idle timeout), so the last request was the
    session's expiry time less its age.
    """
    if actor.user_id is None:
        return []
    rows = list(live(UserSession.objects.filter(user_id=actor.user_id)))
    expiry = dict(
        Session.objects.filter(session_key__in=[r.session_key for r in rows]).values_list(
            "session_key", "expire_date"
        )
    )
    age = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    for row in rows:
        if row.session_key in expiry:
            row.last_seen_at = max(row.created_at, expiry[row.session_key] - age)
    return sorted(rows, key=lambda r: r.last_seen_at, reverse=True)


@transaction.atomic
def end(actor: Actor, pk: int, *, current_key: str | None) -> None:
    """Sign out one of the actor's own other sessions."""
    row = (
        UserSession.objects.filter(user_id=actor.user_id, pk=pk).select_related("user").first()
        if actor.user_id is not None
        else None
    )
    if row is None:
        raise NotFound()
    if row.session_key == current_key:
        from django.utils.translation import gettext as _

        raise PermissionDenied(_("Use “Sign out” to end the session you are using."))
    row.delete()
    _drop_session_data([row.session_key])
    audit.record(actor, "session.end", target=row.user)


def end_all(user: User, *, keep: str | None = None) -> int:
    """End every session of the user (but ``keep``); in the caller's transaction."""
    rows = UserSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    rows.delete()
    _drop_session_data(keys)
    return len(keys)


def _client_ip(request: Any) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@receiver(user_logged_in, dispatch_uid="xietong.accounts.sessions.register")
def _on_sign_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session") or not request.session.session_key:
        return
    register(
        user,
        request.session.session_key,
        ip=_client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


@receiver(user_logged_out, dispatch_uid="xietong.accounts.sessions.forget")
def _on_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()
