"""Authenticated encryption with SM4 (GB/T 32907) in GCM mode, under a named key.

``seal(name, data)`` returns nonce ‖ ciphertext ‖ tag; ``unseal`` checks the tag and
refuses anything altered. The key comes from :mod:`xietong.core.keys` (outside the
database); SM4 takes 128-bit keys, the first 16 bytes of the named key.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from xietong.core import keys

NONCE = 12
TAG = 16


class Unreadable(ValueError):
    """The ciphertext was altered or sealed under another key."""


def _key(name: str) -> bytes:
    return keys.key(name)[:16]


def seal(name: str, data: bytes, *, associated: bytes = b"") -> bytes:
    nonce = os.urandom(NONCE)
    enc = Cipher(algorithms.SM4(_key(name)), modes.GCM(nonce)).encryptor()
    if associated:
        enc.authenticate_additional_data(associated)
    body = enc.update(data) + enc.finalize()
    return nonce + body + enc.tag


def unseal(name: str, blob: bytes, *, associated: bytes = b"") -> bytes:
    if len(blob) < NONCE + TAG:
        raise Unreadable("too short to be sealed")
    nonce, body, tag = blob[:NONCE], blob[NONCE:-TAG], blob[-TAG:]
    dec = Cipher(algorithms.SM4(_key(name)), modes.GCM(nonce, tag)).decryptor()
    if associated:
        dec.authenticate_additional_data(associated)
    try:
        return dec.update(body) + dec.finalize()
    except Exception as e:  # InvalidTag
        raise Unreadable("altered, or sealed under another key") from e
