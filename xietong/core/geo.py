"""Distances between places on the earth: the great-circle (haversine) formula.

Used wherever two institutions' coordinates are compared (matching runs, partner
recommendations). Coordinates are degrees; a missing one gives ``None``, not 0.
"""

from __future__ import annotations

import math
from typing import Any

EARTH_RADIUS_KM = 6371.0


def radians_of(latitude: Any, longitude: Any) -> tuple[float, float] | None:
    """A point's coordinates in radians (None without both)."""
    if latitude is None or longitude is None:
        return None
    return math.radians(float(latitude)), math.radians(float(longitude))


def km_between(a: tuple[float, float] | None, b: tuple[float, float] | None) -> float | None:
    """Great-circle distance in km between two points given in radians (None if one is).

    >>> round(km_between(radians_of(39.9, 116.4), radians_of(39.98, 117.08)))
    59
    """
    if a is None or b is None:
        return None
    (lat1, lon1), (lat2, lon2) = a, b
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def haversine_km(a: Any, b: Any) -> float | None:
    """Great-circle distance between two objects with ``latitude`` and ``longitude``."""
    return km_between(radians_of(a.latitude, a.longitude), radians_of(b.latitude, b.longitude))
