"""Values sealed under numbered key versions, and blind indexes to find them again.

A :class:`Keyring` serves one purpose (``personal``: staff ID numbers and phones). Its key
version *v* is the key ``<purpose>_<v>`` of :mod:`xietong.core.keys` (``XIETONG_KEY_PERSONAL_1``
or ``personal_1.key`` in the key folder); new values are sealed under the version a setting
names (``XIETONG_PERSONAL_KEY_VERSION``, 1 by default). Two keys are derived from each
version's key with HKDF-SM3 (GB/T 32905): one for SM4-GCM (GB/T 32907), one for the
HMAC-SM3 blind index.

* A sealed value is ``version (2 bytes) ‖ nonce ‖ ciphertext ‖ tag``. The version and the
  field's name are authenticated with it, so a value can neither be moved to another field
  nor claim another version unnoticed. Every version whose key is present can be opened:
  rows stay readable while a rotation re-seals them under the new version.
* A blind index is the first 128 bits of HMAC-SM3 over the value, in hex: under one version
  equal values have equal indexes (a unique constraint finds duplicates, an exact lookup
  finds the row), and without the key an index can be neither inverted nor checked.
* Every version used is registered (:class:`xietong.core.models.SealingKey`) with its key's
  fingerprint. A key that is not the one data was sealed under is refused — by the system
  check at start-up and on first use in each process — and never used silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

from xietong.core import crypto, keys

VERSION_BYTES = 2
INDEX_BYTES = 16  # 128 bits: no two of millions of values collide
MAX_VERSION = 2**16 - 1


class WrongKey(keys.MissingKey):
    """A key is not the one the data in the database was sealed under: do not start."""


@dataclass(frozen=True)
class _Key:
    version: int
    header: bytes
    cipher: algorithms.SM4
    mac: hmac.HMAC  # keyed once, copied for each value
    fingerprint: str


def _derive(master: bytes, label: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SM3(), length=length, salt=None, info=label).derive(master)


class Keyring:
    """The numbered keys of one purpose; see the module's description."""

    def __init__(self, purpose: str, setting: str, label: str) -> None:
        self.purpose = purpose
        self.setting = setting
        self.label = label  # for messages: "the personal-data key version 2"
        self._keys: dict[int, _Key] = {}
        self._registered: set[int] = set()

    # --- versions and keys --------------------------------------------------------------

    def current_version(self) -> int:
        """The version new values are sealed under (the setting)."""
        value = getattr(settings, self.setting, 1)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VERSION:
            raise keys.MissingKey(
                f"{self.setting} must be a whole number from 1 to {MAX_VERSION}, not {value!r}."
            )
        return value

    def key_name(self, version: int) -> str:
        return f"{self.purpose}_{version}"

    def _key(self, version: int) -> _Key:
        found = self._keys.get(version)
        if found is not None:
            return found
        name = self.key_name(version)
        # Only the current version's key is ever made (in development): an older one that
        # data was sealed under cannot be replaced by a fresh one.
        master = keys.key(name, create=version == self.current_version())
        info = f"xietong {self.purpose} ".encode()
        mac = hmac.HMAC(_derive(master, info + b"blind index", 32), hashes.SM3())
        check = hmac.HMAC(master, hashes.SM3())
        check.update(info + b"key fingerprint")
        found = _Key(
            version=version,
            header=version.to_bytes(VERSION_BYTES, "big"),
            cipher=crypto.sm4(_derive(master, info + b"sm4", 16)),
            mac=mac,
            fingerprint=check.finalize()[:INDEX_BYTES].hex(),
        )
        self._keys[version] = found
        return found

    def load_current(self) -> None:
        """Load the current version's key: a missing or broken key stops the start here."""
        self._key(self.current_version())

    def readable_versions(self) -> list[int]:
        """The versions whose keys are present, the current one last: the ones data may be
        sealed under (the start-up check makes sure no registered version lacks its key)."""
        current = self.current_version()
        older = [v for v in range(1, current) if v in self._keys or keys.exists(self.key_name(v))]
        return [*older, current]

    def forget(self) -> None:
        """Drop the loaded keys and registrations (after the keys or the database changed)."""
        self._keys.clear()
        self._registered.clear()

    # --- sealing ------------------------------------------------------------------------

    def seal(self, value: str, field: str, *, version: int | None = None) -> bytes:
        """``value`` sealed for ``field`` under ``version`` (default: the current one)."""
        key = self._key(version or self.current_version())
        self.register(key.version)
        body = crypto.seal_with(key.cipher, value.encode(), associated=key.header + field.encode())
        return key.header + body

    def unseal(self, blob: bytes | memoryview, field: str) -> str:
        """The value sealed in ``blob`` for ``field``; :class:`crypto.Unreadable` if it was
        altered or sealed for another field, :class:`keys.MissingKey` if its key is gone."""
        data = bytes(blob)
        key = self._key(self.version_of(data))
        header, body = data[:VERSION_BYTES], data[VERSION_BYTES:]
        return crypto.unseal_with(key.cipher, body, associated=header + field.encode()).decode()

    @staticmethod
    def version_of(blob: bytes | memoryview) -> int:
        data = bytes(blob[:VERSION_BYTES])
        if len(data) < VERSION_BYTES:
            raise crypto.Unreadable("too short to be sealed")
        return int.from_bytes(data, "big")

    def index(self, value: str, *, version: int | None = None) -> str:
        """The blind index of ``value`` under ``version`` (default: the current one)."""
        mac = self._key(version or self.current_version()).mac.copy()
        mac.update(value.encode())
        return mac.finalize()[:INDEX_BYTES].hex()

    def indexes(self, value: str) -> list[str]:
        """The blind indexes ``value`` may be stored under: one per readable version."""
        return [self.index(value, version=v) for v in self.readable_versions()]

    # --- the registry ---------------------------------------------------------------------

    def register(self, version: int, model: Any = None, using: str = DEFAULT_DB_ALIAS) -> None:
        """Record that data is sealed under ``version``, refusing a key that differs from
        the one registered. ``model``: a migration's historical model.

        Remembered for the process once the row is known to be committed: found there, or
        written outside a transaction, or when the transaction that wrote it commits (a
        rolled-back registration is made again). Start-up (``require_keys``) and ``migrate``
        register the current version, so in practice the row is always found.
        """
        if version in self._registered:
            return
        from xietong.core.models import SealingKey

        model = model or SealingKey
        key = self._key(version)
        row, created = model.objects.using(using).get_or_create(
            purpose=self.purpose, version=version, defaults={"fingerprint": key.fingerprint}
        )
        if row.fingerprint != key.fingerprint:
            raise WrongKey(self._wrong(version))
        if row.retired_at is not None:
            model.objects.using(using).filter(pk=row.pk).update(retired_at=None)
        conn = connections[using]
        if not created or not conn.in_atomic_block:
            self._registered.add(version)
        else:
            transaction.on_commit(lambda: self._registered.add(version), using=using)

    def _wrong(self, version: int) -> str:
        where = keys.source(self.key_name(version))
        return (
            f"The {self.label} key version {version} ({where}) is not the key the data in "
            "the database was sealed under: restore that key (see the README, “Production”). "
            "With another key nothing sealed under it could be read or found."
        )

    def problems(self) -> list[str]:
        """What stops this keyring from working: a missing, broken or wrong key."""
        from xietong.core.models import SealingKey

        found: list[str] = []
        try:
            self.load_current()
        except keys.MissingKey as e:
            found.append(str(e))
        try:
            if not _migrated():
                return found  # not migrated yet: nothing is sealed
            rows = list(SealingKey.objects.filter(purpose=self.purpose, retired_at__isnull=True))
        except DatabaseError:
            # No database to compare with (yet): the command fails on its own if it needs
            # one, and a key that differs is still refused on first use.
            return found
        for row in sorted(rows, key=lambda r: r.version):
            try:
                key = self._key(row.version)
            except keys.MissingKey as e:
                found.append(
                    f"Data is sealed under the {self.label} key version {row.version}, "
                    f"but that key cannot be read: {e}"
                )
                continue
            if key.fingerprint != row.fingerprint:
                found.append(self._wrong(row.version))
        return found


PERSONAL = Keyring("personal", "XIETONG_PERSONAL_KEY_VERSION", "personal-data")
KEYRINGS = (PERSONAL,)


def check_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The system check: every keyring's keys present and the ones the data needs."""
    return [
        checks.Error(problem, id="xietong.E001") for ring in KEYRINGS for problem in ring.problems()
    ]


def _migrated(using: str = DEFAULT_DB_ALIAS) -> bool:
    from xietong.core.models import SealingKey

    return SealingKey._meta.db_table in connections[using].introspection.table_names()


def require_keys() -> None:
    """Refuse to start (:class:`WrongKey`) unless every keyring's keys are right; record
    the current versions (the WSGI entry point calls it before serving)."""
    problems = [p for ring in KEYRINGS for p in ring.problems()]
    if problems:
        raise WrongKey(" ".join(problems))
    try:
        migrated = _migrated()
    except DatabaseError:
        return  # the database is not reachable: the first seal registers the version
    if migrated:
        for ring in KEYRINGS:
            ring.register(ring.current_version())


def register_after_migrate(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """``post_migrate``: record the current versions, so the first start finds them."""
    if _migrated(using):
        for ring in KEYRINGS:
            ring.register(ring.current_version(), using=using)
