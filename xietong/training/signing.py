"""Certificate numbers and signatures that cannot be forged without the platform's key.

A certificate number is ``XT<year>-<serial>-<tag>``: the tag is the first 40 bits of
HMAC-SM3 (GB/T 32905, as the rest of the platform's keyed hashes) over ``<year>-<serial>``
in base32, so a made-up or altered number is refused before any lookup. The signature is
HMAC-SM3 over the certificate's fields in a fixed order; the verification page recomputes
it, so a certificate changed in the database (hours, holder) no longer verifies. The key
is ``certificates`` from :mod:`xietong.core.keys` — outside the database.

>>> number = make_number(2025, 123)
>>> check_number(number), check_number(number[:-1] + ("A" if number[-1] != "A" else "B"))
(True, False)
"""

from __future__ import annotations

import base64
import hmac
import re
from collections.abc import Iterable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as chmac

from xietong.core import keys

KEY_NAME = "certificates"
NUMBER = re.compile(r"^XT(\d{4})-(\d{6,})-([A-Z2-7]{8})$")


def _mac(data: bytes) -> bytes:
    mac = chmac.HMAC(keys.key(KEY_NAME), hashes.SM3())
    mac.update(data)
    return mac.finalize()


def _tag(body: str) -> str:
    return base64.b32encode(_mac(b"number:" + body.encode())[:5]).decode()


def make_number(year: int, serial: int) -> str:
    body = f"{year:04d}-{serial:06d}"
    return f"XT{body}-{_tag(body)}"


def normalise(text: str) -> str:
    """A number as typed or scanned: spaces dropped, upper case, full-width dashes read."""
    return re.sub(r"\s+", "", str(text or "")).replace("－", "-").replace("—", "-").upper()[:60]


def check_number(number: str) -> bool:
    m = NUMBER.match(number)
    if m is None:
        return False
    body = f"{m.group(1)}-{m.group(2)}"
    return hmac.compare_digest(_tag(body), m.group(3))


def sign(fields: Iterable[object]) -> str:
    """The hex HMAC-SM3 over the fields, each as text, separated by a unit separator."""
    data = "\x1f".join(str(f) for f in fields).encode()
    return _mac(b"certificate:" + data).hex()


def verify(fields: Iterable[object], signature: str) -> bool:
    return hmac.compare_digest(sign(fields), str(signature or ""))
