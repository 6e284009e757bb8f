"""The home page and the error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xietong.institutions.selectors import institution_counts
from xietong.regions.models import Region, RegionGroup


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    counts = institution_counts(actor) if actor.reads_registry else None
    context = {
        "counts": counts,
        "grants": actor.grants,
        "region_count": Region.objects.count(),
        "group_count": RegionGroup.objects.count(),
    }
    return render(request, "core/home.html", context)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 404}, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request, "core/error.html", {"status": 403, "message": str(exception or "")}, status=403
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "core/error.html", {"status": 500}, status=500)
