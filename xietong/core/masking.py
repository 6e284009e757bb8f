"""Masking of personal data (ID numbers, phones) for display and export."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """Keep the region prefix and the last two characters: ``110105********123X`` style."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 8) + value[-2:]


def mask_phone(value: str | None) -> str:
    """Keep the first three and last four digits of a phone number: ``138****5678``."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
