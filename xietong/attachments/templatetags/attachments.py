from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model

from xietong.attachments.views import panel

register = template.Library()


@register.inclusion_tag("attachments/_panel.html", takes_context=True)
def attachments_panel(
    context: template.Context, owner: Model, kind: str = "", title: str = ""
) -> dict[str, Any]:
    """``{% attachments_panel report %}``: the owner's files, download links, upload form."""
    request = context["request"]
    return {
        **panel(request, owner, kind=kind, title=title),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
