"""Plugs teacher training in (called once from the app's ``ready()``)."""

from __future__ import annotations


def setup() -> None:
    from xietong.training import (
        access,
        audit_texts,  # noqa: F401  (audit sentences)
        notices,  # noqa: F401  (notification kinds)
    )

    access.register()
