"""Who sees the dashboard and its periodic reports.

``dashboard.view`` is held by authority admins and viewers; what they see is scoped by
:mod:`xietong.dashboard.scope`. A periodic report of an authority is requested and read by
the holders of an authority role over the authority's region (and by the system admin,
who runs the command line).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from xietong.access import capability
from xietong.accounts.access import Actor
from xietong.accounts.models import Role
from xietong.attachments.registry import register_owner
from xietong.plan.models import PeriodicReport
from xietong.regions.selectors import under_paths_q

capability("dashboard.view", Role.AUTHORITY_ADMIN, Role.AUTHORITY_VIEWER)


def covers(actor: Actor, region_path: str) -> bool:
    """Whether the actor's authority roles reach a region (the system admin reaches all)."""
    if actor.is_system_admin:
        return True
    return any(region_path.startswith(p) for p in actor.authority_region_paths)


def reports_for(actor: Actor) -> QuerySet[PeriodicReport]:
    """The periodic reports the actor may read: those of authorities in its regions."""
    qs = PeriodicReport.objects.select_related("authority", "plan", "job")
    if actor.is_system_admin:
        return qs
    paths = list(actor.authority_region_paths)
    return qs.filter(under_paths_q(paths, "authority_path")) if paths else qs.none()


def _manageable(actor: Actor, report: Any) -> bool:
    # Only the report's own job writes its files: it runs as the requester.
    return report.requested_by_id == actor.user_id and covers(actor, report.authority_path)


def _readable(actor: Actor) -> QuerySet[PeriodicReport]:
    return reports_for(actor)


register_owner(PeriodicReport, readable=_readable, manageable=_manageable, types=("xlsx", "pdf"))
