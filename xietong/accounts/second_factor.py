"""The second factor: TOTP (RFC 6238) with recovery codes, and recent re-authentication.

GB/T 22239-2019 level 3 asks administrators to sign in with two authentication
techniques. Every administrative and authority role (``ROLES_NEEDING_TOTP``) enrols an
authenticator app at its first sign-in and gives a code at every sign-in after that;
ten one-time recovery codes stand in for a lost phone; the security admin can reset the
enrolment. Sensitive operations (revealing or exporting personal data, granting roles)
also ask for a recent re-authentication: the password again, and the code where enrolled.

The whole mechanism is switched by ``XIETONG_REQUIRE_2FA`` (production: on; ``make demo``:
off, which its sign-in page says) and ``XIETONG_REQUIRE_REAUTH``.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import time

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong import access
from xietong.accounts import audit, sessions
from xietong.accounts.access import Actor
from xietong.accounts.models import ApiToken, RecoveryCode, Role, TotpDevice, User
from xietong.core import crypto
from xietong.core.errors import InvalidInput, NotFound, PermissionDenied

ROLES_NEEDING_TOTP = {
    Role.AUTHORITY_ADMIN,
    Role.AUTHORITY_VIEWER,
    Role.INSTITUTION_ADMIN,
    Role.SYSTEM_ADMIN,
    Role.SECURITY_ADMIN,
    Role.AUDITOR,
}
STEP = 30  # seconds
DIGITS = 6
WINDOW = 1  # steps of clock drift accepted either way
RECOVERY_CODES = 10
MAX_FAILURES = 5
ISSUER = "Xietong"


class SecondFactorRefused(InvalidInput):
    code = "second_factor_refused"
    status = 401


class ReauthenticationRequired(PermissionDenied):
    code = "reauthentication_required"
    step_url = "accounts:reauthenticate"  # pages send the user there and back


# --- who needs it ---------------------------------------------------------------------


def required_for(user: User) -> bool:
    if not settings.XIETONG_REQUIRE_2FA:
        return False
    return user.roles.filter(role__in=ROLES_NEEDING_TOTP).exists()


def enrolled(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


# --- TOTP -----------------------------------------------------------------------------


def _totp(secret: bytes) -> TOTP:
    return TOTP(secret, DIGITS, SHA1(), STEP, enforce_key_length=False)


def new_secret() -> bytes:
    return secrets.token_bytes(20)


def provisioning_uri(user: User, secret: bytes) -> str:
    return _totp(secret).get_provisioning_uri(user.username, ISSUER)


def secret_text(secret: bytes) -> str:
    """The secret as authenticator apps let one type it: base32 in groups of four."""
    text = base64.b32encode(secret).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _matching_step(secret: bytes, code: str, now: float) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == DIGITS):
        return None
    step = int(now // STEP)
    for s in range(step - WINDOW, step + WINDOW + 1):
        try:
            _totp(secret).verify(code.encode(), s * STEP)
        except InvalidToken:
            continue
        return s
    return None


def _seal(user: User, secret: bytes) -> bytes:
    return crypto.seal("totp", secret, associated=str(user.pk).encode())


def _unseal(device: TotpDevice) -> bytes:
    return crypto.unseal(
        "totp", bytes(device.sealed_secret), associated=str(device.user_id).encode()
    )


@transaction.atomic
def confirm_enrolment(user: User, secret: bytes, code: str) -> list[str]:
    """Enrol the app whose secret the user scanned, proven by one code; returns the
    recovery codes, shown once."""
    step = _matching_step(secret, code, time.time())
    if step is None:
        raise InvalidInput(
            fields={"code": [_("That code does not match. Type the six digits the app shows now.")]}
        )
    TotpDevice.objects.update_or_create(
        user=user,
        defaults={
            "sealed_secret": _seal(user, secret),
            "confirmed_at": timezone.now(),
            "last_step": step,
            "failures": 0,
        },
    )
    codes = _new_recovery_codes(user)
    audit.record(None, "auth.second_factor_enrolled", target=user)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        f"{secrets.randbelow(10**5):05d}-{secrets.randbelow(10**5):05d}"
        for _ in range(RECOVERY_CODES)
    ]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=make_password(c)) for c in codes]
    )
    return codes


def check(user: User, code: str, *, now: float | None = None) -> None:
    """Accept a current code (never one already used) or an unused recovery code.

    Wrong codes count; after ``MAX_FAILURES`` the account is locked as after wrong
    passwords. Raises :class:`SecondFactorRefused` with the reason.
    """
    refusal = _check(user, code, time.time() if now is None else now)
    if refusal:
        raise SecondFactorRefused(refusal)


@transaction.atomic
def _check(user: User, code: str, now: float) -> str | None:
    device = (
        TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    )
    if device is None:
        return _("Set up your authenticator app first.")
    step = _matching_step(_unseal(device), code, now)
    if step is not None and step > device.last_step:
        device.last_step = step
        device.failures = 0
        device.save(update_fields=["last_step", "failures"])
        return None
    if step is None and _use_recovery_code(user, code):
        device.failures = 0
        device.save(update_fields=["failures"])
        audit.record(None, "auth.recovery_code_used", target=user)
        return None
    device.failures += 1
    if device.failures >= MAX_FAILURES:
        device.failures = 0
        User.objects.filter(pk=user.pk).update(
            locked_until=timezone.now() + dt.timedelta(minutes=settings.XIETONG_LOCKOUT_MINUTES)
        )
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        sessions.end_all(user)
        audit.record(None, "auth.locked", target=user, detail={"by": "second_factor"})
    device.save(update_fields=["failures"])
    audit.record(None, "auth.second_factor_failed", target=user)
    if step is not None:
        return _("That code was used already. Wait for the next one.")
    return _("That code is not correct.")


def _use_recovery_code(user: User, code: str) -> bool:
    code = (code or "").strip()
    if len(code) != 11:
        return False
    for rc in RecoveryCode.objects.select_for_update().filter(user=user, used_at__isnull=True):
        if check_password(code, rc.code_hash):
            rc.used_at = timezone.now()
            rc.save(update_fields=["used_at"])
            return True
    return False


@transaction.atomic
def new_recovery_codes(user: User, *, reauthenticated_at: object = None) -> list[str]:
    """Replace the user's recovery codes (shortly after a re-authentication)."""
    require_recent(reauthenticated_at)  # type: ignore[arg-type]
    if not enrolled(user):
        raise PermissionDenied(_("Set up your authenticator app first."))
    codes = _new_recovery_codes(user)
    audit.record(None, "auth.recovery_codes_renewed", target=user)
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


@transaction.atomic
def reset(actor: Actor, user_pk: int) -> None:
    """The security admin removes an enrolment (a lost phone); the user enrols anew."""
    if not access.can(actor, "accounts.manage"):
        raise PermissionDenied(_("Only the security administrator manages accounts and roles."))
    user = User.objects.filter(pk=user_pk).first()
    if user is None:
        raise NotFound()
    if user.pk == actor.user_id:
        raise PermissionDenied(_("Another security administrator resets your second factor."))
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    sessions.end_all(user)
    audit.record(actor, "user.second_factor_reset", target=user)


# --- re-authentication ----------------------------------------------------------------


def reauthenticate(user: User, password: str, code: str = "") -> None:
    """The password again, and a code where the user is enrolled; raises if wrong."""
    if not user.check_password(password or ""):
        audit.record(None, "auth.reauth_failed", target=user)
        raise InvalidInput(fields={"password": [_("The password is not correct.")]})
    if enrolled(user):
        try:
            check(user, code)
        except SecondFactorRefused as e:
            raise InvalidInput(fields={"code": [str(e.message)]}) from None
    audit.record(None, "auth.reauthenticated", target=user)


def is_recent(at: dt.datetime | str | None) -> bool:
    if isinstance(at, str):
        try:
            at = dt.datetime.fromisoformat(at)
        except ValueError:
            return False
    if at is None:
        return False
    return timezone.now() - at <= dt.timedelta(minutes=settings.XIETONG_REAUTH_MINUTES)


def require_recent(reauthenticated_at: dt.datetime | str | None) -> None:
    """Refuse a sensitive operation without a re-authentication in the last minutes."""
    if settings.XIETONG_REQUIRE_REAUTH and not is_recent(reauthenticated_at):
        raise ReauthenticationRequired(
            _(
                "Confirm it is you: enter your password again (and your code) to do this. "
                "It is asked once every %(m)d minutes."
            )
            % {"m": settings.XIETONG_REAUTH_MINUTES}
        )
