"""Template context shared by every page: the navigation for the acting user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from xietong.accounts.access import ANONYMOUS
from xietong.core.navigation import items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", ANONYMOUS)
    path = request.path
    entries = []
    for item in items_for(actor):
        url = reverse(item.url_name)
        active = path == url if url == "/" else path.startswith(url)
        entries.append(
            {
                "label": item.label,
                "url": url,
                "icon": item.icon,
                "active": active,
                "section": item.section,
            }
        )
    return {"nav_items": entries, "actor": actor}
