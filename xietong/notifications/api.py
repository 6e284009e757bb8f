"""Notifications API: the caller's own notifications, rendered in the caller's language."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from xietong.notifications import selectors, services
from xietong.notifications.schemas import (
    Error,
    MarkedOut,
    MarkReadIn,
    NotificationPage,
    NotificationQuery,
    UnreadOut,
)

router = Router(tags=["notifications"])
ERRORS: dict[int, Any] = {401: Error, 403: Error, 422: Error}


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def page(request: HttpRequest, query: NotificationQuery) -> dict[str, Any]:
    p = selectors.page_for(_actor(request), query.page, query.page_size, unread=query.unread)
    return {
        "count": p.paginator.count,
        "page": p.number,
        "page_size": p.paginator.per_page,
        "pages": p.paginator.num_pages,
        "items": list(p.object_list),
    }


@router.get("/", response={200: NotificationPage, **ERRORS}, summary="Your notifications")
def list_notifications(request: HttpRequest, query: Query[NotificationQuery]) -> Any:
    return page(request, query)


@router.post("/read", response={200: MarkedOut, **ERRORS}, summary="Mark notifications read")
def mark_read(request: HttpRequest, payload: MarkReadIn) -> Any:
    return {"marked": services.mark_read(_actor(request), payload.ids)}


@router.get("/unread", response={200: UnreadOut, **ERRORS}, summary="Your unread count")
def unread(request: HttpRequest) -> Any:
    return {"unread": selectors.unread_count(_actor(request))}
