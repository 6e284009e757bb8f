"""Writes to accounts: sign-in with lockout, users, role assignments, API tokens.

Managing accounts and roles is the security admin's duty alone (三员分立); no user may
hold more than one of the system admin, security admin and auditor roles.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong import access
from xietong.accounts import audit, sessions
from xietong.accounts.access import Actor, actor_for
from xietong.accounts.models import (
    AUTHORITY_ROLES,
    ApiToken,
    PasswordHistory,
    Role,
    RoleAssignment,
    User,
)
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.institutions.models import Institution, Staff
from xietong.regions.models import Region

TOKEN_PREFIX = "xt_"


# --- signing in -------------------------------------------------------------------------


class SignInRefused(InvalidInput):
    code = "sign_in_refused"
    status = 401


def authenticate(username: str, password: str) -> User:
    """Check a password; count failures and lock the account after too many.

    Every refusal reads the same and costs the same password hash whether the user name
    exists, is deactivated or is locked, so neither the answer nor its time tells which
    user names exist. The failure count is committed even though the sign-in is refused,
    so the refusal is raised only after the transaction has closed.
    """
    user, refused = _check_password(username, password)
    if refused:
        raise SignInRefused(
            _(
                "The user name or password is not correct, or the account is locked for a "
                "while after repeated failed sign-ins."
            )
        )
    assert user is not None
    return user


@transaction.atomic
def _check_password(username: str, password: str) -> tuple[User | None, bool]:
    user = User.objects.select_for_update().filter(username=(username or "").strip()).first()
    if user is None or not user.is_active:
        User().set_password(password)  # one hash, as checking a real account's costs
        return None, True
    correct = user.check_password(password)
    if user.is_locked:
        audit.record(None, "auth.refused_locked", target=user)
        return None, True
    if not correct:
        user.failed_logins += 1
        if user.failed_logins >= settings.XIETONG_MAX_FAILED_LOGINS:
            user.locked_until = timezone.now() + dt.timedelta(
                minutes=settings.XIETONG_LOCKOUT_MINUTES
            )
            user.failed_logins = 0
            user.save(update_fields=["failed_logins", "locked_until"])
            _end_access(user)
            audit.record(None, "auth.locked", target=user)
            return None, True
        user.save(update_fields=["failed_logins"])
        audit.record(None, "auth.failed", target=user)
        return None, True
    user.failed_logins = 0
    user.locked_until = None
    user.last_login = timezone.now()
    user.save(update_fields=["failed_logins", "locked_until", "last_login"])
    audit.record(actor_for(user), "auth.sign_in", target=user)
    return user, False


def _end_access(user: User, *, keep_session: str | None = None) -> None:
    """Revoke the user's tokens and end its sessions (after a lock, a deactivation or a new
    password): whoever held them must sign in again."""
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    sessions.end_all(user, keep=keep_session)


def password_expired(user: User) -> bool:
    """Whether the user must choose a new password before going on."""
    if user.must_change_password:
        return True
    days = settings.XIETONG_PASSWORD_MAX_AGE_DAYS
    if not days:
        return False
    changed = user.password_changed_at or user.date_joined
    return timezone.now() - changed > dt.timedelta(days=days)


def _reused(user: User, password: str) -> bool:
    """Whether ``password`` is the current one or one of the last few."""
    keep = settings.XIETONG_PASSWORD_HISTORY
    if user.has_usable_password() and user.check_password(password):
        return True
    older = PasswordHistory.objects.filter(user=user).values_list("password", flat=True)
    return any(check_password(password, h) for h in older[: max(keep - 1, 0)])


def _set_password(user: User, password: str) -> None:
    """Store a new password, remembering the old hash for the history rule."""
    if user.password and user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = settings.XIETONG_PASSWORD_HISTORY
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    user.set_password(password)
    user.password_changed_at = timezone.now()


# --- users and roles --------------------------------------------------------------------


def _require_security_admin(actor: Actor) -> None:
    if not access.can(actor, "accounts.manage"):
        raise PermissionDenied(_("Only the security administrator manages accounts and roles."))


def _validate_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as e:
        raise InvalidInput(fields={"password": list(e.messages)}) from None


@transaction.atomic
def create_user(
    actor: Actor, *, username: str, display_name: str, password: str, email: str = ""
) -> User:
    _require_security_admin(actor)
    username = (username or "").strip()
    user = User(username=username, display_name=(display_name or "").strip(), email=email)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as e:
        raise InvalidInput.from_validation_error(e) from None
    _validate_password(password, user)
    _set_password(user, password)
    user.save()
    audit.record(
        actor,
        "user.create",
        target=user,
        after={"username": user.username, "display_name": user.display_name},
    )
    return user


@transaction.atomic
def set_active(actor: Actor, user_pk: int, active: bool) -> User:
    _require_security_admin(actor)
    user = User.objects.select_for_update().filter(pk=user_pk).first()
    if user is None:
        raise NotFound()
    if user.pk == actor.user_id:
        raise PermissionDenied(_("You cannot deactivate your own account."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        _end_access(user)
    audit.record(actor, "user.activate" if active else "user.deactivate", target=user)
    return user


@transaction.atomic
def unlock_user(actor: Actor, user_pk: int) -> User:
    _require_security_admin(actor)
    user = User.objects.select_for_update().filter(pk=user_pk).first()
    if user is None:
        raise NotFound()
    user.locked_until = None
    user.failed_logins = 0
    user.save(update_fields=["locked_until", "failed_logins"])
    audit.record(actor, "user.unlock", target=user)
    return user


@transaction.atomic
def assign_role(
    actor: Actor,
    user_pk: int,
    role: str,
    *,
    region_code: str = "",
    institution_id: int | None = None,
    reauthenticated_at: Any = None,
) -> RoleAssignment:
    from xietong.accounts import second_factor

    _require_security_admin(actor)
    second_factor.require_recent(reauthenticated_at)
    user = User.objects.select_for_update().filter(pk=user_pk).first()
    if user is None:
        raise NotFound()
    if user.pk == actor.user_id:
        raise PermissionDenied(_("You cannot change your own roles."))
    if role not in Role.values:
        raise InvalidInput(fields={"role": [_("Unknown role: %(role)s") % {"role": role}]})
    held = set(user.roles.values_list("role", flat=True))
    conflict = separation_conflict(held, role)
    if conflict:
        raise Conflict(conflict)
    # A scope the role does not take is refused, not dropped: dropping it would turn an
    # intended scoped grant into a global one.
    if region_code and role not in AUTHORITY_ROLES:
        raise InvalidInput(fields={"region": [_("This role is not limited to a region.")]})
    if institution_id is not None and role != Role.INSTITUTION_ADMIN:
        raise InvalidInput(
            fields={"institution": [_("This role is not limited to an institution.")]}
        )
    region = institution = None
    if role in AUTHORITY_ROLES:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise InvalidInput(
                fields={"region": [_("Unknown region code: %(code)s") % {"code": region_code}]}
            )
    elif role == Role.INSTITUTION_ADMIN:
        institution = (
            Institution.objects.filter(pk=institution_id).first() if institution_id else None
        )
        if institution is None:
            raise InvalidInput(
                fields={"institution": [_("Choose the institution this role administers.")]}
            )
    elif role == Role.STAFF and not Staff.objects.filter(user=user).exists():
        raise InvalidInput(fields={"role": [_("Link this user to a staff record first.")]})
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, region=region, institution=institution
    )
    if not created:
        raise Conflict(_("This user already holds this role."))
    audit.record(
        actor,
        "role.assign",
        target=user,
        after={"role": role, "region": region_code or None, "institution": institution_id},
    )
    return assignment


def separation_conflict(held: set[str], role: str) -> str | None:
    """Why an account holding ``held`` may not also hold ``role`` (decision 0005), if so.

    The security admin and the auditor hold no other role at all; the system admin holds no
    business role but may keep its own staff record; business roles combine freely.
    """
    if not held or held == {role}:
        return None
    exclusive = {Role.SECURITY_ADMIN, Role.AUDITOR}
    if role in exclusive or held & exclusive:
        return _(
            "The security admin and the auditor hold no other role: give this duty to "
            "another account."
        )
    if role == Role.SYSTEM_ADMIN and held - {Role.STAFF}:
        return _("The system admin holds no business role besides its own staff record.")
    if Role.SYSTEM_ADMIN in held and role != Role.STAFF:
        return _("The system admin holds no business role besides its own staff record.")
    return None


@transaction.atomic
def revoke_role(actor: Actor, assignment_pk: int) -> None:
    _require_security_admin(actor)
    ra = RoleAssignment.objects.select_related("user").filter(pk=assignment_pk).first()
    if ra is None:
        raise NotFound()
    if ra.user_id == actor.user_id:
        raise PermissionDenied(_("You cannot change your own roles."))
    before = {"role": ra.role, "region": ra.region_id, "institution": ra.institution_id}
    ra.delete()
    audit.record(actor, "role.revoke", target=ra.user, before=before)


@transaction.atomic
def link_staff(actor: Actor, user_pk: int, staff_pk: int) -> None:
    _require_security_admin(actor)
    user = User.objects.filter(pk=user_pk).first()
    staff = Staff.objects.select_for_update().filter(pk=staff_pk).first()
    if user is None or staff is None:
        raise NotFound()
    if staff.user_id and staff.user_id != user.pk:
        raise Conflict(_("This staff record belongs to another account."))
    staff.user = user
    staff.save(update_fields=["user"])
    audit.record(actor, "user.link_staff", target=user, after={"staff": staff.pk})


@transaction.atomic
def change_password(actor: Actor, old: str, new: str, *, keep_session: str | None = None) -> None:
    """The user's own new password; other sessions and every token end with the old one."""
    if actor.user_id is None:
        raise PermissionDenied()
    user = User.objects.select_for_update().filter(pk=actor.user_id).first()
    if user is None:
        raise PermissionDenied()
    if not user.check_password(old):
        raise InvalidInput(fields={"old_password": [_("The current password is not correct.")]})
    _validate_password(new, user)
    if _reused(user, new):
        raise InvalidInput(
            fields={
                "password": [
                    _("Choose a password you have not used for your last %(n)d passwords.")
                    % {"n": settings.XIETONG_PASSWORD_HISTORY}
                ]
            }
        )
    _set_password(user, new)
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    _end_access(user, keep_session=keep_session)
    audit.record(actor, "user.password_change", target=user)


@transaction.atomic
def reset_password(actor: Actor, user_pk: int, new: str) -> User:
    """The security admin sets a temporary password; the user must change it at sign-in."""
    _require_security_admin(actor)
    user = User.objects.select_for_update().filter(pk=user_pk).first()
    if user is None:
        raise NotFound()
    if user.pk == actor.user_id:
        raise PermissionDenied(_("Change your own password under “My account”."))
    if user.roles.filter(role=Role.SECURITY_ADMIN).exists():
        raise PermissionDenied(
            _("A security admin's password is reset by the system's operators, not by a peer.")
        )
    _validate_password(new, user)
    _set_password(user, new)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    user.save(
        update_fields=[
            "password",
            "password_changed_at",
            "must_change_password",
            "failed_logins",
            "locked_until",
        ]
    )
    _end_access(user)
    audit.record(actor, "user.password_reset", target=user)
    return user


# --- API tokens ---------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_token(actor: Actor, name: str, days: int | None = 90) -> tuple[ApiToken, str]:
    """A new token for the actor's own account; the plain text is shown once.

    Every token expires, after at most ``XIETONG_TOKEN_MAX_DAYS`` days.
    """
    if actor.user_id is None:
        raise PermissionDenied()
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise InvalidInput(fields={"name": [_("Give the token a name of 1 to 50 characters.")]})
    longest = settings.XIETONG_TOKEN_MAX_DAYS
    if days is None or not 1 <= days <= longest:
        raise InvalidInput(
            fields={"days": [_("A token is valid for 1 to %(n)d days.") % {"n": longest}]}
        )
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user_id=actor.user_id,
        name=name,
        prefix=plain[:8],
        digest=_digest(plain),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit.record(actor, "token.create", target=token)
    return token, plain


@transaction.atomic
def revoke_token(actor: Actor, token_pk: int) -> None:
    if actor.user_id is None:
        raise PermissionDenied()
    token = ApiToken.objects.filter(pk=token_pk, user_id=actor.user_id).first()
    if token is None:
        raise NotFound()
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor, "token.revoke", target=token)


def user_for_token(plain: str) -> User | None:
    """The active user a valid, unexpired, unrevoked token belongs to."""
    token = token_for(plain)
    return token.user if token is not None else None


def token_for(plain: str) -> ApiToken | None:
    """The valid, unexpired, unrevoked token of an active user, with its user."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(plain)).first()
    now = timezone.now()
    if token is None or token.revoked_at or token.expires_at is None or token.expires_at < now:
        return None
    if not token.user.is_active or token.user.is_locked or password_expired(token.user):
        return None
    if not token.last_used_at or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def start_audit_verification(actor: Actor) -> Any:
    """Queue a verification of the audit chain (the auditor's); one at a time."""
    from xietong.accounts.tasks import VERIFY_JOB
    from xietong.jobs import services as jobs
    from xietong.jobs.choices import UNFINISHED
    from xietong.jobs.models import Job

    if not access.can(actor, "audit.read"):
        raise PermissionDenied(_("Only the auditor verifies the audit chain."))
    running = Job.objects.filter(kind=VERIFY_JOB, status__in=list(UNFINISHED)).first()
    if running is not None:
        raise Conflict(_("A verification of the audit chain is already under way."))
    job = jobs.enqueue(actor, VERIFY_JOB)
    audit.record(actor, "audit.verify", target=job)
    return job
