"""Template context shared by every page: the acting user, its capabilities, the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from xietong.access import ANONYMOUS, capabilities_of
from xietong.workbench.navigation import items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", ANONYMOUS)
    path = request.path
    items = [(item, reverse(item.url_name)) for item in items_for(actor)]
    matching = [url for _, url in items if (path == url if url == "/" else path.startswith(url))]
    # Only the most specific entry is active (/institutions/staff/ is not /institutions/).
    active = max(matching, key=len, default=None)
    entries = [
        {
            "label": item.label,
            "url": url,
            "icon": item.icon,
            "active": url == active,
            "section": item.section,
        }
        for item, url in items
    ]
    return {"nav_items": entries, "actor": actor, "caps": capabilities_of(actor)}
