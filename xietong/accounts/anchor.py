"""The audit chain's head, kept in a file outside the database.

Whoever can drop the append-only triggers can rewrite an event; the keyed chain stops them
from recomputing the hashes, and this anchor stops them from quietly dropping the end of
the log: after each commit that wrote events, the newest event's id and hash are written
here (atomically, with an HMAC-SM3 over them), and ``audit verify`` checks that the chain
still holds that event with that hash.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes, hmac
from django.conf import settings

from xietong.core import keys


@dataclass(frozen=True)
class Anchor:
    event_id: int
    hash: str


def _mac(event_id: int, digest: str) -> str:
    h = hmac.HMAC(keys.key("audit"), hashes.SM3())
    h.update(f"anchor:{event_id}:{digest}".encode())
    return h.finalize().hex()


def path() -> Path:
    return Path(settings.XIETONG_AUDIT_ANCHOR)


class AnchorUnreadable(Exception):
    pass


def read() -> Anchor | None:
    """The anchored head, or None if none was written yet; raises if it was forged."""
    p = path()
    if not p.exists():
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        anchor = Anchor(int(data["event_id"]), str(data["hash"]))
        mac = str(data["mac"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise AnchorUnreadable(f"the anchor file {p} cannot be read: {e}") from None
    if not hmac_equal(mac, _mac(anchor.event_id, anchor.hash)):
        raise AnchorUnreadable(f"the anchor file {p} was not written by this platform")
    return anchor


def hmac_equal(a: str, b: str) -> bool:
    import hmac as std_hmac

    return std_hmac.compare_digest(a, b)


def advance(event_id: int, digest: str) -> None:
    """Move the anchor forward to this event (never back), replacing the file atomically."""
    p = path()
    try:
        current = read()
    except AnchorUnreadable:
        current = None  # verify reports it; a fresh anchor is still worth writing
    if current is not None and current.event_id >= event_id:
        return
    p.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(
        {"event_id": event_id, "hash": digest, "mac": _mac(event_id, digest)}, indent=None
    )
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".anchor-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(body)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, p)
