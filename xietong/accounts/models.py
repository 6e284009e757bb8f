"""Users, scoped role assignments, API tokens and the tamper-evident audit log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    # Set when the security admin resets the password: the user chooses a new one first.
    must_change_password = models.BooleanField(_("must change the password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class Role(models.TextChoices):
    AUTHORITY_ADMIN = "authority_admin", _("Authority administrator")
    AUTHORITY_VIEWER = "authority_viewer", _("Authority viewer")
    INSTITUTION_ADMIN = "institution_admin", _("Institution administrator")
    STAFF = "staff", _("Staff member")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDITOR = "auditor", _("Auditor")


AUTHORITY_ROLES = {Role.AUTHORITY_ADMIN, Role.AUTHORITY_VIEWER}
# 三员分立: no user may hold two of these.
SEPARATED_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}


class RoleAssignment(models.Model):
    """One role of a user, with its scope: a region, an institution, or none."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region")
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        # Roles are revoked by the security admin, audited; never as a side effect.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("institution"),
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region", "institution"], name="role_assignment_unique"
            ),
            models.CheckConstraint(
                name="role_assignment_scope_matches_role",
                condition=(
                    models.Q(
                        role__in=[Role.AUTHORITY_ADMIN, Role.AUTHORITY_VIEWER],
                        region__isnull=False,
                        institution__isnull=True,
                    )
                    | models.Q(
                        role=Role.INSTITUTION_ADMIN, region__isnull=True, institution__isnull=False
                    )
                    | models.Q(
                        role__in=[Role.STAFF, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR],
                        region__isnull=True,
                        institution__isnull=True,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        scope = self.region or self.institution
        return f"{self.get_role_display()}" + (f" · {scope}" if scope else "")

    def scope_label(self) -> str:
        """The scope in words true to the role: a region, an institution, a teacher's own
        record, the accounts, the audit log — "whole platform" only for the system admin."""
        from django.utils.translation import gettext

        if self.region_id:
            return str(self.region)
        if self.institution_id:
            return str(self.institution)
        if self.role == Role.STAFF:
            staff = getattr(self.user, "staff_record", None)
            if staff is None:
                return gettext("own record (none is linked to this account yet)")
            return gettext("own record: %(name)s, %(institution)s") % {
                "name": staff.name,
                "institution": staff.institution,
            }
        if self.role == Role.SECURITY_ADMIN:
            return gettext("accounts and roles")
        if self.role == Role.AUDITOR:
            return gettext("the audit log")
        return gettext("whole platform")


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=50)
    prefix = models.CharField(max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # A script re-authenticates its token (password, and code where enrolled) before a
    # sensitive operation, as a person does in the browser.
    reauthenticated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class TotpDevice(models.Model):
    """A user's authenticator app (RFC 6238 TOTP): the second factor of administrators.

    The shared secret is sealed with SM4 under the ``totp`` key (outside the database).
    ``last_step`` is the last time step accepted, so a code is never accepted twice.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp")
    sealed_secret = models.BinaryField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    failures = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"TOTP of {self.user_id}"


class RecoveryCode(models.Model):
    """A one-time code for signing in without the authenticator app; stored hashed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=128)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"


class PasswordHistory(models.Model):
    """A password hash the user had; a new password may not repeat the last few."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class UserSession(models.Model):
    """A signed-in browser session of a user: listed under "my account", limited in number.

    A session whose row is gone (signed out from another device, ended by a password change,
    a lock or a deactivation) is signed out at its next request.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"


class AuditEvent(models.Model):
    """One entry of the append-only audit log.

    ``hash`` covers the entry's content and ``prev_hash``, so changing or deleting any
    entry breaks the chain (``xietong audit verify``). Database triggers refuse UPDATE and
    DELETE on this table.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.DO_NOTHING, null=True, db_constraint=False)
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    detail = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # Rate limits count an actor's recent events of one kind.
            models.Index(fields=["actor", "action", "at"], name="audit_actor_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_label}"


class AuditHead(models.Model):
    """The single row that holds the end of the chain; locked while an event is appended."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)
    # After an archive: the hash the first remaining event links to, and how many went.
    base_hash = models.CharField(max_length=64, default="0" * 64)
    archived = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} events, last {self.last_hash[:12]}"
