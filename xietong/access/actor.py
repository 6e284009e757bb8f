"""Who is acting, and with which scoped roles.

An :class:`Actor` is built once per request from the user's role assignments (one query)
and handed to every selector and service. Its role properties are read only inside
:mod:`xietong.access`: apps ask the declared rules (``read_q``, ``actions``, ``require``,
``can``), never the roles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xietong.accounts.models import AUTHORITY_ROLES, Role, RoleAssignment


@dataclass(frozen=True)
class Grant:
    role: str
    region_path: str | None = None
    institution_id: int | None = None


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    staff_id: int | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)

    @property
    def is_system_admin(self) -> bool:
        return self.has(Role.SYSTEM_ADMIN)

    @property
    def is_security_admin(self) -> bool:
        return self.has(Role.SECURITY_ADMIN)

    @property
    def is_auditor(self) -> bool:
        return self.has(Role.AUDITOR)

    @property
    def reads_registry(self) -> bool:
        """Business roles read the institution directory; security admin and auditor do not."""
        return self.has(
            Role.AUTHORITY_ADMIN,
            Role.AUTHORITY_VIEWER,
            Role.INSTITUTION_ADMIN,
            Role.STAFF,
            Role.SYSTEM_ADMIN,
        )

    @property
    def admin_region_paths(self) -> list[str]:
        return [
            g.region_path for g in self.grants if g.role == Role.AUTHORITY_ADMIN and g.region_path
        ]

    @property
    def authority_region_paths(self) -> list[str]:
        return [g.region_path for g in self.grants if g.role in AUTHORITY_ROLES and g.region_path]

    @property
    def admin_institution_ids(self) -> list[int]:
        return [
            g.institution_id
            for g in self.grants
            if g.role == Role.INSTITUTION_ADMIN and g.institution_id is not None
        ]

    @property
    def own_staff_id(self) -> int | None:
        return self.staff_id if self.has(Role.STAFF) else None


ANONYMOUS = Actor(user_id=None, name="")


def actor_for(user: Any) -> Actor:
    """The actor for a user (anonymous or inactive users get no grants)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    grants = tuple(
        Grant(
            role=ra.role,
            region_path=ra.region.path if ra.region is not None else None,
            institution_id=ra.institution_id,
        )
        for ra in RoleAssignment.objects.filter(user_id=user.pk).select_related("region")
    )
    staff = (
        getattr(user, "staff_record", None) if any(g.role == Role.STAFF for g in grants) else None
    )
    return Actor(
        user_id=user.pk, name=str(user), grants=grants, staff_id=staff.pk if staff else None
    )


def system_actor(name: str = "system") -> Actor:
    """The actor of loaders run from the command line by an operator (demo data, migrations)."""
    return Actor(user_id=None, name=name, grants=(Grant(Role.SYSTEM_ADMIN),))
