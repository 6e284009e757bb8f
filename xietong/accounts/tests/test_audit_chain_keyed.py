"""The keyed audit chain: rewritten even with the triggers dropped, it fails verification;
its head is anchored outside the database; old events move to a signed archive, young ones
cannot be removed; a missing or broken key stops the start."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from xietong.accounts import anchor, audit
from xietong.accounts.models import AuditEvent, AuditHead
from xietong.core import keys


def make_events(cast, n: int = 4) -> list[AuditEvent]:
    for i in range(n):
        audit.record(cast.actor("sanhe"), "test.event", object_type="test", object_id=i)
    return list(AuditEvent.objects.order_by("id"))


def lift_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE accounts_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_no_update")
            cursor.execute("DROP TRIGGER audit_no_delete")


def rechain_from(events: list[AuditEvent], start: int, digest) -> None:
    """What an attacker with database access does: rewrite and recompute the rest."""
    prev = events[start - 1].hash if start else audit.GENESIS
    for event in events[start:]:
        event.prev_hash = prev
        event.hash = digest(event)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=prev, hash=event.hash)
        prev = event.hash
    AuditHead.objects.filter(id=1).update(last_hash=prev)


def anchor_now() -> None:
    last = AuditEvent.objects.order_by("-id").first()
    anchor.advance(last.id, last.hash)


def test_it_hashes_with_hmac_sm3_under_the_audit_key(cast):
    [event, *_] = make_events(cast, 1)
    assert event.hash == audit.keyed_hash(
        json.dumps(
            {
                "at": event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
                "actor": event.actor_id,
                "actor_name": event.actor_name,
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "object_label": event.object_label,
                "before": None,
                "after": None,
                "detail": None,
                "prev": audit.GENESIS,
            },
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
    )
    assert len(event.hash) == 64


def test_a_chain_rewritten_with_the_triggers_dropped_fails_without_the_key(cast):
    import hashlib

    events = make_events(cast)
    lift_triggers()
    AuditEvent.objects.filter(pk=events[1].pk).update(action="test.forged")
    events[1].action = "test.forged"

    def unkeyed(e):  # the best an attacker without the key can do
        return hashlib.sha256(repr(e.__dict__).encode()).hexdigest()

    rechain_from(events, 1, unkeyed)
    result = audit.verify()
    assert not result.ok
    assert f"event {events[1].pk}: content does not match its hash" in result.problems


def test_a_chain_rewritten_even_with_the_key_differs_from_its_anchor(cast):
    events = make_events(cast)
    anchor_now()
    lift_triggers()
    AuditEvent.objects.filter(pk=events[1].pk).update(action="test.forged")
    events[1].action = "test.forged"
    rechain_from(events, 1, audit._digest)
    result = audit.verify()
    assert result.problems == [
        f"event {events[-1].pk} differs from its anchor outside the database: "
        "the chain was rewritten"
    ]


def test_events_cut_from_the_end_with_the_head_moved_back_are_missed_by_the_anchor(cast):
    events = make_events(cast)
    anchor_now()
    lift_triggers()
    AuditEvent.objects.filter(pk__gte=events[2].pk).delete()
    AuditHead.objects.filter(id=1).update(last_hash=events[1].hash, count=2)
    result = audit.verify()
    assert result.problems == [
        f"event {events[-1].pk}, anchored outside the database, is missing: "
        f"the log ends at event {events[1].pk}"
    ]


def test_the_anchor_is_written_after_the_commit(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_events(cast, 2)
    last = AuditEvent.objects.order_by("-id").first()
    assert anchor.read() == anchor.Anchor(last.id, last.hash)
    assert audit.verify().ok


def test_a_forged_anchor_file_is_reported(cast, settings):
    make_events(cast, 1)
    settings.XIETONG_AUDIT_ANCHOR.write_text(json.dumps({"event_id": 1, "hash": "0", "mac": "0"}))
    result = audit.verify()
    assert not result.ok and "was not written by this platform" in result.problems[0]


# --- the database refuses --------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    ["UPDATE accounts_auditevent SET action = 'x'", "DELETE FROM accounts_auditevent"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_or_remove_a_young_event(cast, statement):
    make_events(cast, 1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_the_database_refuses_to_truncate_the_audit_log(cast):
    make_events(cast, 1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE accounts_auditevent")
    assert AuditEvent.objects.count() == 1


# --- retention -----------------------------------------------------------------------


def age_all_events(days: int) -> None:
    """Move the whole chain back in time (the hashes cover ``at``, so recompute them)."""
    lift_triggers()
    events = list(AuditEvent.objects.order_by("id"))
    for e in events:
        e.at -= dt.timedelta(days=days)
        AuditEvent.objects.filter(pk=e.pk).update(at=e.at)
    rechain_from(events, 0, audit._digest)
    with connection.cursor() as cursor:  # back on, so the archive meets the real rule
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE accounts_auditevent ENABLE TRIGGER USER")
        else:
            from xietong.accounts import triggers

            for sql in triggers.SQLITE:
                cursor.execute(sql)


def test_it_archives_old_events_to_a_signed_file_and_the_rest_still_verifies(cast, tmp_path):
    make_events(cast, 3)
    age_all_events(400)
    make_events(cast, 1)  # a young one, kept
    target = tmp_path / "audit-2025.jsonl"
    result = audit.archive(None, timezone.localdate() - dt.timedelta(days=200), str(target))
    assert result.archived == 3
    assert AuditEvent.objects.filter(action="test.event").count() == 1
    assert AuditEvent.objects.filter(action="audit.archive").count() == 1
    assert audit.verify().ok, audit.verify().problems
    assert audit.verify_archive(str(target)) == audit.VerifyResult(True, 3, [])


def test_an_altered_archive_fails_its_check(cast, tmp_path):
    make_events(cast, 2)
    age_all_events(400)
    target = tmp_path / "a.jsonl"
    audit.archive(None, timezone.localdate() - dt.timedelta(days=200), str(target))
    target.write_text(target.read_text().replace("test.event", "test.other", 1))
    result = audit.verify_archive(str(target))
    assert not result.ok and "signature" in " ".join(result.problems)


def test_it_refuses_to_archive_events_younger_than_the_retention_period(cast, tmp_path):
    make_events(cast, 2)
    with pytest.raises(audit.RetentionRefused) as refused:
        audit.archive(None, timezone.localdate() - dt.timedelta(days=30), str(tmp_path / "x"))
    assert "180" in str(refused.value)
    assert AuditEvent.objects.count() == 2


def test_the_archive_command_refuses_a_young_date_with_a_message(cast, tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command(
            "audit",
            "archive",
            "--before",
            timezone.localdate().isoformat(),
            "--to",
            str(tmp_path / "x.jsonl"),
        )
    assert "180" in str(refused.value)


# --- keys ---------------------------------------------------------------------------


@pytest.fixture
def no_cached_keys():
    keys.key.cache_clear()
    yield
    keys.key.cache_clear()


def test_production_refuses_to_start_without_the_key(settings, tmp_path, no_cached_keys):
    settings.XIETONG_KEY_DIR = tmp_path / "keys"
    settings.XIETONG_CREATE_KEYS = False
    with pytest.raises(keys.MissingKey) as refused:
        keys.key("audit")
    assert "XIETONG_KEY_AUDIT" in str(refused.value) and "audit.key" in str(refused.value)


@pytest.mark.parametrize("text", ["not hex at all", "abcd"], ids=["not-hex", "too-short"])
def test_a_broken_key_file_stops_the_start_with_what_is_wrong(
    settings, tmp_path, no_cached_keys, text
):
    settings.XIETONG_KEY_DIR = tmp_path
    (tmp_path / "audit.key").write_text(text)
    with pytest.raises(keys.MissingKey) as refused:
        keys.key("audit")
    assert str(tmp_path / "audit.key") in str(refused.value)


def test_a_development_install_makes_its_key_once_readable_by_the_owner_only(
    settings, tmp_path, no_cached_keys
):
    settings.XIETONG_KEY_DIR = tmp_path / "keys"
    settings.XIETONG_CREATE_KEYS = True
    first = keys.key("audit")
    keys.key.cache_clear()
    assert keys.key("audit") == first and len(first) == 32
    assert (tmp_path / "keys" / "audit.key").stat().st_mode & 0o777 == 0o600


def test_the_environment_key_wins_over_the_file(settings, tmp_path, monkeypatch, no_cached_keys):
    settings.XIETONG_KEY_DIR = tmp_path
    (tmp_path / "audit.key").write_text("11" * 32)
    monkeypatch.setenv("XIETONG_KEY_AUDIT", "22" * 32)
    assert keys.key("audit") == bytes.fromhex("22" * 32)
