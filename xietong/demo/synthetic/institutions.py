"""The planned institutions of a scale: kind, county, locality, ownership, name, size."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from xietong.core.delimited import pack
from xietong.demo import named
from xietong.demo.geo import coords_for, has_own_coords
from xietong.demo.synthetic.counties import (
    DISTRICT_POPULATION,
    LOCALITY_MIX,
    PROVINCES,
    County,
    counties,
)
from xietong.demo.synthetic.scale import DEFAULT_SEED
from xietong.demo.synthetic.school_names import CountyNamer
from xietong.demo.synthetic.sizes import (
    HIGHER_KINDS,
    KIND_ORDER,
    KIND_SIZE,
    LOCALITY_SIZE,
    MIN_STAFF,
    PRIVATE_SHARE,
    TOWN_AT_LEAST,
    apportion,
    planned_counts,
    planned_staff,
)
from xietong.institutions.choices import DEFAULT_STAGES


@dataclass
class PlannedInstitution:
    name: str
    kind: str
    stages: str  # packed
    ownership: str
    locality: str
    county: County
    address: str
    latitude: str
    longitude: str
    staff: int = 0


def _coords(county: County, rng: random.Random) -> tuple[str, str]:
    lat, lon = coords_for(county.code)
    spread = 0.06 if has_own_coords(county.code) else 0.35  # Hebei: around the city centre
    return (
        f"{lat + rng.uniform(-spread, spread):.5f}",
        f"{lon + rng.uniform(-spread, spread):.5f}",
    )


def plan(
    scale: Decimal | float, seed: int = DEFAULT_SEED, taken: dict[str, set[str]] | None = None
) -> list[PlannedInstitution]:
    """The institutions at a scale, ordered by county and kind, with their staff counts.

    ``taken`` maps a county code to names already used there (the named entities are always
    avoided); the result is the same for the same scale, seed and ``taken``.
    """
    rng = random.Random(f"xietong-demo-institutions-{seed}")
    all_counties = counties()
    used: dict[str, set[str]] = {c.code: set() for c in all_counties}
    for row in named.INSTITUTIONS:
        used.setdefault(row.region, set()).add(row.name)
    for code, names in (taken or {}).items():
        used.setdefault(code, set()).update(names)
    higher_names: set[str] = set()

    counts = planned_counts(scale)
    chosen: list[tuple[County, str]] = []
    for prov in PROVINCES:
        pc = [c for c in all_counties if c.province == prov]
        if prov == "13":
            base = {c.code: rng.uniform(0.6, 1.4) for c in pc}
        else:
            base = {c.code: float(DISTRICT_POPULATION[c.code]) for c in pc}
        for kind in KIND_ORDER:
            n = counts[prov].get(kind, 0)
            if not n:
                continue
            eligible = [c for c in pc if c.is_district] if kind in HIGHER_KINDS else pc
            chosen.extend(
                (c, kind) for c in rng.choices(eligible, [base[c.code] for c in eligible], k=n)
            )
    chosen.sort(key=lambda ck: (ck[0].code, KIND_ORDER.index(ck[1])))

    out: list[PlannedInstitution] = []
    namers: dict[str, CountyNamer] = {}
    for county, kind in chosen:
        namer = namers.get(county.code)
        if namer is None:
            namer = namers[county.code] = CountyNamer(county, rng, used[county.code])
        urban, town, _rural = LOCALITY_MIX[county.mix_key]
        u = rng.random()
        locality = "urban" if u < urban else "town" if u < urban + town else "rural"
        if kind in HIGHER_KINDS:
            locality = "urban"
        elif kind in TOWN_AT_LEAST and locality == "rural":
            locality = "town"
        ownership = "private" if rng.random() < PRIVATE_SHARE[kind] else "public"
        if kind in HIGHER_KINDS:
            # Higher-education names must be unique across the region, not only the county.
            namer.taken |= higher_names
            name, address = namer.name(kind, locality, ownership)
            higher_names.add(name)
        else:
            name, address = namer.name(kind, locality, ownership)
        lat, lon = _coords(county, rng)
        out.append(
            PlannedInstitution(
                name=name,
                kind=kind,
                stages=pack(DEFAULT_STAGES[kind]),
                ownership=ownership,
                locality=locality,
                county=county,
                address=address,
                latitude=lat,
                longitude=lon,
            )
        )
    _size(out, scale, rng)
    return out


def _size(insts: list[PlannedInstitution], scale: Decimal | float, rng: random.Random) -> None:
    """Staff per institution: KIND_SIZE × locality × jitter, scaled to each province's total."""
    for prov in PROVINCES:
        group = [i for i in insts if i.county.province == prov]
        target = planned_staff(scale, len(group), prov)
        if not group:
            continue
        raw = [
            KIND_SIZE[i.kind] * LOCALITY_SIZE[i.locality] * rng.lognormvariate(0, 0.35)
            for i in group
        ]
        extra = apportion(target - MIN_STAFF * len(group), raw)
        for inst, n in zip(group, extra, strict=True):
            inst.staff = MIN_STAFF + n
