"""Region browser: the three provinces, their cities and counties, and the region groups."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xietong.core.errors import NotFound
from xietong.institutions.selectors import counts_by_region
from xietong.regions.models import Region, RegionGroup
from xietong.regions.selectors import region_by_code


@login_required
def region_browser(request: HttpRequest, code: str = "") -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    counts = counts_by_region(actor)  # empty for a user who reads no registry
    current = None
    if code:
        try:
            current = region_by_code(code)
        except NotFound as e:
            return render(
                request, "core/error.html", {"status": 404, "message": e.message}, status=404
            )
        children = list(current.children.all())
        ancestors = list(Region.objects.filter(code__in=_ancestor_codes(current)).order_by("path"))
    else:
        children = list(Region.objects.filter(parent__isnull=True))
        ancestors = []
    empty = {"institutions": 0, "staff": 0}
    rows = [{"region": r, **counts.get(r.id, empty)} for r in children]
    groups = []
    for g in RegionGroup.objects.prefetch_related("members"):
        members = list(g.members.all())
        groups.append(
            {
                "group": g,
                "members": members,
                "institutions": sum(counts.get(m.id, empty)["institutions"] for m in members),
                "staff": sum(counts.get(m.id, empty)["staff"] for m in members),
            }
        )
    context = {
        "current": current,
        "current_counts": counts.get(current.id, empty) if current else None,
        "ancestors": ancestors,
        "rows": rows,
        "groups": groups if current is None else [],
    }
    return render(request, "regions/browser.html", context)


def _ancestor_codes(region: Region) -> list[str]:
    return [c for c in region.path.split("/") if c and c != region.code]
