"""Reads of accounts and the audit log, each for the one role allowed to read it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

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


USER_STATES = ("locked", "must_change", "inactive")


def _state_q(state: str) -> Q:
    """Accounts in one of ``USER_STATES`` (locked now, told to change the password, off)."""
    if state == "locked":
        return Q(locked_until__gt=timezone.now())
    if state == "must_change":
        return Q(must_change_password=True, is_active=True)
    if state == "inactive":
        return Q(is_active=False)
    return Q()


def users_for(actor: Actor, q: str = "", state: str = "") -> QuerySet[User]:
    """Accounts with their roles: the security admin's list."""
    from django.utils.translation import gettext

    _deny_unless(
        access.can(actor, "accounts.manage"),
        gettext("Only the security administrator manages accounts."),
    )
    qs = User.objects.order_by("username").prefetch_related(
        Prefetch(
            "roles",
            queryset=RoleAssignment.objects.select_related(
                "region", "institution", "user__staff_record__institution"
            ).order_by("id"),
        )
    )
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    if state:
        qs = qs.filter(_state_q(state))
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
        .select_related("region", "institution", "user__staff_record__institution")
        .order_by("id")
    )


def account_states(actor: Actor) -> dict[str, int]:
    """How many accounts are locked, must change their password, are deactivated (one
    query): the security admin's workbench."""
    users_for(actor)  # refuses anyone but the security admin
    return User.objects.aggregate(**{s: Count("pk", filter=_state_q(s)) for s in USER_STATES})


def audit_events_today(actor: Actor) -> int:
    """Events recorded since midnight (Asia/Shanghai): the auditor's workbench."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return audit_events_for(actor).filter(at__gte=start).count()


def last_audit_verification(actor: Actor) -> Any:
    """The newest verification job of the audit chain (by any auditor), or None."""
    from xietong.accounts.tasks import VERIFY_JOB
    from xietong.jobs.selectors import jobs_for

    audit_events_for(actor)  # refuses anyone but the auditor
    return jobs_for(actor).filter(kind=VERIFY_JOB).order_by("-id").first()
