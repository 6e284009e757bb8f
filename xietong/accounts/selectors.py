"""Reads of accounts and the audit log, each for the one role allowed to read it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from xietong import access
from xietong.accounts import audit_reading
from xietong.accounts.access import Actor
from xietong.accounts.models import ApiToken, AuditEvent, RoleAssignment, User
from xietong.core.errors import InvalidInput, NotFound, PermissionDenied
from xietong.core.filters import DateTextField, option
from xietong.core.paging import KeysetPage, keyset_paginate


def _deny_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


@dataclass(frozen=True)
class AuditFilters:
    """The audit log's filters (page, API and export alike); the log pages newest first."""

    start: str = option("", label=gettext_lazy("From"), field=DateTextField)
    end: str = option("", label=gettext_lazy("To"), field=DateTextField)
    actor_id: int | None = option(
        None,
        label=gettext_lazy("Actor"),
        param="actor",
        picker="audit_actors",
        empty=gettext_lazy("Anyone"),
    )
    action: str = option(
        "",
        label=gettext_lazy("Action"),
        choices=audit_reading.action_choices,
        empty=gettext_lazy("All actions"),
    )
    object_type: str = option(
        "",
        label=gettext_lazy("Object type"),
        choices=audit_reading.object_type_choices,
        empty=gettext_lazy("All object types"),
    )
    object_id: str = option("", label=gettext_lazy("Object id"), max_length=40)


AUDIT_KEYSET = ("-id",)  # newest first: the chain's order, and the primary key's index


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def audit_period(f: AuditFilters) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The filters' first and last day as a half-open range of times in the platform's zone
    (``at >= start`` and ``at < end``); refuses an end before the start."""
    from django.utils.translation import gettext

    first = dt.date.fromisoformat(f.start) if f.start else None
    last = dt.date.fromisoformat(f.end) if f.end else None
    if first and last and last < first:
        raise InvalidInput(fields={"end": [gettext("The last day comes before the first day.")]})
    try:
        end = _day_start(last + dt.timedelta(days=1)) if last else None
    except OverflowError:
        end = None  # 9999-12-31: no end
    return (_day_start(first) if first else None), end


def audit_events_for(actor: Actor, filters: AuditFilters | None = None) -> QuerySet[AuditEvent]:
    """The audit log: readable by the auditor only."""
    from django.utils.translation import gettext

    _deny_unless(access.can(actor, "audit.read"), gettext("Only the auditor reads the audit log."))
    f = filters or AuditFilters()
    qs = AuditEvent.objects.all()
    start, end = audit_period(f)
    if start is not None:
        qs = qs.filter(at__gte=start)
    if end is not None:
        qs = qs.filter(at__lt=end)
    if f.actor_id is not None:
        qs = qs.filter(actor_id=f.actor_id)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    return qs


USER_STATES = ("locked", "must_change", "inactive")
USER_STATE_CHOICES = [
    ("locked", gettext_lazy("Locked")),
    ("must_change", gettext_lazy("Must change the password")),
    ("inactive", gettext_lazy("Deactivated")),
]


@dataclass(frozen=True)
class UserFilters:
    """The account list's filters (its search form and its export alike)."""

    q: str = option(
        "",
        label=gettext_lazy("Search"),
        max_length=150,
        placeholder=gettext_lazy("User name or name"),
    )
    state: str = option(
        "",
        label=gettext_lazy("Status"),
        choices=USER_STATE_CHOICES,
        empty=gettext_lazy("All accounts"),
    )


def _state_q(state: str) -> Q:
    """Accounts in one of ``USER_STATES`` (locked now, told to change the password, off)."""
    if state == "locked":
        return Q(locked_until__gt=timezone.now())
    if state == "must_change":
        return Q(must_change_password=True, is_active=True)
    if state == "inactive":
        return Q(is_active=False)
    return Q()


def audit_page(actor: Actor, filters: AuditFilters, cursor: str, size: Any) -> KeysetPage:
    """A keyset page of the log, newest first, each event in words (names looked up once
    per object type on the page)."""
    page = keyset_paginate(audit_events_for(actor, filters), cursor, size, AUDIT_KEYSET)
    audit_reading.render(page.object_list)
    return page


def audit_actors(actor: Actor, q: str = "") -> QuerySet[User]:
    """Accounts the auditor may pick to read what they did (the actor filter's picker)."""
    if not access.can(actor, "audit.read"):
        return User.objects.none()
    qs = User.objects.order_by("username", "id")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    return qs


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
