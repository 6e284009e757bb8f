"""Sealing under versioned keys (SM4-GCM) and blind indexes (HMAC-SM3): each value names its
key version, is bound to its field, and a key that is not the registered one is refused."""

from __future__ import annotations

import secrets

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from xietong.core import crypto, keys, sealing
from xietong.core.models import SealingKey

ring = sealing.PERSONAL


def test_a_sealed_value_starts_with_its_key_version_and_opens_for_its_field_only(db):
    blob = ring.seal("110105194912310021", "staff.id_number")
    assert ring.version_of(blob) == 1 and blob[:2] == b"\x00\x01"
    assert ring.unseal(blob, "staff.id_number") == "110105194912310021"
    assert ring.seal("110105194912310021", "staff.id_number") != blob  # a fresh nonce each time
    with pytest.raises(crypto.Unreadable):
        ring.unseal(blob, "staff.phone")
    with pytest.raises(crypto.Unreadable):
        ring.unseal(blob[:-1] + bytes([blob[-1] ^ 1]), "staff.id_number")


def test_a_blind_index_is_the_same_for_equal_values_and_differs_between_versions(
    db, new_personal_key
):
    number = "110105194912310021"
    assert ring.index(number, version=1) == ring.index(number, version=1)
    assert len(ring.index(number)) == 32 and ring.index(number) != ring.index(number, version=1)
    assert ring.index("110105194912310022", version=1) != ring.index(number, version=1)
    assert ring.indexes(number) == [ring.index(number, version=1), ring.index(number)]
    old = ring.seal(number, "staff.id_number", version=1)
    assert ring.unseal(old, "staff.id_number") == number  # old versions stay readable
    with pytest.raises(crypto.Unreadable):  # a value cannot claim another version
        ring.unseal(b"\x00\x02" + old[2:], "staff.id_number")


def test_every_version_used_is_registered_with_its_keys_fingerprint(db, new_personal_key):
    ring.seal("13800000000", "staff.phone")
    row = SealingKey.objects.get(purpose="personal", version=2)
    assert len(row.fingerprint) == 32 and row.retired_at is None
    assert keys.key("personal_2").hex() not in row.fingerprint


def test_a_key_other_than_the_registered_one_is_refused_at_start_and_on_use(
    db, fresh_keys, monkeypatch
):
    ring.register(1)
    monkeypatch.setenv("XIETONG_KEY_PERSONAL_1", secrets.token_hex(32))
    keys.key.cache_clear()
    ring.forget()
    with pytest.raises(SystemCheckError) as refused:
        call_command("check")
    message = str(refused.value)
    assert "xietong.E001" in message and "personal-data key version 1" in message
    assert "$XIETONG_KEY_PERSONAL_1" in message
    with pytest.raises(sealing.WrongKey):
        ring.seal("13800000000", "staff.phone")
    with pytest.raises(sealing.WrongKey):
        sealing.require_keys()


def test_a_registered_version_whose_key_is_gone_is_named(db, new_personal_key, settings, tmp_path):
    ring.register(1)
    settings.XIETONG_KEY_DIR = tmp_path  # personal_1.key is not there; version 2 is in $…_2
    keys.key.cache_clear()
    ring.forget()
    [problem] = ring.problems()
    assert "sealed under the personal-data key version 1" in problem
    assert "XIETONG_KEY_PERSONAL_1" in problem and "personal_1.key" in problem
    assert not (tmp_path / "personal_1.key").exists()  # never made afresh for old data


def test_a_version_setting_that_is_not_a_whole_number_is_refused(settings, fresh_keys):
    for value in ("two", 0, 70_000, True):
        settings.XIETONG_PERSONAL_KEY_VERSION = value
        with pytest.raises(keys.MissingKey, match="XIETONG_PERSONAL_KEY_VERSION must be"):
            ring.load_current()


def test_a_development_install_makes_the_current_key_once_for_the_owner_only(
    settings, tmp_path, fresh_keys
):
    settings.XIETONG_KEY_DIR = tmp_path / "keys"
    ring.load_current()
    path = tmp_path / "keys" / "personal_1.key"
    assert path.stat().st_mode & 0o777 == 0o600
    first = path.read_text()
    ring.forget()
    keys.key.cache_clear()
    ring.load_current()
    assert path.read_text() == first
