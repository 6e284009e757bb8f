"""Notification pages: the list, marking read, following one, the bell's badge."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong.core.redirects import safe_redirect
from xietong.notifications import selectors, services


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    unread_only = request.GET.get("unread") == "1"
    page = selectors.page_for(
        actor, request.GET.get("page"), request.GET.get("page_size"), unread=unread_only
    )
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": selectors.unread_count(actor), "unread_only": unread_only},
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    raw = request.POST.getlist("id")
    ids = [int(i) for i in raw if i.isdigit() and len(i) < 19] if raw else None
    n = services.mark_read(_actor(request), ids)
    if not raw:
        messages.success(request, _("%(n)d notifications marked as read.") % {"n": n})
    return safe_redirect(request, request.POST.get("next"), reverse("notifications:list"))


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to its page (or back to the list if it has none)."""
    actor = _actor(request)
    n = selectors.notification_for(actor, pk)
    if n is None:
        raise Http404(_("This notification does not exist or is not yours."))
    services.mark_read(actor, [n.id])
    return safe_redirect(request, n.link, reverse("notifications:list"))


@login_required
def notifications_badge(request: HttpRequest) -> HttpResponse:
    count = selectors.unread_count(_actor(request))
    return render(request, "notifications/_badge_count.html", {"unread": count})
