"""Writes to accounts: sign-in with lockout, users, role assignments, API tokens.

Managing accounts and roles is the security admin's duty alone (三员分立); no user may
hold more than one of the system admin, security admin and auditor roles.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong import access
from xietong.accounts import audit
from xietong.accounts.access import Actor, actor_for
from xietong.accounts.models import (
    AUTHORITY_ROLES,
    SEPARATED_ROLES,
    ApiToken,
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

    The failure count is committed even though the sign-in is refused, so the refusal is
    raised only after the transaction has closed.
    """
    user, refusal = _check_password(username, password)
    if refusal is not None:
        raise SignInRefused(refusal)
    assert user is not None
    return user


@transaction.atomic
def _check_password(username: str, password: str) -> tuple[User | None, str | None]:
    generic = _("The user name or password is not correct.")
    user = User.objects.select_for_update().filter(username=(username or "").strip()).first()
    if user is None or not user.is_active:
        return None, generic
    if user.is_locked:
        assert user.locked_until is not None
        until = timezone.localtime(user.locked_until).strftime("%H:%M")
        return None, _("This account is locked after repeated failed sign-ins until %(time)s.") % {
            "time": until
        }
    if not user.check_password(password):
        user.failed_logins += 1
        if user.failed_logins >= settings.XIETONG_MAX_FAILED_LOGINS:
            user.locked_until = timezone.now() + dt.timedelta(
                minutes=settings.XIETONG_LOCKOUT_MINUTES
            )
            user.failed_logins = 0
            user.save(update_fields=["failed_logins", "locked_until"])
            audit.record(None, "auth.locked", target=user)
            return None, _("Too many failed sign-ins: the account is locked for %(m)d minutes.") % {
                "m": settings.XIETONG_LOCKOUT_MINUTES
            }
        user.save(update_fields=["failed_logins"])
        audit.record(None, "auth.failed", target=user)
        return None, generic
    user.failed_logins = 0
    user.locked_until = None
    user.last_login = timezone.now()
    user.save(update_fields=["failed_logins", "locked_until", "last_login"])
    audit.record(actor_for(user), "auth.sign_in", target=user)
    return user, None


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
    user.set_password(password)
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
) -> RoleAssignment:
    _require_security_admin(actor)
    user = User.objects.select_for_update().filter(pk=user_pk).first()
    if user is None:
        raise NotFound()
    if user.pk == actor.user_id:
        raise PermissionDenied(_("You cannot change your own roles."))
    if role not in Role.values:
        raise InvalidInput(fields={"role": [_("Unknown role: %(role)s") % {"role": role}]})
    held = set(user.roles.values_list("role", flat=True))
    if role in SEPARATED_ROLES and (held & SEPARATED_ROLES) - {role}:
        raise Conflict(
            _(
                "System admin, security admin and auditor must be different people; "
                "this user already holds one of these roles."
            )
        )
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
def change_password(actor: Actor, old: str, new: str) -> None:
    if actor.user_id is None:
        raise PermissionDenied()
    user = User.objects.select_for_update().filter(pk=actor.user_id).first()
    if user is None:
        raise PermissionDenied()
    if not user.check_password(old):
        raise InvalidInput(fields={"old_password": [_("The current password is not correct.")]})
    _validate_password(new, user)
    user.set_password(new)
    user.save(update_fields=["password"])
    audit.record(actor, "user.password_change", target=user)


# --- API tokens ---------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_token(actor: Actor, name: str, days: int | None = 90) -> tuple[ApiToken, str]:
    """A new token for the actor's own account; the plain text is shown once."""
    if actor.user_id is None:
        raise PermissionDenied()
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise InvalidInput(fields={"name": [_("Give the token a name of 1 to 50 characters.")]})
    if days is not None and not 1 <= days <= 366:
        raise InvalidInput(fields={"days": [_("A token is valid for 1 to 366 days.")]})
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user_id=actor.user_id,
        name=name,
        prefix=plain[:8],
        digest=_digest(plain),
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
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
    if not plain.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(plain)).first()
    now = timezone.now()
    if token is None or token.revoked_at or (token.expires_at and token.expires_at < now):
        return None
    if not token.user.is_active:
        return None
    if not token.last_used_at or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
