"""Shared resources waiting for the actor, registered with the workbench
(:mod:`xietong.workbench.queues`) from the app's setup: a reviewer sees the submitted
resources to publish or return, a provider's admin those returned to it for changes. The
rules are the resources' own (``selectors.review_queue``, ``selectors.returned_to``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.resources import selectors as sel
from xietong.resources.models import Resource
from xietong.workbench.queues import (
    INSTITUTION,
    PERSON,
    Item,
    Queue,
    QueueSource,
    queue_of,
    register_queue,
)


def _item(step: str) -> Any:
    def item(r: Resource) -> Item:
        when = r.submitted_at if r.status == "submitted" else r.returned_at
        return Item(
            title=f"{r.title} · {r.provider.name}",
            step=step,
            url=reverse("resources:detail", args=[r.pk]),
            due=timezone.localdate(when) if when else None,
            status=str(r.get_status_display()),
        )

    return item


def to_review(actor: Any, limit: int) -> Queue | None:
    """Submitted resources the actor reviews (left out for whoever reviews nothing)."""
    if not sel.is_reviewer(actor):
        return None
    return queue_of(
        "resources-to-review",
        _("Shared resources to review"),
        sel.review_queue(actor),
        _item(_("Score it with the rubric, then publish it or return it")),
        reverse("resources:reviews"),
        limit,
        _("The review queue"),
    )


def returned(actor: Any, limit: int) -> Queue | None:
    """Resources of the actor's institutions returned for changes."""
    return queue_of(
        "resources-returned",
        _("Shared resources returned to you"),
        sel.returned_to(actor),
        _item(_("Make the changes the reviewer asks for and submit it again")),
        reverse("resources:mine"),
        limit,
        _("Your resources"),
    )


def register() -> None:
    register_queue(QueueSource("resources.to_review", PERSON, to_review, "resources.browse", 60))
    register_queue(
        QueueSource("resources.returned", INSTITUTION, returned, "resources.provide", 60)
    )
