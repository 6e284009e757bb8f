"""Redirecting only to addresses of this site."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_url(request: HttpRequest, url: str | None, fallback: str) -> str:
    """``url`` if it points into this site (same host, and https when the request is), else
    ``fallback`` — for ``next`` parameters and links followed through a redirect."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return fallback


def safe_redirect(request: HttpRequest, url: str | None, fallback: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_url(request, url, fallback))
