"""Whole numbers typed into forms, the API or a command: one parser, one message."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from xietong.core.errors import field_error


def whole_number(value: Any, field: str, label: str, lower: int, upper: int) -> int:
    """``value`` as an integer from ``lower`` to ``upper``, else a refusal on ``field``
    naming ``label`` and the range."""
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        n = lower - 1
    if n < lower or n > upper:
        raise field_error(
            field,
            _("%(label)s must be a whole number from %(min)s to %(max)s.")
            % {"label": label, "min": lower, "max": upper},
        )
    return n


def whole_number_or_none(value: Any, field: str, label: str, lower: int, upper: int) -> int | None:
    """:func:`whole_number`, or None for a blank ``value`` (an optional field)."""
    return None if value in (None, "") else whole_number(value, field, label, lower, upper)
