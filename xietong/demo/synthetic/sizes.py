"""How many institutions and staff, of which kinds, at a scale (facts.md, "Size of the region").

At scale 1.0 the population has the real size of the region: about 41,000 institutions
and 1.4 million staff. Every figure here that facts.md does not give is an **estimate**
and is marked so where it is set.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from xietong.institutions.choices import Kind

K = Kind


@dataclass(frozen=True)
class Group:
    """A row of facts.md's size table, and how its count splits into kinds."""

    label: str
    count: int  # at scale 1.0
    kinds: tuple[tuple[str, float], ...]  # (kind, share); shares are estimates unless 1.0


# Beijing's and Tianjin's secondary schools are one row in facts.md; the split into
# complete, junior, senior and nine-year schools is an estimate.
_CITY_SECONDARY = (
    (K.COMPLETE_SECONDARY, 0.45),
    (K.JUNIOR, 0.35),
    (K.SENIOR, 0.15),
    (K.NINE_YEAR, 0.05),
)
GROUPS: dict[str, tuple[Group, ...]] = {
    "11": (
        Group("kindergarten", 1900, ((K.KINDERGARTEN, 1.0),)),
        Group("primary", 950, ((K.PRIMARY, 1.0),)),  # facts: "~950 (est.)"
        Group("secondary", 650, _CITY_SECONDARY),  # facts: "~650 (est.)"
        Group("secondary_vocational", 100, ((K.SECONDARY_VOCATIONAL, 1.0),)),  # "(est.)"
        # 92 per facts; the split (67 undergraduate, 25 higher vocational) is an estimate
        Group("higher", 92, ((K.UNIVERSITY, 67 / 92), (K.HIGHER_VOCATIONAL, 25 / 92))),
    ),
    "12": (
        Group("kindergarten", 2260, ((K.KINDERGARTEN, 1.0),)),
        Group("primary", 884, ((K.PRIMARY, 1.0),)),
        Group("secondary", 542, _CITY_SECONDARY),
        Group("secondary_vocational", 58, ((K.SECONDARY_VOCATIONAL, 1.0),)),
        # 56 per facts; the split (30 / 26) is an estimate
        Group("higher", 56, ((K.UNIVERSITY, 30 / 56), (K.HIGHER_VOCATIONAL, 26 / 56))),
    ),
    "13": (
        Group("kindergarten", 17800, ((K.KINDERGARTEN, 1.0),)),
        Group("primary", 11604, ((K.PRIMARY, 1.0),)),
        # 2,516 junior per facts; the share run as nine-year schools is an estimate
        Group("junior", 2516, ((K.JUNIOR, 0.85), (K.NINE_YEAR, 0.15))),
        # 818 senior per facts; the share that also teach junior classes is an estimate
        Group("senior", 818, ((K.SENIOR, 0.8), (K.COMPLETE_SECONDARY, 0.2))),
        Group("secondary_vocational", 763, ((K.SECONDARY_VOCATIONAL, 1.0),)),
        # ~125 per facts; the split (61 / 64) is an estimate
        Group("higher", 125, ((K.UNIVERSITY, 61 / 125), (K.HIGHER_VOCATIONAL, 64 / 125))),
    ),
}

# facts.md: "roughly 1.4 million teachers (Hebei about 1.0 M, Beijing 0.25 M, Tianjin 0.15 M)"
STAFF_AT_SCALE_1 = {"11": 250_000, "12": 150_000, "13": 1_000_000}

# Relative size (staff) of an institution of each kind: an estimate from usual class sizes
# and pupil–teacher ratios; each province's total is then scaled to STAFF_AT_SCALE_1.
KIND_SIZE: dict[str, int] = {
    K.KINDERGARTEN: 14,
    K.PRIMARY: 40,
    K.JUNIOR: 55,
    K.NINE_YEAR: 60,
    K.SENIOR: 110,
    K.COMPLETE_SECONDARY: 120,
    K.SECONDARY_VOCATIONAL: 70,
    K.HIGHER_VOCATIONAL: 450,
    K.UNIVERSITY: 1100,
}
LOCALITY_SIZE = {"urban": 1.2, "town": 0.8, "rural": 0.5}  # estimate: rural schools are small
MIN_STAFF = 3  # a principal, a vice-principal and one teacher

# Share of private institutions by kind (estimates).
PRIVATE_SHARE: dict[str, float] = {
    K.KINDERGARTEN: 0.40,
    K.PRIMARY: 0.04,
    K.JUNIOR: 0.08,
    K.NINE_YEAR: 0.10,
    K.SENIOR: 0.12,
    K.COMPLETE_SECONDARY: 0.10,
    K.SECONDARY_VOCATIONAL: 0.20,
    K.HIGHER_VOCATIONAL: 0.30,
    K.UNIVERSITY: 0.25,
}
KIND_ORDER: list[str] = list(KIND_SIZE)
HIGHER_KINDS = {K.UNIVERSITY, K.HIGHER_VOCATIONAL}
# Kinds never found in villages: a rural draw becomes a town school.
TOWN_AT_LEAST = {K.SENIOR, K.COMPLETE_SECONDARY, K.SECONDARY_VOCATIONAL}


def planned_counts(scale: Decimal | float) -> dict[str, dict[str, int]]:
    """Institutions per province and kind at a scale (rounded per facts.md row)."""
    s = float(scale)
    out: dict[str, dict[str, int]] = {}
    for prov, groups in GROUPS.items():
        kinds: dict[str, int] = {}
        for g in groups:
            n = round(g.count * s)
            for kind, k in zip(
                (k for k, _ in g.kinds), apportion(n, [w for _, w in g.kinds]), strict=True
            ):
                kinds[kind] = kinds.get(kind, 0) + k
        out[prov] = kinds
    return out


def planned_staff(scale: Decimal | float, institutions: int, province: str) -> int:
    """Staff of a province: its share of 1.4 M, at least MIN_STAFF per institution."""
    if institutions == 0:
        return 0
    return max(round(STAFF_AT_SCALE_1[province] * float(scale)), MIN_STAFF * institutions)


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder; deterministic)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    wsum = sum(weights)
    exact = [total * w / wsum for w in weights]
    base = [math.floor(x) for x in exact]
    rest = total - sum(base)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - base[i]), i))
    for i in order[:rest]:
        base[i] += 1
    return base
