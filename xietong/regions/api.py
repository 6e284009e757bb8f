"""Regions and region groups (read-only reference data) with the caller's visible counts."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from xietong import access
from xietong.institutions.selectors import counts_by_region
from xietong.regions.models import Region, RegionGroup
from xietong.regions.schemas import RegionGroupOut, RegionOut
from xietong.regions.selectors import region_by_code

router = Router(tags=["regions"])


def _out(region: Region, counts: dict[int, dict[str, int]] | None) -> RegionOut:
    c = counts.get(region.id, {}) if counts is not None else {}
    return RegionOut(
        code=region.code,
        name=region.name,
        level=region.level,
        parent_code=region.path.split("/")[-3] if region.parent_id else None,
        institutions=c.get("institutions"),
        staff=c.get("staff"),
    )


@router.get("/", response=list[RegionOut], summary="All regions, or the children of one")
def list_regions(
    request: HttpRequest, parent: str = "", with_counts: bool = False
) -> list[RegionOut]:
    actor = request.actor  # type: ignore[attr-defined]
    qs = Region.objects.all()
    if parent:
        qs = qs.filter(parent=region_by_code(parent))
    reads = with_counts and access.can(actor, "registry.read")
    counts = counts_by_region(actor) if reads else None
    return [_out(r, counts) for r in qs]


@router.get("/groups", response=list[RegionGroupOut], summary="Named region groups")
def list_groups(request: HttpRequest) -> list[RegionGroupOut]:
    return [
        RegionGroupOut(
            key=g.key,
            name=g.name,
            name_en=g.name_en,
            note=g.note,
            member_codes=[m.code for m in g.members.all()],
        )
        for g in RegionGroup.objects.prefetch_related("members")
    ]


@router.get("/{code}", response=RegionOut, summary="One region")
def get_region(request: HttpRequest, code: str) -> RegionOut:
    return _out(region_by_code(code), None)
