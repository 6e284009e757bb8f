"""Notification pages: the list, marking read, the bell's badge."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong.core.paging import paginate
from xietong.core.views import refusals
from xietong.exchanges import selectors, services
from xietong.exchanges.views.common import (
    _actor,
)

# --- notifications ----------------------------------------------------------------------------

API_LINK = re.compile(r"^/api/exchanges/applications/(\d+)$")


def web_link(link: str) -> str:
    """The page a notification points to (the services store the API address)."""
    m = API_LINK.match(link or "")
    if m:
        return reverse("exchanges:application_detail", args=[int(m.group(1))])
    return link if link.startswith("/") and not link.startswith("/api/") else ""


@login_required
@refusals
def notifications(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    qs: QuerySet[Any] = selectors.notifications_for(actor)
    page = paginate(qs, request.GET.get("page"), request.GET.get("page_size"))
    for n in page.object_list:
        n.href = web_link(n.link)
    return render(
        request,
        "exchanges/notifications.html",
        {"page": page, "unread": selectors.unread_count(actor)},
    )


@login_required
@require_POST
@refusals
def notifications_read(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    raw = request.POST.getlist("id")
    ids = [int(i) for i in raw if i.isdigit()] if raw else None
    n = services.mark_read(actor, ids)
    if not raw:
        messages.success(request, _("%(n)d notifications marked as read.") % {"n": n})
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("exchanges:notifications")


@login_required
def notifications_badge(request: HttpRequest) -> HttpResponse:
    count = selectors.unread_count(_actor(request))
    return render(request, "exchanges/_badge_count.html", {"unread": count})
