"""Evidence files on placement reports and weekly logs, scoped exactly like their placement.

Read: whoever reads the placement (``selectors.placements_for``). Manage: the side that wrote
the report (teacher or host), the teacher for a weekly log (``selectors.placement_sides``).
"""

from __future__ import annotations

from django.db.models import QuerySet

from xietong.accounts.access import Actor
from xietong.attachments.registry import register_owner
from xietong.exchanges import selectors
from xietong.exchanges.models import PlacementLog, PlacementReport


def readable_reports(actor: Actor) -> QuerySet[PlacementReport]:
    return PlacementReport.objects.filter(
        placement__in=selectors.placements_for(actor).values("pk")
    )


def manageable_report(actor: Actor, report: PlacementReport) -> bool:
    return report.side in selectors.placement_sides(actor, report.placement)


def readable_logs(actor: Actor) -> QuerySet[PlacementLog]:
    return PlacementLog.objects.filter(placement__in=selectors.placements_for(actor).values("pk"))


def manageable_log(actor: Actor, log: PlacementLog) -> bool:
    return "teacher" in selectors.placement_sides(actor, log.placement)


def register() -> None:
    register_owner(PlacementReport, readable=readable_reports, manageable=manageable_report)
    register_owner(PlacementLog, readable=readable_logs, manageable=manageable_log)
