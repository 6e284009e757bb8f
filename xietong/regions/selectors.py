"""Reads of regions and region groups.

Regions are reference data every signed-in user may read; what varies by actor is what
lies *in* them, which the other apps' selectors decide.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xietong.core.errors import NotFound
from xietong.regions.models import Region, RegionGroup


def regions() -> QuerySet[Region]:
    return Region.objects.all()


def region_by_code(code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise NotFound(_unknown_region(code)) from None


def group_by_key(key: str) -> RegionGroup:
    try:
        return RegionGroup.objects.prefetch_related("members").get(key=key)
    except RegionGroup.DoesNotExist:
        raise NotFound(_unknown_region(key)) from None


def descendants(region: Region, *, include_self: bool = True) -> QuerySet[Region]:
    qs = Region.objects.filter(path__startswith=region.path)
    return qs if include_self else qs.exclude(pk=region.pk)


def path_prefixes_for(area: str) -> list[str]:
    """The materialised-path prefixes covered by a region code or a group key."""
    if area.isdigit():
        return [region_by_code(area).path]
    return [m.path for m in group_by_key(area).members.all()]


def paths_above(path: str) -> list[str]:
    """The path of a region and of every region above it, from the province down.

    >>> paths_above("130000/131000/131082/")
    ['130000/', '130000/131000/', '130000/131000/131082/']
    """
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]


def under_paths_q(paths: list[str], field: str = "region_path") -> Q:
    """``Q`` matching rows whose ``field`` lies under any of ``paths``; empty list → nothing."""
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def _unknown_region(code: str) -> str:
    from django.utils.translation import gettext

    return gettext("Unknown region or region group: %(code)s") % {"code": code}
