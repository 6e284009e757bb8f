"""Who is told about a resource: its keepers, its reviewers (user ids)."""

from __future__ import annotations

from xietong.accounts.recipients import institution_admin_users
from xietong.core.delimited import unpack
from xietong.regions.selectors import paths_above
from xietong.resources.models import Resource, Reviewer


def keepers(resource: Resource) -> set[int]:
    """The admins of the provider (and of its parent, for a branch campus)."""
    return set(institution_admin_users(resource.provider))


def reviewers(resource: Resource) -> set[int]:
    """The reviewers of the resource's subjects over a region covering its provider."""
    subjects = unpack(resource.subjects)
    if not subjects:
        return set()
    rows = Reviewer.objects.filter(
        region_path__in=paths_above(resource.provider_path),
        subject__in=subjects,
        ended_at__isnull=True,
    )
    return set(rows.values_list("account_id", flat=True))
