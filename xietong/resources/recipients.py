"""Who is told about a resource: its keepers, its reviewers (user ids)."""

from __future__ import annotations

from django.db.models import Q

from xietong.accounts.models import Role, RoleAssignment
from xietong.core.delimited import unpack
from xietong.resources.models import Resource, Reviewer


def keepers(resource: Resource) -> set[int]:
    """The admins of the provider (and of its parent, for a branch campus)."""
    ids = [resource.provider_id]
    if resource.provider.parent_id:
        ids.append(resource.provider.parent_id)
    return set(
        RoleAssignment.objects.filter(
            role=Role.INSTITUTION_ADMIN, institution_id__in=ids
        ).values_list("user_id", flat=True)
    )


def reviewers(resource: Resource) -> set[int]:
    """The reviewers of the resource's subjects over a region covering its provider."""
    subjects = unpack(resource.subjects)
    if not subjects:
        return set()
    above = Q(pk__in=[])
    path = resource.provider_path
    parts = [p for p in path.split("/") if p]
    for i in range(len(parts)):
        above |= Q(region_path="".join(f"{p}/" for p in parts[: i + 1]))
    rows = Reviewer.objects.filter(above, subject__in=subjects, ended_at__isnull=True)
    return set(rows.values_list("account_id", flat=True))
