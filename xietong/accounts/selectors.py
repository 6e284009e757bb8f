"""Reads of accounts and the audit log, each for the one role allowed to read it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from xietong import access
from xietong.accounts.access import Actor
from xietong.accounts.models import ApiToken, AuditEvent, RoleAssignment, User
from xietong.core.errors import NotFound, PermissionDenied


def _deny_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""


def audit_events_for(actor: Actor, filters: AuditFilters | None = None) -> QuerySet[AuditEvent]:
    """The audit log: readable by the auditor only."""
    from django.utils.translation import gettext

    _deny_unless(access.can(actor, "audit.read"), gettext("Only the auditor reads the audit log."))
    f = filters or AuditFilters()
    qs = AuditEvent.objects.all()
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.actor:
        qs = qs.filter(actor_name__icontains=f.actor)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    return qs


def users_for(actor: Actor, q: str = "") -> QuerySet[User]:
    """Accounts with their roles: the security admin's list."""
    from django.utils.translation import gettext

    _deny_unless(
        access.can(actor, "accounts.manage"),
        gettext("Only the security administrator manages accounts."),
    )
    qs = User.objects.order_by("username").prefetch_related(
        Prefetch(
            "roles",
            queryset=RoleAssignment.objects.select_related("region", "institution").order_by("id"),
        )
    )
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    return qs


def user_detail(actor: Actor, pk: int) -> User:
    user = users_for(actor).filter(pk=pk).first()
    if user is None:
        raise NotFound()
    return user


def tokens_of(actor: Actor) -> QuerySet[ApiToken]:
    """The actor's own API tokens."""
    if actor.user_id is None:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=actor.user_id)


def roles_of(actor: Actor) -> QuerySet[RoleAssignment]:
    """The actor's own role assignments with their scopes (page header, "my account")."""
    if actor.user_id is None:
        return RoleAssignment.objects.none()
    return (
        RoleAssignment.objects.filter(user_id=actor.user_id)
        .select_related("region", "institution")
        .order_by("id")
    )
