"""The one table of ``core``: which sealing key versions data is sealed under."""

from __future__ import annotations

from django.db import models


class SealingKey(models.Model):
    """A key version some data was sealed under, with its key's fingerprint.

    The fingerprint (HMAC-SM3 of a fixed text under the key) tells whether a configured key
    is the one the data needs, and reveals nothing of the key. ``retired_at`` is set when a
    rotation has re-sealed every value away from this version: its key is no longer needed.
    See :mod:`xietong.core.sealing`.
    """

    purpose = models.CharField(max_length=30)
    version = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64)
    registered_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["purpose", "version"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="sealing_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.version}"
