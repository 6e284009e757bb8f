"""Authenticated encryption with SM4 (GB/T 32907) in GCM mode, under a named key.

``seal(name, data)`` returns nonce ‖ ciphertext ‖ tag; ``unseal`` checks the tag and
refuses anything altered. The key comes from :mod:`xietong.core.keys` (outside the
database); SM4 takes 128-bit keys, the first 16 bytes of the named key.
:func:`seal_with` and :func:`unseal_with` do the same under a key the caller holds
(the versioned keys of :mod:`xietong.core.sealing`).
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from xietong.core import keys

NONCE = 12
TAG = 16


class Unreadable(ValueError):
    """The ciphertext was altered or sealed under another key."""


def sm4(key: bytes) -> algorithms.SM4:
    """An SM4 key for :func:`seal_with` and :func:`unseal_with` (128 bits: the first 16 bytes)."""
    return algorithms.SM4(key[:16])


def _key(name: str) -> algorithms.SM4:
    return sm4(keys.key(name))


def seal_with(key: algorithms.SM4, data: bytes, *, associated: bytes = b"") -> bytes:
    """nonce ‖ ciphertext ‖ tag of ``data`` under ``key``; ``associated`` is authenticated too."""
    nonce = os.urandom(NONCE)
    enc = Cipher(key, modes.GCM(nonce)).encryptor()
    if associated:
        enc.authenticate_additional_data(associated)
    body = enc.update(data) + enc.finalize()
    return nonce + body + enc.tag


def unseal_with(key: algorithms.SM4, blob: bytes, *, associated: bytes = b"") -> bytes:
    if len(blob) < NONCE + TAG:
        raise Unreadable("too short to be sealed")
    nonce, body, tag = blob[:NONCE], blob[NONCE:-TAG], blob[-TAG:]
    dec = Cipher(key, modes.GCM(nonce, tag)).decryptor()
    if associated:
        dec.authenticate_additional_data(associated)
    try:
        return dec.update(body) + dec.finalize()
    except Exception as e:  # InvalidTag
        raise Unreadable("altered, or sealed under another key") from e


def seal(name: str, data: bytes, *, associated: bytes = b"") -> bytes:
    return seal_with(_key(name), data, associated=associated)


def unseal(name: str, blob: bytes, *, associated: bytes = b"") -> bytes:
    return unseal_with(_key(name), blob, associated=associated)
