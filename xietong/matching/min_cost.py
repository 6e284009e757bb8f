"""Minimum-cost assignment with capacities, as a min-cost flow solved by OR-Tools.

The assignment problem with capacities is a transportation problem and is solved exactly as a
minimum-cost network flow (Ahuja, Magnanti & Orlin 1993, *Network Flows: Theory, Algorithms,
and Applications*, Prentice Hall, ch. 9-10 and 12).  OR-Tools' ``SimpleMinCostFlow`` uses the
cost-scaling push-relabel algorithm of Goldberg & Tarjan (1990), O(V^2 E log(V C)) in the
worst case and close to linear on sparse assignment graphs like these.

The network (built by two linear numba passes and handed to OR-Tools in one vectorised
``add_arcs_with_capacity_and_unit_cost`` call):

* one node per applicant (supply 1 if it lists a host with a place), one node per host, and a
  sink whose demand balances the supplies;
* an arc applicant -> host (capacity 1, the applicant's cost for that host) for every host the
  applicant lists that has a place;
* an arc host -> sink with the host's capacity and cost 0;
* an "unassigned" arc applicant -> sink with capacity 1 and a penalty cost ``M``.

``M`` is chosen so that assigning one more applicant always beats any cost saving: after
shifting costs so the cheapest is 0, a residual cycle that assigns one more applicant runs
sink -> applicant -> host -> applicant -> ... -> host -> sink through distinct hosts, so it
has at most ``min(A', H')`` applicant -> host arcs of cost <= ``max_cost`` (and its reversed
arcs cost <= 0), where ``A'`` counts applicants with a usable choice and ``H'`` hosts with a
place that someone lists.  ``M = min(A', H') * max_cost + 1`` therefore makes every such cycle
negative.  (A penalty of merely ``max_cost + 1`` is *not* enough: see
``test_it_prefers_a_larger_assignment_even_when_a_bigger_penalty_would_be_needed``.)  Hence the
optimum first maximises the number of assigned applicants and then, among those assignments,
minimises the total cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from ._inputs import CSR, MatchingInputError, as_capacities, as_costs, as_csr

__all__ = ["min_cost_assign"]

# OR-Tools multiplies unit costs by (number of nodes + 1) internally and sums costs in int64.
_INT64_HEADROOM = 2**62


@dataclass(frozen=True, slots=True)
class _FlowGraph:
    """The network of :func:`min_cost_assign` as numpy arrays (int32 nodes, int64 values).

    The first ``n_pref_arcs`` arcs are applicant -> host arcs, one per usable preference entry
    (``pref_applicants``/``pref_hosts``).
    """

    tails: np.ndarray
    heads: np.ndarray
    arc_capacities: np.ndarray
    unit_costs: np.ndarray
    supply_nodes: np.ndarray
    supplies: np.ndarray
    n_pref_arcs: int
    pref_applicants: np.ndarray
    pref_hosts: np.ndarray
    n_applicants: int
    penalty: int


def _integer_costs(costs: np.ndarray, cost_scale: float) -> np.ndarray:
    if costs.dtype.kind in "iu":
        return costs.astype(np.int64, copy=False)
    if not cost_scale > 0:
        raise MatchingInputError(f"cost_scale must be positive, got {cost_scale}")
    scaled = costs * float(cost_scale)
    if costs.shape[0] and float(np.max(np.abs(scaled))) >= 2.0**53:
        raise MatchingInputError(
            f"costs * cost_scale must stay below 2**53 in magnitude; lower cost_scale "
            f"(now {cost_scale})"
        )
    return np.rint(scaled).astype(np.int64)


@numba.njit(cache=True, nogil=True)
def _network_stats(
    indptr: np.ndarray, indices: np.ndarray, costs: np.ndarray, caps: np.ndarray
) -> tuple[int, int, int, int, int]:
    """One pass over the entries: (usable entries, active applicants, listed hosts, min cost,
    max cost), where an entry is usable if its host has a place."""
    n_usable = 0
    n_active = 0
    lo = 0
    hi = 0
    listed = np.zeros(caps.shape[0], dtype=np.bool_)
    n_listed = 0
    for a in range(indptr.shape[0] - 1):
        any_usable = False
        for p in range(indptr[a], indptr[a + 1]):
            h = indices[p]
            if caps[h] > 0:
                c = costs[p]
                if n_usable == 0 or c < lo:
                    lo = c
                if n_usable == 0 or c > hi:
                    hi = c
                n_usable += 1
                any_usable = True
                if not listed[h]:
                    listed[h] = True
                    n_listed += 1
        if any_usable:
            n_active += 1
    return n_usable, n_active, n_listed, lo, hi


@numba.njit(cache=True, nogil=True)
def _fill_network(
    indptr: np.ndarray,
    indices: np.ndarray,
    costs: np.ndarray,
    caps: np.ndarray,
    n_usable: int,
    n_active: int,
    n_listed: int,
    offset: int,
    penalty: int,
) -> tuple[np.ndarray, ...]:
    """Arcs in the order: preference entries, "unassigned" arcs, host -> sink arcs."""
    n_app = indptr.shape[0] - 1
    n_hosts = caps.shape[0]
    sink = n_app + n_hosts
    n_arcs = n_usable + n_active + n_listed
    tails = np.empty(n_arcs, dtype=np.int32)
    heads = np.empty(n_arcs, dtype=np.int32)
    arc_caps = np.ones(n_arcs, dtype=np.int64)
    unit_costs = np.empty(n_arcs, dtype=np.int64)
    supply_nodes = np.empty(n_active + 1, dtype=np.int32)
    supplies = np.ones(n_active + 1, dtype=np.int64)
    listed = np.zeros(n_hosts, dtype=np.bool_)
    k = 0
    j = n_usable
    for a in range(n_app):
        any_usable = False
        for p in range(indptr[a], indptr[a + 1]):
            h = indices[p]
            if caps[h] > 0:
                tails[k] = a
                heads[k] = n_app + h
                unit_costs[k] = costs[p] - offset
                k += 1
                any_usable = True
                listed[h] = True
        if any_usable:
            tails[j] = a
            heads[j] = sink
            unit_costs[j] = penalty
            supply_nodes[j - n_usable] = a
            j += 1
    for h in range(n_hosts):
        if listed[h]:
            tails[j] = n_app + h
            heads[j] = sink
            arc_caps[j] = caps[h]
            unit_costs[j] = 0
            j += 1
    supply_nodes[n_active] = sink
    supplies[n_active] = -n_active
    return tails, heads, arc_caps, unit_costs, supply_nodes, supplies


def _build_flow_graph(
    applicant_prefs: Any, costs: Any, capacities: Any, *, cost_scale: float = 1000.0
) -> _FlowGraph:
    """Validate the inputs and build the network solved by :func:`min_cost_assign`."""
    caps = np.asarray(capacities)
    n_hosts = int(caps.shape[0]) if caps.ndim == 1 else -1
    caps = as_capacities(capacities, n_hosts, n_hosts_from="capacities")
    apps: CSR = as_csr(applicant_prefs, n_hosts, "applicant_prefs", target="host")
    entry_costs = _integer_costs(as_costs(costs, apps), cost_scale)
    n_app = apps.n_rows
    if n_app + n_hosts + 1 >= 2**31:
        raise MatchingInputError(
            f"too many applicants and hosts for OR-Tools ({n_app + n_hosts + 1} nodes)"
        )
    n_usable, n_active, n_listed, lo, hi = _network_stats(
        apps.indptr, apps.indices, entry_costs, caps
    )
    offset = int(lo)
    max_cost = int(hi) - offset  # Python ints: no overflow
    penalty = min(n_active, n_listed) * max_cost + 1
    if (
        max_cost >= _INT64_HEADROOM
        or penalty * (n_app + n_hosts + 2) >= _INT64_HEADROOM
        or penalty * max(n_active, 1) >= _INT64_HEADROOM
    ):
        raise MatchingInputError(
            f"costs span too wide a range (max {max_cost} after scaling) for "
            f"{n_app} applicants; use smaller integer costs or a smaller cost_scale"
        )
    tails, heads, arc_caps, unit_costs, supply_nodes, supplies = _fill_network(
        apps.indptr, apps.indices, entry_costs, caps, n_usable, n_active, n_listed, offset, penalty
    )
    return _FlowGraph(
        tails=tails,
        heads=heads,
        arc_capacities=arc_caps,
        unit_costs=unit_costs,
        supply_nodes=supply_nodes,
        supplies=supplies,
        n_pref_arcs=n_usable,
        pref_applicants=tails[:n_usable].copy(),
        pref_hosts=heads[:n_usable] - np.int32(n_app),
        n_applicants=n_app,
        penalty=penalty,
    )


def min_cost_assign(
    applicant_prefs: Any, costs: Any, capacities: Any, *, cost_scale: float = 1000.0
) -> npt.NDArray[np.int64]:
    """Assign as many applicants as possible, then minimise the total cost.

    Parameters
    ----------
    applicant_prefs
        ``applicant_prefs[a]``: the hosts applicant ``a`` may be assigned to (list of lists or
        ``(indptr, indices)`` CSR pair).  Order does not matter here, only the costs do.
    costs
        One cost per preference entry, aligned with ``applicant_prefs``: a list of lists with
        the same row lengths, a flat 1-D array in CSR order, or an ``(indptr, data)`` pair with
        the same ``indptr``.  Integer costs are used exactly.  Float costs are multiplied by
        ``cost_scale`` (default 1000) and rounded to integers, so the result is optimal for
        costs rounded to 1/``cost_scale``.  Costs may be negative.
    capacities
        ``capacities[h]`` >= 0 places at host ``h``; their number defines the number of hosts.

    Returns
    -------
    numpy.ndarray of int64
        One entry per applicant: its host index or ``-1``.  Among all assignments that respect
        the capacities and the lists, the result has the largest number of assigned
        applicants and, among those, the smallest total cost (see the module docstring for
        why the unassigned penalty achieves this).

    Raises
    ------
    MatchingInputError
        For malformed inputs (as :func:`~xietong.matching.stable_match`), costs not aligned
        with the preferences, non-finite costs, or costs whose range cannot be represented in
        OR-Tools' int64 arithmetic.
    RuntimeError
        If OR-Tools does not report an optimal solution (should not happen: the network is
        always feasible thanks to the "unassigned" arcs).

    Complexity: building the network is O(A + H + E); solving is OR-Tools' cost-scaling
    min-cost flow on A + H + 1 nodes and at most E + A + H arcs.

    Example: applicant 0 is cheaper at host 0, but giving host 0 to applicant 1 lets both be
    assigned.

    >>> min_cost_assign([[0, 1], [0]], [[0, 100], [100]], [1, 1]).tolist()
    [1, 0]
    >>> min_cost_assign([[0, 1], [1, 0]], [[0.25, 0.5], [0.1, 0.2]], [1, 1]).tolist()
    [0, 1]
    """
    graph = _build_flow_graph(applicant_prefs, costs, capacities, cost_scale=cost_scale)
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        graph.tails, graph.heads, graph.arc_capacities, graph.unit_costs
    )
    solver.set_nodes_supplies(graph.supply_nodes, graph.supplies)
    n_pref, pref_applicants, pref_hosts = graph.n_pref_arcs, graph.pref_applicants, graph.pref_hosts
    assignment = np.full(graph.n_applicants, -1, dtype=np.int64)
    pref_arcs = arcs[:n_pref].copy()
    del graph, arcs  # OR-Tools holds its own copy of the network: free ours before solving
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"OR-Tools min-cost flow did not find an optimum: {status!r}")
    if n_pref:
        used = np.asarray(solver.flows(pref_arcs)) > 0
        assignment[pref_applicants[used]] = pref_hosts[used]
    return assignment
