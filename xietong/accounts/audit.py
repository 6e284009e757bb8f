"""Writing and verifying the hash-chained audit log.

Services call :func:`record` inside their transaction, so an event exists exactly when
the change it describes was committed. Each event's hash covers its content and the
previous event's hash; :func:`verify` recomputes the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from xietong.accounts.access import Actor
from xietong.accounts.models import AuditEvent, AuditHead
from xietong.core.bulk import BatchResult
from xietong.core.masking import mask_id_number, mask_phone

GENESIS = "0" * 64
PERSONAL_FIELDS = {"id_number": mask_id_number, "phone": mask_phone}


def _jsonable(value: Any) -> Any:
    return (
        json.loads(json.dumps(value, default=str, ensure_ascii=False))
        if value is not None
        else None
    )


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited state of a row: plain values, foreign keys as ids, personal data masked."""
    data: dict[str, Any] = {}
    for f in instance._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        value = getattr(instance, f.attname)
        if f.name in PERSONAL_FIELDS:
            value = PERSONAL_FIELDS[f.name](value)
        data[f.name] = value
    return _jsonable(data)


def _digest(event: AuditEvent) -> str:
    at = event.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    payload = {
        "at": at,
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "before": event.before,
        "after": event.after,
        "detail": event.detail,
        "prev": event.prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def record(
    actor: Actor | None,
    action: str,
    *,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain (inside the caller's transaction)."""
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or target.pk
        label = label or str(target)
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        event = AuditEvent(
            at=timezone.now(),
            actor_id=actor.user_id if actor else None,
            actor_name=(actor.name if actor else "")[:150],
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            object_label=label[:200],
            before=_jsonable(before),
            after=_jsonable(after),
            detail=_jsonable(detail),
            prev_hash=head.last_hash,
        )
        event.hash = _digest(event)
        event.save(force_insert=True)
        head.last_hash = event.hash
        head.count += 1
        head.save(update_fields=["last_hash", "count"])
    return event


BATCH_ACTION = "bulk.insert"


def record_batch(
    actor: Actor | None,
    model_label: str,
    counts: Mapping[str, int],
    sha256: str | None,
    *,
    source: str = "",
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """One event for one batch of a bulk write: which table, how many rows, from which file."""
    return record(
        actor,
        BATCH_ACTION,
        object_type=model_label,
        label=source,
        detail={"counts": dict(counts), "sha256": sha256, "source": source, **(detail or {})},
    )


def batch_recorder(actor: Actor | None, **detail: Any) -> Callable[[BatchResult], AuditEvent]:
    """An ``on_batch`` hook for :func:`xietong.core.bulk.insert` that audits each batch.

    ``detail`` (e.g. ``job=…`` or ``load=…``) is added to every event, beside the batch's
    method and the first and last id it wrote.
    """

    def hook(batch: BatchResult) -> AuditEvent:
        ids = [batch.first_id, batch.last_id] if batch.first_id is not None else None
        return record_batch(
            actor,
            batch.model_label,
            batch.counts,
            batch.sha256,
            source=batch.source_name,
            detail={"method": batch.method, "ids": ids, **detail},
        )

    return hook


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str]


def verify(chunk: int = 5000) -> VerifyResult:
    """Recompute every hash and link; report the first problems found."""
    problems: list[str] = []
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:chunk])
        if not batch:
            break
        for event in batch:
            if event.prev_hash != prev:
                problems.append(f"event {event.id}: link to the previous event is broken")
            if _digest(event) != event.hash:
                problems.append(f"event {event.id}: content does not match its hash")
            prev = event.hash
            checked += 1
            last_id = event.id
        if len(problems) > 20:
            break
    head = AuditHead.objects.filter(id=1).first()
    # Removal at the end leaves no broken link behind: only the head tells.
    if not problems and head is not None and (head.last_hash != prev or head.count != checked):
        problems.append(
            f"the chain ends at {checked} events but {head.count} were written: "
            "events at the end were removed"
        )
    return VerifyResult(ok=not problems, checked=checked, problems=problems)
