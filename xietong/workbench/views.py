"""The home page: what the signed-in user's roles let them see and manage."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xietong import access
from xietong.institutions.selectors import institution_counts
from xietong.regions.models import Region, RegionGroup


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    counts = institution_counts(actor) if access.can(actor, "registry.read") else None
    context = {
        "counts": counts,
        "grants": actor.grants,
        "region_count": Region.objects.count(),
        "group_count": RegionGroup.objects.count(),
    }
    return render(request, "workbench/home.html", context)
