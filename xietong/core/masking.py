"""Masking of personal data (ID numbers, phones) for display and export."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """Keep the issuing region and the check character: ``131082***********X``.

    The rule (decision 0006): the six-digit region tells an administrator where the number
    was issued; the birth date and the sequence number — what tells one person from
    another — are hidden, and no birth year or age is shown beside the mask. That leaves
    about 1.5 million candidates for a masked number (16,000 birth dates × 1,000 sequence
    numbers ÷ 11 check characters), where the old mask with the birth year beside it left
    3,319.
    """
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 7) + value[-1:]


def mask_date(value: object) -> str:
    """A birth date is personal data too: shown as ``****-**-**`` until revealed."""
    return "****-**-**" if value else ""


def mask_phone(value: str | None) -> str:
    """Keep the first three and last four digits of a phone number: ``138****5678``."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
