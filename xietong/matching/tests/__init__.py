"""Tests for :mod:`xietong.matching`, plus the small helpers they share.

The helpers are deliberately naive pure-Python restatements of the definitions (no numpy
tricks), so that they are independent of the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st


@dataclass(frozen=True)
class Instance:
    applicant_prefs: list[list[int]]
    host_prefs: list[list[int]]
    capacities: list[int]

    @property
    def n_applicants(self) -> int:
        return len(self.applicant_prefs)

    @property
    def n_hosts(self) -> int:
        return len(self.host_prefs)


def to_csr(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    indptr = np.zeros(len(lists) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(row) for row in lists])
    indices = np.array([x for row in lists for x in row], dtype=np.int64)
    return indptr, indices


@st.composite
def instances(
    draw: st.DrawFn, max_applicants: int = 8, max_hosts: int = 5, max_capacity: int = 3
) -> Instance:
    """Random many-to-one instances, including the awkward cases: empty lists, hosts that
    do not rank some applicants who applied, hosts that rank applicants who did not apply,
    and zero capacities."""
    n_app = draw(st.integers(0, max_applicants))
    n_hosts = draw(st.integers(0, max_hosts))
    applicant_prefs = []
    for _ in range(n_app):
        order = draw(st.permutations(list(range(n_hosts))))
        applicant_prefs.append(order[: draw(st.integers(0, n_hosts))])
    host_prefs = []
    for h in range(n_hosts):
        applied = {a for a in range(n_app) if h in applicant_prefs[a]}
        listed = [
            a
            for a in range(n_app)
            if draw(st.sampled_from([True] * 5 + [False]) if a in applied else st.booleans())
        ]
        host_prefs.append(draw(st.permutations(listed)))
    capacities = [draw(st.integers(0, max_capacity)) for _ in range(n_hosts)]
    return Instance(applicant_prefs, host_prefs, capacities)


def brute_blocking_pairs(inst: Instance, assignment: list[int]) -> set[tuple[int, int]]:
    """Blocking pairs straight from the definition (Gale & Shapley 1962)."""
    pairs = set()
    for a, prefs in enumerate(inst.applicant_prefs):
        for h in prefs:
            if a not in inst.host_prefs[h]:
                continue
            current = assignment[a]
            if current != -1 and prefs.index(h) >= prefs.index(current):
                continue
            held = [b for b in range(inst.n_applicants) if assignment[b] == h]
            host_rank = inst.host_prefs[h].index
            if len(held) < inst.capacities[h] or any(host_rank(b) > host_rank(a) for b in held):
                pairs.add((a, h))
    return pairs


def is_feasible(inst: Instance, assignment: list[int]) -> bool:
    for a, h in enumerate(assignment):
        if h == -1:
            continue
        if h not in inst.applicant_prefs[a] or a not in inst.host_prefs[h]:
            return False
    return all(assignment.count(h) <= inst.capacities[h] for h in range(inst.n_hosts))
