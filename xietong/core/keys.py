"""Secret keys kept outside the database: one per purpose (the audit chain, personal data).

A key comes from the environment (``XIETONG_KEY_<NAME>``, hex) or from a file
``<XIETONG_KEY_DIR>/<name>.key`` (hex, readable by the service only). Where neither exists,
a development or demo install (``XIETONG_CREATE_KEYS``, on unless ``XIETONG_PRODUCTION``)
makes one in the key folder; production refuses to start instead — a missing key is never
worked around silently (no unkeyed hash, no plaintext).
"""

from __future__ import annotations

import os
import secrets
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32


class MissingKey(ImproperlyConfigured):
    """A key is missing or unreadable: the platform must not start."""


def _env_name(name: str) -> str:
    return f"XIETONG_KEY_{name.upper()}"


def _parse(text: str, where: str, length: int) -> bytes:
    try:
        value = bytes.fromhex(text.strip())
    except ValueError:
        raise MissingKey(f"The key in {where} is not hexadecimal.") from None
    if len(value) < length:
        raise MissingKey(
            f"The key in {where} has {len(value)} bytes; it needs at least {length} "
            f"({2 * length} hex digits)."
        )
    return value


def key_path(name: str) -> Path:
    return Path(settings.XIETONG_KEY_DIR) / f"{name}.key"


def source(name: str) -> str:
    """Where the key ``name`` is read from: its environment variable or its file."""
    return f"${_env_name(name)}" if os.environ.get(_env_name(name)) else str(key_path(name))


def exists(name: str) -> bool:
    """Whether the key ``name`` is given (environment or file), without making one."""
    return bool(os.environ.get(_env_name(name))) or key_path(name).exists()


@cache
def key(name: str, length: int = KEY_BYTES, *, create: bool = True) -> bytes:
    """The key ``name``; raises :class:`MissingKey` with what to do when it is not there.

    ``create=False`` never makes a key, even in development: a key that data was sealed
    under cannot be replaced by a fresh one.
    """
    if text := os.environ.get(_env_name(name)):
        return _parse(text, f"${_env_name(name)}", length)
    path = key_path(name)
    if path.exists():
        try:
            return _parse(path.read_text(encoding="ascii"), str(path), length)
        except (OSError, UnicodeDecodeError) as e:
            raise MissingKey(f"The key file {path} cannot be read: {e}") from None
    if not (create and settings.XIETONG_CREATE_KEYS):
        raise MissingKey(
            f"The {name} key is missing: set {_env_name(name)} (hex) or put it in {path} "
            "(see the README, “Production”)."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_bytes(length)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(value.hex() + "\n")
    return value
