"""Partner recommendations: which Beijing or Tianjin school to propose to each unpaired Hebei
school, as an optimal assignment. Pure functions over plain data (nothing here reads the
database or imports Django).

The instance (:func:`build_instance`):

* a *school* (the Hebei side) and a *partner* (the Beijing/Tianjin side) are compatible when
  they are of the same family of school (basic education, kindergarten, secondary
  vocational, higher vocational) and share at least one stage;
* a partner's capacity is ``cap − load`` (``load``: the active partnerships it already serves
  as lead or member); a partner at its cap is not offered;
* a school's candidates are its ``k`` nearest compatible partners with a place within
  ``max_km`` (a partner without coordinates counts as ``max_km`` away, so it comes last);
* the cost of (school, partner), with the weights of :class:`Weights`::

      distance · km / 10  +  stages · (1 − shared / school's stages)
      + kind · (kinds differ)  +  load · partner's load / cap

  so 10 km cost as much as a different (compatible) kind of school, and a partner
  serving its cap − 1 partnerships costs about as much as 5 km more.

Solving (:func:`recommend`) is :func:`xietong.matching.min_cost_assign`: a minimum-cost
flow (Ahuja, Magnanti & Orlin 1993) that first assigns as many schools as possible, then
minimises the total cost; a school gets at most one partner and a partner at most its
capacity.

Complexity: O(S · P) vectorised distance and compatibility tests (numpy, one pass per
school over the partner arrays), O(S · k) candidate entries, then the min-cost flow on
S + P + 1 nodes and at most S · k + S + P arcs. A province (20,000 schools, 3,000
partners, k = 20) is 60 million cheap array operations and a 400,000-arc flow.

Example: two schools near one partner with one place and a farther one with two.

>>> s = [School(0, "primary", frozenset({"primary"}), (39.98, 117.08)),
...      School(1, "primary", frozenset({"primary"}), (39.99, 117.09))]
>>> p = [Partner(10, "primary", frozenset({"primary"}), (39.90, 116.70), load=2),
...      Partner(11, "nine_year", frozenset({"primary", "junior"}), (39.90, 116.40), load=0)]
>>> r = recommend(s, p, cap=3)
>>> sorted((x.school, x.partner) for x in r.proposals)
[(0, 10), (1, 11)]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from xietong import matching

__all__ = [
    "FAMILIES",
    "Outcome",
    "Partner",
    "Proposal",
    "School",
    "Weights",
    "build_instance",
    "kind_fits",
    "recommend",
]

# The families of school whose members may pair (stages decide within a family).
FAMILIES: dict[str, str] = {
    "primary": "basic",
    "junior": "basic",
    "senior": "basic",
    "complete_secondary": "basic",
    "nine_year": "basic",
    "twelve_year": "basic",
    "kindergarten": "kindergarten",
    "secondary_vocational": "sec_voc",
    "higher_vocational": "higher_voc",
}

# Reasons a school is left without a proposal.
NO_CANDIDATE = "no_candidate"  # no compatible partner within range
ALL_AT_CAP = "all_at_cap"  # compatible partners within range, every one at its cap
TAKEN = "taken"  # its candidates' places went to other schools under the optimal plan


@dataclass(frozen=True)
class School:
    """A Hebei school without a partner: its key, kind, stages and (lat, lon) in degrees."""

    key: int
    kind: str
    stages: frozenset[str]
    at: tuple[float, float] | None


@dataclass(frozen=True)
class Partner:
    """A Beijing or Tianjin school: as :class:`School`, with the partnerships it serves."""

    key: int
    kind: str
    stages: frozenset[str]
    at: tuple[float, float] | None
    load: int = 0


@dataclass(frozen=True)
class Weights:
    """The weights of the cost (see the module's doc); each a number ≥ 0."""

    distance: float = 1.0  # per 10 km
    stages: float = 2.0  # per share of the school's stages the partner lacks
    kind: float = 1.0  # a different kind of school (compatible, not the same)
    load: float = 0.5  # per share of the cap the partner already serves

    @classmethod
    def of(cls, values: Mapping[str, Any] | None) -> Weights:
        """Weights from a mapping (a setting); unknown keys or negative values raise."""
        values = dict(values or {})
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown weights: {', '.join(unknown)}")
        for k, v in values.items():
            if not isinstance(v, int | float) or isinstance(v, bool) or v < 0 or math.isnan(v):
                raise ValueError(f"weight {k} must be a number ≥ 0")
        return cls(**{k: float(v) for k, v in values.items()})


@dataclass(frozen=True)
class Proposal:
    """Partner ``partner`` (a key) for school ``school`` (a key), with its reasons."""

    school: int
    partner: int
    cost: float
    km: float | None
    reasons: list[dict[str, Any]]


@dataclass
class Instance:
    """Candidate lists aligned with ``schools``: partner indices, costs, distances."""

    prefs: list[list[int]] = field(default_factory=list)
    costs: list[list[float]] = field(default_factory=list)
    km: list[list[float | None]] = field(default_factory=list)
    capacities: list[int] = field(default_factory=list)
    # Per school without candidates: why (NO_CANDIDATE or ALL_AT_CAP).
    empty: dict[int, str] = field(default_factory=dict)


@dataclass
class Outcome:
    proposals: list[Proposal]
    unplaced: dict[int, str]  # school key -> NO_CANDIDATE, ALL_AT_CAP or TAKEN


def kind_fits(school_kind: str, partner_kind: str) -> bool:
    """Whether two kinds of school may pair (same family; stages are tested apart).

    >>> kind_fits("primary", "twelve_year"), kind_fits("secondary_vocational", "senior")
    (True, False)
    """
    family = FAMILIES.get(school_kind)
    return family is not None and family == FAMILIES.get(partner_kind)


def _stage_bits(stages: frozenset[str], codes: dict[str, int]) -> int:
    bits = 0
    for s in stages:
        bits |= 1 << codes.setdefault(s, len(codes))
    return bits


def _radians(points: Sequence[tuple[float, float] | None]) -> tuple[np.ndarray, np.ndarray]:
    lat = np.array([math.radians(p[0]) if p else np.nan for p in points], dtype=np.float64)
    lon = np.array([math.radians(p[1]) if p else np.nan for p in points], dtype=np.float64)
    return lat, lon


def build_instance(
    schools: Sequence[School],
    partners: Sequence[Partner],
    *,
    cap: int = 3,
    max_km: float = 200.0,
    k: int = 20,
    weights: Weights | None = None,
) -> Instance:
    """The candidate lists, costs and capacities handed to the min-cost assignment.

    O(S · P) vectorised work (see the module's doc); a school's list holds at most ``k``
    partners, nearest first.

    >>> s = [School(0, "senior", frozenset({"senior"}), (39.0, 116.0))]
    >>> p = [Partner(1, "primary", frozenset({"primary"}), (39.0, 116.0)),
    ...      Partner(2, "senior", frozenset({"senior"}), (39.0, 116.1), load=3)]
    >>> build_instance(s, p, cap=3).empty
    {0: 'all_at_cap'}
    """
    w = weights or Weights()
    codes: dict[str, int] = {}
    n_p = len(partners)
    p_bits = np.array([_stage_bits(p.stages, codes) for p in partners], dtype=np.int64)
    families = sorted({f for f in FAMILIES.values()})
    fam_no = {f: i for i, f in enumerate(families)}
    p_family = np.array([fam_no.get(FAMILIES.get(p.kind, ""), -1) for p in partners], np.int64)
    p_load = np.array([p.load for p in partners], dtype=np.int64)
    capacities = [max(cap - p.load, 0) for p in partners]
    p_open = np.array(capacities, dtype=np.int64) > 0
    p_lat, p_lon = _radians([p.at for p in partners])
    p_kind = np.array([p.kind for p in partners], dtype=object)
    p_nstage = {i: p.stages for i, p in enumerate(partners)}
    inst = Instance(capacities=capacities)
    for a, s in enumerate(schools):
        family = fam_no.get(FAMILIES.get(s.kind, ""), -2)
        bits = _stage_bits(s.stages, codes)
        if n_p == 0 or family < 0 or not bits:
            inst.prefs.append([])
            inst.costs.append([])
            inst.km.append([])
            inst.empty[a] = NO_CANDIDATE
            continue
        if s.at is None:
            dist = np.full(n_p, np.nan)
        else:
            lat, lon = math.radians(s.at[0]), math.radians(s.at[1])
            h = (
                np.sin((p_lat - lat) / 2) ** 2
                + math.cos(lat) * np.cos(p_lat) * np.sin((p_lon - lon) / 2) ** 2
            )
            dist = 2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
        ranked = np.where(np.isnan(dist), max_km, dist)
        fits = (p_family == family) & ((p_bits & bits) != 0) & (ranked <= max_km)
        usable = np.flatnonzero(fits & p_open)
        if usable.shape[0] == 0:
            inst.prefs.append([])
            inst.costs.append([])
            inst.km.append([])
            inst.empty[a] = ALL_AT_CAP if bool(fits.any()) else NO_CANDIDATE
            continue
        if usable.shape[0] > k:
            usable = usable[np.argpartition(ranked[usable], k - 1)[:k]]
        usable = usable[np.lexsort((usable, ranked[usable]))]  # nearest first, then by index
        n_stages = len(s.stages)
        prefs, costs, kms = [], [], []
        for j in usable.tolist():
            shared = len(s.stages & p_nstage[j])
            km = None if math.isnan(dist[j]) else float(dist[j])
            cost = (
                w.distance * float(ranked[j]) / 10
                + w.stages * (1 - shared / n_stages)
                + w.kind * (0 if p_kind[j] == s.kind else 1)
                + w.load * (int(p_load[j]) / cap if cap else 0)
            )
            prefs.append(j)
            costs.append(round(cost, 3))
            kms.append(km)
        inst.prefs.append(prefs)
        inst.costs.append(costs)
        inst.km.append(kms)
    return inst


def _reasons(s: School, p: Partner, km: float | None, cap: int) -> list[dict[str, Any]]:
    """The reasons of one proposal, as codes with parameters (rendered when read)."""
    order = ["preschool", "primary", "junior", "senior", "sec_voc", "higher_voc"]
    shared = sorted(s.stages & p.stages, key=lambda x: (order.index(x) if x in order else 99, x))
    out: list[dict[str, Any]] = [{"code": "stages", "stages": shared}]
    out.append({"code": "distance", "km": round(km)} if km is not None else {"code": "no_distance"})
    out.append({"code": "load", "load": p.load, "cap": cap})
    if s.kind == p.kind:
        out.append({"code": "same_kind", "kind": s.kind})
    else:
        out.append({"code": "compatible_kind", "kind": s.kind, "partner_kind": p.kind})
    return out


def recommend(
    schools: Sequence[School],
    partners: Sequence[Partner],
    *,
    cap: int = 3,
    max_km: float = 200.0,
    k: int = 20,
    weights: Weights | None = None,
) -> Outcome:
    """Propose at most one partner per school, at most ``cap − load`` schools per partner,
    assigning as many schools as possible at the least total cost (see the module's doc).

    Complexity: :func:`build_instance` plus the min-cost flow of
    :func:`xietong.matching.min_cost_assign`.

    >>> s = [School(0, "primary", frozenset({"primary"}), None)]
    >>> recommend(s, [], cap=3).unplaced
    {0: 'no_candidate'}
    """
    inst = build_instance(schools, partners, cap=cap, max_km=max_km, k=k, weights=weights)
    unplaced: dict[int, str] = {}
    proposals: list[Proposal] = []
    if not schools:
        return Outcome(proposals, unplaced)
    if any(inst.prefs):
        assignment = matching.min_cost_assign(inst.prefs, inst.costs, inst.capacities).tolist()
    else:
        assignment = [-1] * len(schools)
    for a, s in enumerate(schools):
        h = int(assignment[a])
        if h < 0:
            unplaced[s.key] = inst.empty.get(a, TAKEN)
            continue
        i = inst.prefs[a].index(h)
        p = partners[h]
        km = inst.km[a][i]
        proposals.append(Proposal(s.key, p.key, inst.costs[a][i], km, _reasons(s, p, km, cap)))
    return Outcome(proposals, unplaced)
