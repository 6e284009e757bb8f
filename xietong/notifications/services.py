"""Sending notifications and marking them read."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils import timezone

from xietong.accounts.access import Actor
from xietong.core import bulk
from xietong.notifications import kinds
from xietong.notifications.models import Notification

BATCH = 1000


@dataclass(frozen=True)
class Notice:
    """One notification to one recipient (for :func:`notify_each`)."""

    recipient: int | None
    code: str
    target: Model | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


def _checked(code: str, target: Model | None, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The params as a JSON object; a programming error (not user input) raises ValueError."""
    kind = kinds.get(code)
    if kind is None:
        raise ValueError(f"notification code {code!r} is not registered")
    if target is not None:
        if target.pk is None:
            raise ValueError(f"the target of {code!r} is not saved")
        if kind.target and target._meta.label_lower != kind.target:
            raise ValueError(f"{code!r} points at {kind.target}, not {target._meta.label_lower}")
    clean = dict(params or {})
    try:
        if json.loads(json.dumps(clean)) != clean:
            raise ValueError
    except (TypeError, ValueError):
        raise ValueError(f"the parameters of {code!r} are not plain JSON: {clean!r}") from None
    return clean


def notify(
    recipients: Iterable[int | None],
    code: str,
    *,
    target: Model | None = None,
    params: Mapping[str, Any] | None = None,
) -> int:
    """One notification of kind ``code`` per distinct recipient (user id); returns how many."""
    clean = _checked(code, target, params)
    ids = sorted({u for u in recipients if u is not None})
    ct = ContentType.objects.get_for_model(target) if target is not None else None
    pk = target.pk if target is not None else None
    Notification.objects.bulk_create(
        [
            Notification(recipient_id=u, code=code, params=clean, target_type=ct, target_id=pk)
            for u in ids
        ],
        batch_size=BATCH,
    )
    return len(ids)


def notify_each(notices: Iterable[Notice]) -> int:
    """Many notifications of their own kinds and targets, in one bulk insert; returns how many.

    A notice without a recipient is skipped; the same (recipient, code, target) is sent once.
    """
    rows: list[tuple[int, str, dict[str, Any], int | None, int | None]] = []
    seen: set[tuple[int, str, Any]] = set()
    for n in notices:
        clean = _checked(n.code, n.target, n.params)
        if n.recipient is None:
            continue
        ct = ContentType.objects.get_for_model(n.target) if n.target is not None else None
        pk = n.target.pk if n.target is not None else None
        key = (n.recipient, n.code, (ct.pk if ct else None, pk))
        if key in seen:
            continue
        seen.add(key)
        rows.append((n.recipient, n.code, clean, ct.pk if ct else None, pk))
    # COPY on PostgreSQL (a published run notifies every applicant: 100,000 rows).
    columns = ("recipient", "code", "params", "target_type", "target_id")
    bulk.insert(Notification, columns, rows)
    return len(rows)


def mark_read(actor: Actor, ids: Sequence[int] | None = None) -> int:
    """Mark the given (or all) unread notifications of the actor read; returns how many.

    Ids of other people's notifications are ignored: a reader marks only their own.
    """
    if actor.user_id is None:
        return 0
    qs = Notification.objects.filter(recipient_id=actor.user_id, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=[int(i) for i in ids if 0 < int(i) < 2**63])
    return qs.update(read_at=timezone.now())
