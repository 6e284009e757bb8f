"""One answer for list pages: the results partial to htmx, the whole page otherwise."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

RESULTS_TARGET = "results"  # the id of the element a filter bar swaps


def wants_partial(request: HttpRequest, target: str = RESULTS_TARGET) -> bool:
    """An htmx request aimed at ``target`` (not a history restore, which needs the page)."""
    htmx = getattr(request, "htmx", None)
    if htmx is None or not htmx:
        return False
    return not htmx.history_restore_request and htmx.target == target


def list_response(
    request: HttpRequest,
    page_template: str,
    partial_template: str,
    context: dict[str, Any],
    *,
    target: str = RESULTS_TARGET,
    status: int = 200,
) -> HttpResponse:
    """Render ``partial_template`` for htmx, ``page_template`` otherwise; vary on both headers.

    Caches must keep the two answers apart, hence ``Vary: HX-Request, HX-Target``.
    """
    template = partial_template if wants_partial(request, target) else page_template
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response
