"""Notifications moved to their own app; the old exchange addresses lead there."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse


def _to(request: HttpRequest, name: str, *, status: int = 302) -> HttpResponse:
    query = request.META.get("QUERY_STRING", "")
    response = HttpResponseRedirect(reverse(name) + (f"?{query}" if query else ""))
    response.status_code = status
    return response


def notifications(request: HttpRequest) -> HttpResponse:
    return _to(request, "notifications:list", status=301)


def notifications_read(request: HttpRequest) -> HttpResponse:
    return _to(request, "notifications:read", status=308)  # a POST stays a POST


def notifications_badge(request: HttpRequest) -> HttpResponse:
    return _to(request, "notifications:badge", status=301)
