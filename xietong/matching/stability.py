"""Independent checks of a many-to-one assignment: feasibility and stability.

This module deliberately shares no code with :mod:`.deferred_acceptance` (only the input
normalisation): host ranks are found by sorting ``host * A + applicant`` keys of both sides
together instead of the counting-sort transpose used there, and the whole check is a handful
of vectorised numpy passes.  It is the oracle the tests and the benchmark use to confirm that
:func:`~xietong.matching.stable_match` really returns a stable matching.

Definitions (Gale & Shapley 1962; Roth 1984).  For an assignment ``m``:

* ``m`` is *feasible* if every assigned pair ``(a, m[a])`` is mutually acceptable (each
  lists the other) and no host holds more applicants than its capacity;
* a pair ``(a, h)`` *blocks* ``m`` if ``a`` and ``h`` list each other, ``a`` is unassigned
  or ranks ``h`` above ``m[a]``, and ``h`` has a free place or holds an applicant it ranks
  below ``a``.  A feasible assignment with no blocking pair is *stable*.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ._inputs import CSR, MatchingInputError, as_assignment, as_capacities, as_csr, n_rows

__all__ = ["InfeasibleAssignmentError", "blocking_pairs", "check_feasible"]


class InfeasibleAssignmentError(MatchingInputError):
    """The assignment breaks a capacity or pairs an applicant and host that are not
    mutually acceptable.

    Attributes
    ----------
    over_capacity
        Host indices holding more applicants than their capacity.
    unacceptable
        Applicant indices assigned to a host that they, or the host, do not list.
    """

    def __init__(self, message: str, over_capacity: np.ndarray, unacceptable: np.ndarray):
        super().__init__(message)
        self.over_capacity = over_capacity
        self.unacceptable = unacceptable


def _host_rank_lookup(apps: CSR, hosts: CSR) -> np.ndarray:
    """Host rank of the applicant of every applicant-list entry (-1: host doesn't list it).

    Both sides are encoded as ``host * A + applicant`` keys (unique within each side, as the
    inputs have no repeats) and sorted together; equal neighbours are the matching pairs.
    """
    n_app = apps.n_rows
    host_keys = hosts.row_ids() * n_app + hosts.indices
    query_keys = apps.indices * n_app + apps.row_ids()
    n_host_keys = host_keys.shape[0]
    keys = np.concatenate((host_keys, query_keys))
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    match = np.flatnonzero(keys[1:] == keys[:-1])
    # Stable sort: the host entry (lower position) always precedes the applicant entry.
    host_entry = order[match]
    app_entry = order[match + 1] - n_host_keys
    ranks = np.full(query_keys.shape[0], -1, dtype=np.int64)
    ranks[app_entry] = hosts.positions()[host_entry]
    return ranks


def _prepare(
    applicant_prefs: Any, host_prefs: Any, capacities: Any, assignment: Any
) -> tuple[CSR, CSR, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n_app = n_rows(applicant_prefs, "applicant_prefs")
    n_hosts = n_rows(host_prefs, "host_prefs")
    caps = as_capacities(capacities, n_hosts)
    apps = as_csr(applicant_prefs, n_hosts, "applicant_prefs", target="host")
    hosts = as_csr(host_prefs, n_app, "host_prefs", target="applicant")
    assigned = as_assignment(assignment, n_app, n_hosts)
    host_rank = _host_rank_lookup(apps, hosts)
    # The applicant-list entry of each applicant's own assignment (-1 if none / not listed).
    entry_rows = apps.row_ids()
    is_current = apps.indices == assigned[entry_rows]
    current_entry = np.full(n_app, -1, dtype=np.int64)
    current_entry[entry_rows[is_current]] = np.flatnonzero(is_current)
    return apps, hosts, caps, assigned, host_rank, current_entry


def _feasibility_error(
    caps: np.ndarray, assigned: np.ndarray, host_rank: np.ndarray, current_entry: np.ndarray
) -> InfeasibleAssignmentError | None:
    n_hosts = caps.shape[0]
    held = np.bincount(assigned[assigned >= 0], minlength=n_hosts)
    over = np.flatnonzero(held > caps)
    is_assigned = assigned >= 0
    acceptable = np.zeros(assigned.shape[0], dtype=bool)
    listed = current_entry >= 0
    acceptable[listed] = host_rank[current_entry[listed]] >= 0
    unacceptable = np.flatnonzero(is_assigned & ~acceptable)
    if not over.shape[0] and not unacceptable.shape[0]:
        return None
    problems = []
    if over.shape[0]:
        h = int(over[0])
        problems.append(
            f"{over.shape[0]} host(s) over capacity, e.g. host {h} holds {int(held[h])} "
            f"applicants for {int(caps[h])} place(s)"
        )
    if unacceptable.shape[0]:
        a = int(unacceptable[0])
        h = int(assigned[a])
        who = (
            "the applicant does not list the host"
            if current_entry[a] < 0
            else "the host does not list the applicant"
        )
        problems.append(
            f"{unacceptable.shape[0]} applicant(s) assigned to a host that is not mutually "
            f"acceptable, e.g. applicant {a} -> host {h} ({who})"
        )
    return InfeasibleAssignmentError(
        "infeasible assignment: " + "; ".join(problems), over, unacceptable
    )


def check_feasible(applicant_prefs: Any, host_prefs: Any, capacities: Any, assignment: Any) -> None:
    """Raise :class:`InfeasibleAssignmentError` unless ``assignment`` is feasible.

    Feasible means: every assigned applicant's host is in its list and lists it back, and no
    host holds more applicants than its capacity.  The exception's ``over_capacity`` and
    ``unacceptable`` attributes list every offending host and applicant.  Inputs are
    validated as in :func:`~xietong.matching.stable_match` (raising
    :class:`MatchingInputError`); the assignment must hold one integer in ``[-1, H)`` per
    applicant.

    >>> check_feasible([[0], [0]], [[0, 1]], [1], [0, -1]) is None
    True
    >>> check_feasible([[0], [0]], [[0, 1]], [1], [0, 0])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    xietong.matching.stability.InfeasibleAssignmentError: infeasible assignment: 1 host(s) over...
    """
    _apps, _hosts, caps, assigned, host_rank, current_entry = _prepare(
        applicant_prefs, host_prefs, capacities, assignment
    )
    error = _feasibility_error(caps, assigned, host_rank, current_entry)
    if error is not None:
        raise error


def blocking_pairs(
    applicant_prefs: Any, host_prefs: Any, capacities: Any, assignment: Any
) -> npt.NDArray[np.int64]:
    """All blocking pairs of ``assignment``, as an int64 array of shape ``(k, 2)``.

    Each row is ``(applicant, host)``: the two list each other, the applicant is unassigned
    or ranks the host above its assignment, and the host has a free place or holds an
    applicant it ranks below this one.  Rows are ordered by applicant, then by the
    applicant's preference.  An empty ``(0, 2)`` array means the assignment is stable.

    The check first calls :func:`check_feasible`: an assignment that exceeds a capacity or
    uses a pair that is not mutually acceptable raises :class:`InfeasibleAssignmentError`
    rather than returning pairs, because "blocking" is only defined for feasible assignments.

    This is an independent implementation (no code shared with the deferred acceptance
    solver).  O((E_a + E_h) log(E_a + E_h)) time, O(A + H + E_a + E_h) memory.

    >>> blocking_pairs([[0, 1], [0]], [[1, 0], [0]], [1, 1], [0, -1]).tolist()
    [[1, 0]]
    >>> blocking_pairs([[0, 1], [0]], [[1, 0], [0]], [1, 1], [1, 0]).shape
    (0, 2)
    """
    apps, _hosts, caps, assigned, host_rank, current_entry = _prepare(
        applicant_prefs, host_prefs, capacities, assignment
    )
    error = _feasibility_error(caps, assigned, host_rank, current_entry)
    if error is not None:
        raise error
    n_hosts = caps.shape[0]
    entry_rows = apps.row_ids()
    entry_pos = apps.positions()
    # Applicant side: position of the current host in the applicant's list (len if unassigned).
    current_pos = np.diff(apps.indptr).copy()
    has = current_entry >= 0
    current_pos[has] = entry_pos[current_entry[has]]
    # Host side: number held and the rank of the worst held applicant (-1 if none).
    holders = np.flatnonzero(assigned >= 0)
    held = np.bincount(assigned[holders], minlength=n_hosts)
    worst = np.full(n_hosts, -1, dtype=np.int64)
    if holders.shape[0]:
        np.maximum.at(worst, assigned[holders], host_rank[current_entry[holders]])
    hosts_of_entries = apps.indices
    r = host_rank
    blocks = (
        (r >= 0)
        & (entry_pos < current_pos[entry_rows])
        & ((held[hosts_of_entries] < caps[hosts_of_entries]) | (r < worst[hosts_of_entries]))
    )
    idx = np.flatnonzero(blocks)
    out = np.empty((idx.shape[0], 2), dtype=np.int64)
    out[:, 0] = entry_rows[idx]
    out[:, 1] = hosts_of_entries[idx]
    return out
