"""Writing and verifying the keyed, hash-chained audit log.

Services call :func:`record` inside their transaction, so an event exists exactly when
the change it describes was committed. Each event's hash is an HMAC-SM3 (GB/T 32905) with
the audit key — kept outside the database (``xietong.core.keys``) — over its content and
the previous event's hash, so whoever can change rows in the database still cannot
recompute a valid chain. After each commit the newest event is anchored in a file outside
the database (``accounts.anchor``). :func:`verify` recomputes the chain and checks the
anchor; :func:`archive` moves events past the retention period to a signed file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac
from django.db import models, transaction
from django.utils import timezone

from xietong.accounts import anchor
from xietong.accounts.access import Actor
from xietong.accounts.models import AuditEvent, AuditHead
from xietong.core.bulk import BatchResult
from xietong.core.masking import mask_date, mask_id_number, mask_phone

GENESIS = "0" * 64
PERSONAL_FIELDS = {"id_number": mask_id_number, "phone": mask_phone, "birth_date": mask_date}


def _jsonable(value: Any) -> Any:
    return (
        json.loads(json.dumps(value, default=str, ensure_ascii=False))
        if value is not None
        else None
    )


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited state of a row: plain values, foreign keys as ids, personal data masked.

    Sealed values (binary columns) never enter the log. A model may name columns to leave
    out (``audit_excluded``: a blind index, a key version) and record columns under other
    names (``audit_names``: the stored mask of the ID number as ``id_number``).
    """
    names: dict[str, str] = getattr(type(instance), "audit_names", {})
    excluded: Iterable[str] = getattr(type(instance), "audit_excluded", ())
    data: dict[str, Any] = {}
    for f in instance._meta.concrete_fields:
        name = names.get(f.name, f.name)
        if f.name in excluded or isinstance(f, models.BinaryField):
            continue
        if fields is not None and name not in fields:
            continue
        value = getattr(instance, f.attname)
        if name in PERSONAL_FIELDS:
            value = PERSONAL_FIELDS[name](value)
        data[name] = value
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
    return keyed_hash(text.encode())


def keyed_hash(data: bytes) -> str:
    """HMAC-SM3 of ``data`` with the audit key, as 64 hex digits."""
    from xietong.core import keys

    h = hmac.HMAC(keys.key("audit"), hashes.SM3())
    h.update(data)
    return h.finalize().hex()


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
    event_id, digest = event.id, event.hash
    transaction.on_commit(lambda: anchor.advance(event_id, digest))
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


def verify(chunk: int = 5000, progress: Callable[[int, int], None] | None = None) -> VerifyResult:
    """Recompute every hash and link, check the head and the anchor; report the first
    problems found. ``progress(checked, total)`` is called after each chunk (a job's bar)."""
    problems: list[str] = []
    head = AuditHead.objects.filter(id=1).first()
    prev = head.base_hash if head is not None else GENESIS
    archived = head.archived if head is not None else 0
    checked = 0
    last_id = 0
    first_id: int | None = None
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:chunk])
        if not batch:
            break
        for event in batch:
            first_id = event.id if first_id is None else first_id
            if event.prev_hash != prev:
                problems.append(f"event {event.id}: link to the previous event is broken")
            if _digest(event) != event.hash:
                problems.append(f"event {event.id}: content does not match its hash")
            prev = event.hash
            checked += 1
            last_id = event.id
        if progress is not None:
            total = (head.count - archived) if head is not None else checked
            progress(checked, max(total, checked))
        if len(problems) > 20:
            break
    # Removal at the end leaves no broken link behind: the head and the anchor tell.
    if (
        not problems
        and head is not None
        and (head.last_hash != prev or head.count != checked + archived)
    ):
        problems.append(
            f"the chain ends at {checked + archived} events but {head.count} were written: "
            "events at the end were removed"
        )
    problems.extend(_check_anchor(first_id, last_id))
    return VerifyResult(ok=not problems, checked=checked, problems=problems)


def _check_anchor(first_id: int | None, last_id: int) -> list[str]:
    try:
        anchored = anchor.read()
    except anchor.AnchorUnreadable as e:
        return [str(e)]
    if anchored is None or (first_id is not None and anchored.event_id < first_id):
        return []  # nothing anchored yet, or the anchored event was archived
    event = AuditEvent.objects.filter(id=anchored.event_id).only("hash").first()
    if event is None:
        return [
            f"event {anchored.event_id}, anchored outside the database, is missing: "
            f"the log ends at event {last_id}"
        ]
    if event.hash != anchored.hash:
        return [
            f"event {anchored.event_id} differs from its anchor outside the database: "
            "the chain was rewritten"
        ]
    return []


# --- retention: archiving old events to a signed file ---------------------------------


class RetentionRefused(Exception):
    """An archive that would remove events younger than the retention period."""


@dataclass
class ArchiveResult:
    archived: int
    first_id: int | None
    last_id: int | None
    path: str


def archive(actor: Actor | None, before: dt.date, path: str, *, chunk: int = 5000) -> ArchiveResult:
    """Write every event older than ``before`` to ``path`` (JSON lines, HMAC-SM3-signed
    in its last line), then remove them from the database.

    ``before`` may be no later than the retention period allows (settings
    ``XIETONG_AUDIT_RETENTION_DAYS``, at least 180 days, which the database's triggers
    enforce again). The remaining chain starts from the archive's last hash, kept in the
    head. An ``audit.archive`` event records what was moved.
    """
    from django.conf import settings
    from django.db import connection
    from django.utils.translation import gettext as _

    from xietong.core import keys

    days = max(settings.XIETONG_AUDIT_RETENTION_DAYS, 180)
    latest = timezone.localdate() - dt.timedelta(days=days)
    if before > latest:
        raise RetentionRefused(
            _("Audit events are kept %(days)d days: archive only before %(date)s.")
            % {"days": days, "date": latest.isoformat()}
        )
    cutoff = dt.datetime.combine(before, dt.time.min, tzinfo=timezone.get_current_timezone())
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(id=1)
        rows = AuditEvent.objects.filter(at__lt=cutoff).order_by("id")
        # Only a prefix of the chain can go: stop at the first event at or after the cutoff.
        first_kept = AuditEvent.objects.filter(at__gte=cutoff).order_by("id").first()
        if first_kept is not None:
            rows = rows.filter(id__lt=first_kept.id)
        mac = hmac.HMAC(keys.key("audit"), hashes.SM3())
        count, first_id, last_id, last_hash = 0, None, None, head.base_hash
        with open(path, "w", encoding="utf-8") as out:
            header = {"xietong_audit_archive": 1, "base_hash": head.base_hash}
            line = json.dumps(header, ensure_ascii=False) + "\n"
            out.write(line)
            mac.update(line.encode())
            for event in rows.iterator(chunk_size=chunk):
                line = json.dumps(_as_record(event), ensure_ascii=False, sort_keys=True) + "\n"
                out.write(line)
                mac.update(line.encode())
                count += 1
                first_id = first_id or event.id
                last_id, last_hash = event.id, event.hash
            out.write(json.dumps({"signature": mac.finalize().hex(), "events": count}) + "\n")
        if count:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL xietong.audit_purge TO 'on'")
            AuditEvent.objects.filter(id__lte=last_id).delete()
            head.base_hash = last_hash
            head.archived += count
            head.save(update_fields=["base_hash", "archived"])
        record(
            actor,
            "audit.archive",
            detail={
                "before": before.isoformat(),
                "events": count,
                "first": first_id,
                "last": last_id,
            },
        )
    return ArchiveResult(archived=count, first_id=first_id, last_id=last_id, path=path)


def _as_record(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "before": event.before,
        "after": event.after,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def verify_archive(path: str) -> VerifyResult:
    """Check an archive's signature and the chain of the events in it."""
    from xietong.core import keys

    problems: list[str] = []
    mac = hmac.HMAC(keys.key("audit"), hashes.SM3())
    checked = 0
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
        header = json.loads(lines[0])
        trailer = json.loads(lines[-1])
        prev = header["base_hash"]
        for line in lines[:-1]:
            mac.update(line.encode())
        for line in lines[1:-1]:
            data = json.loads(line)
            event = AuditEvent(
                id=data["id"],
                at=dt.datetime.fromisoformat(data["at"]),
                actor_id=data["actor"],
                actor_name=data["actor_name"],
                action=data["action"],
                object_type=data["object_type"],
                object_id=data["object_id"],
                object_label=data["object_label"],
                before=data["before"],
                after=data["after"],
                detail=data["detail"],
                prev_hash=data["prev_hash"],
            )
            if event.prev_hash != prev:
                problems.append(f"event {event.id}: link to the previous event is broken")
            if _digest(event) != data["hash"]:
                problems.append(f"event {event.id}: content does not match its hash")
            prev = data["hash"]
            checked += 1
        if not anchor.hmac_equal(mac.finalize().hex(), str(trailer.get("signature", ""))):
            problems.append("the archive's signature does not match its content")
    except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
        problems.append(f"the archive cannot be read: {e}")
    return VerifyResult(ok=not problems, checked=checked, problems=problems)
