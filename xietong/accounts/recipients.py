"""Who is told: the accounts that administer an institution or the region it lies in."""

from __future__ import annotations

from xietong.accounts.models import Role, RoleAssignment
from xietong.institutions.models import Institution
from xietong.regions.selectors import paths_above


def institution_admin_users(inst: Institution) -> list[int]:
    """Users who administer the institution (or its parent, for a branch campus)."""
    ids = [inst.pk] + ([inst.parent_id] if inst.parent_id else [])
    return list(
        RoleAssignment.objects.filter(
            role=Role.INSTITUTION_ADMIN, institution_id__in=ids
        ).values_list("user_id", flat=True)
    )


def authority_admin_users(inst: Institution) -> list[int]:
    """Authority admins whose region covers the institution."""
    return list(
        RoleAssignment.objects.filter(
            role=Role.AUTHORITY_ADMIN, region__path__in=paths_above(inst.region_path)
        ).values_list("user_id", flat=True)
    )
