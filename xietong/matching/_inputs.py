"""Normalise and validate matching inputs.

Every public function of :mod:`xietong.matching` accepts preferences in either
of two shapes and turns them into the same validated CSR ("compressed sparse
row") pair of ``int64`` numpy arrays:

* a list of lists (or any sequence of integer sequences): ``prefs[i]`` is the
  strict preference order of agent ``i``, most preferred first;
* a ``(indptr, indices)`` tuple of 1-D integer numpy arrays, where the list of
  agent ``i`` is ``indices[indptr[i]:indptr[i + 1]]``.

A *tuple* of exactly two numpy arrays is always read as CSR; pass rows as a *list* (for
example ``[np.array([0, 1]), np.array([1])]``) to mean two agents' lists.  Any integer dtype
is accepted; the arrays are not modified (they are copied only if they are not already
contiguous ``int64``).

Bad input raises :class:`MatchingInputError` (a ``ValueError``) with a message
that names the argument, the agent and the offending value.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any, NamedTuple

import numba
import numpy as np

__all__ = [
    "CSR",
    "MatchingInputError",
    "as_assignment",
    "as_capacities",
    "as_costs",
    "as_csr",
    "n_rows",
]


class MatchingInputError(ValueError):
    """Raised when preferences, capacities or costs are malformed."""


class CSR(NamedTuple):
    """Validated preference lists: row ``i`` is ``indices[indptr[i]:indptr[i + 1]]``."""

    indptr: np.ndarray
    indices: np.ndarray

    @property
    def n_rows(self) -> int:
        return int(self.indptr.shape[0] - 1)

    def row(self, i: int) -> np.ndarray:
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    def row_ids(self) -> np.ndarray:
        """The row (agent) index of every entry of ``indices``."""
        return np.repeat(np.arange(self.n_rows, dtype=np.int64), np.diff(self.indptr))

    def positions(self) -> np.ndarray:
        """The 0-based position of every entry within its own row (its rank)."""
        starts = np.repeat(self.indptr[:-1], np.diff(self.indptr))
        return np.arange(self.indices.shape[0], dtype=np.int64) - starts


def _is_csr_pair(obj: object) -> bool:
    return (
        isinstance(obj, tuple)
        and len(obj) == 2
        and isinstance(obj[0], np.ndarray)
        and isinstance(obj[1], np.ndarray)
    )


def _integer_array(values: Any, what: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.size == 0:
        return np.zeros(arr.shape, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise MatchingInputError(f"{what} must be integers, got dtype {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def _from_lists(prefs: Sequence[Sequence[int]], name: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        lengths = np.fromiter((len(row) for row in prefs), dtype=np.int64, count=len(prefs))
    except TypeError as exc:
        raise MatchingInputError(
            f"{name} must be a list of lists of integers or an (indptr, indices) "
            f"pair of numpy arrays: {exc}"
        ) from None
    indptr = np.zeros(lengths.shape[0] + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    indices = _integer_array(list(chain.from_iterable(prefs)), f"{name} entries")
    return indptr, indices.reshape(-1)


def n_rows(prefs: Any, name: str) -> int:
    """Number of agents described by ``prefs`` (before full validation)."""
    if _is_csr_pair(prefs):
        return max(int(np.asarray(prefs[0]).shape[0]) - 1, 0)
    try:
        return len(prefs)
    except TypeError:
        raise MatchingInputError(
            f"{name} must be a list of lists of integers or an (indptr, indices) pair of "
            f"numpy arrays, got {type(prefs).__name__}"
        ) from None


def as_csr(prefs: Any, n_targets: int, name: str, *, target: str = "host") -> CSR:
    """Validate ``prefs`` (list of lists or ``(indptr, indices)``) and return a :class:`CSR`.

    ``n_targets`` is the number of agents on the other side; every listed index must lie in
    ``[0, n_targets)`` and appear at most once per row.
    """
    if _is_csr_pair(prefs):
        indptr = _integer_array(prefs[0], f"{name} indptr")
        indices = _integer_array(prefs[1], f"{name} indices")
        if indptr.ndim != 1 or indices.ndim != 1:
            raise MatchingInputError(f"{name} indptr and indices must be 1-D arrays")
        if indptr.shape[0] == 0:
            raise MatchingInputError(f"{name} indptr must have at least one entry (0)")
        if indptr[0] != 0:
            raise MatchingInputError(f"{name} indptr must start at 0, got {int(indptr[0])}")
        if indptr[-1] != indices.shape[0]:
            raise MatchingInputError(
                f"{name} indptr ends at {int(indptr[-1])} but indices has "
                f"{indices.shape[0]} entries"
            )
    elif isinstance(prefs, Sequence) and not isinstance(prefs, str | bytes):
        indptr, indices = _from_lists(prefs, name)
    elif isinstance(prefs, np.ndarray) and (prefs.ndim == 2 or prefs.dtype == object):
        indptr, indices = _from_lists(list(prefs), name)
    else:
        raise MatchingInputError(
            f"{name} must be a list of lists of integers or an (indptr, indices) pair of "
            f"numpy arrays, got {type(prefs).__name__}"
        )

    indptr = np.ascontiguousarray(indptr, dtype=np.int64)
    indices = np.ascontiguousarray(indices, dtype=np.int64)
    problem, where = _first_problem(indptr, indices, n_targets)
    if problem == _DECREASING:
        raise MatchingInputError(f"{name} indptr must be non-decreasing")
    if problem != _OK:
        row = int(np.searchsorted(indptr, where, side="right") - 1)
        value = int(indices[where])
        if problem == _NEGATIVE:
            raise MatchingInputError(f"{name}[{row}] contains negative {target} index {value}")
        if problem == _OUT_OF_RANGE:
            raise MatchingInputError(
                f"{name}[{row}] contains {target} index {value}, out of range "
                f"for {n_targets} {target}s"
            )
        raise MatchingInputError(f"{name}[{row}] lists {target} {value} more than once")
    return CSR(indptr, indices)


# Problem codes returned by _first_problem (anything else: a repeated index).
_OK, _DECREASING, _NEGATIVE, _OUT_OF_RANGE = range(4)


@numba.njit(cache=True, nogil=True)
def _first_problem(indptr: np.ndarray, indices: np.ndarray, n_targets: int) -> tuple[int, int]:
    """One O(rows + entries) pass: (problem code, entry position) of the first problem found.

    Codes: 0 fine, 1 ``indptr`` decreases, 2 negative index, 3 index >= ``n_targets``,
    4 index repeated within its row.  ``indptr`` must start at 0 and end at ``len(indices)``.
    """
    n_rows = indptr.shape[0] - 1
    for row in range(n_rows):
        if indptr[row + 1] < indptr[row]:
            return 1, row
    seen_in_row = np.full(max(n_targets, 0), -1, dtype=np.int64)
    for row in range(n_rows):
        for pos in range(indptr[row], indptr[row + 1]):
            t = indices[pos]
            if t < 0:
                return 2, pos
            if t >= n_targets:
                return 3, pos
            if seen_in_row[t] == row:
                return 4, pos
            seen_in_row[t] = row
    return 0, -1


def as_capacities(capacities: Any, n_hosts: int, *, n_hosts_from: str = "host_prefs") -> np.ndarray:
    """Validate capacities: one non-negative integer per host."""
    caps = _integer_array(capacities, "capacities")
    if caps.ndim != 1:
        raise MatchingInputError(f"capacities must be 1-D, got shape {caps.shape}")
    if caps.shape[0] != n_hosts:
        raise MatchingInputError(
            f"capacities has {caps.shape[0]} entries but {n_hosts_from} describes {n_hosts} hosts"
        )
    if caps.shape[0] and int(caps.min()) < 0:
        h = int(np.flatnonzero(caps < 0)[0])
        raise MatchingInputError(f"capacities[{h}] is negative ({int(caps[h])})")
    return np.ascontiguousarray(caps, dtype=np.int64)


def as_costs(costs: Any, prefs: CSR, name: str = "costs") -> np.ndarray:
    """Return costs as a flat float64 or int64 array aligned with ``prefs.indices``.

    ``costs`` may be a list of lists with the same row lengths as the preferences, a flat
    1-D array with one cost per preference entry, or an ``(indptr, data)`` pair whose
    ``indptr`` equals the preferences' ``indptr``.
    """
    nnz = prefs.indices.shape[0]
    if _is_csr_pair(costs):
        c_indptr = np.asarray(costs[0])
        if c_indptr.shape != prefs.indptr.shape or not np.array_equal(c_indptr, prefs.indptr):
            raise MatchingInputError(f"{name} indptr is not aligned with applicant_prefs indptr")
        flat = np.asarray(costs[1])
    elif isinstance(costs, np.ndarray):
        flat = costs
    elif isinstance(costs, Sequence) and not isinstance(costs, str | bytes):
        if len(costs) != prefs.n_rows:
            raise MatchingInputError(
                f"{name} has {len(costs)} rows but applicant_prefs has {prefs.n_rows}"
            )
        try:
            lengths = np.fromiter((len(r) for r in costs), dtype=np.int64, count=len(costs))
        except TypeError:
            raise MatchingInputError(
                f"{name} must be a list of lists, a flat array or an (indptr, data) pair"
            ) from None
        bad = np.flatnonzero(lengths != np.diff(prefs.indptr))
        if bad.shape[0]:
            i = int(bad[0])
            raise MatchingInputError(
                f"{name}[{i}] has {int(lengths[i])} costs but applicant_prefs[{i}] lists "
                f"{int(prefs.indptr[i + 1] - prefs.indptr[i])} hosts"
            )
        flat = np.asarray(list(chain.from_iterable(costs)))
    else:
        raise MatchingInputError(
            f"{name} must be a list of lists, a flat array or an (indptr, data) pair, "
            f"got {type(costs).__name__}"
        )
    if flat.ndim != 1:
        raise MatchingInputError(
            f"{name} as an array must be 1-D with one cost per preference entry, "
            f"got shape {flat.shape}"
        )
    if flat.shape[0] != nnz:
        raise MatchingInputError(
            f"{name} has {flat.shape[0]} entries but applicant_prefs has {nnz} preference entries"
        )
    if nnz == 0:
        return np.zeros(0, dtype=np.int64)
    if flat.dtype.kind in "iu":
        return np.ascontiguousarray(flat, dtype=np.int64)
    if flat.dtype.kind == "f":
        if not np.all(np.isfinite(flat)):
            raise MatchingInputError(f"{name} must be finite (found NaN or infinity)")
        return np.ascontiguousarray(flat, dtype=np.float64)
    raise MatchingInputError(f"{name} must be numbers, got dtype {flat.dtype}")


def as_assignment(assignment: Any, n_app: int, n_hosts: int) -> np.ndarray:
    """Validate an assignment: one integer per applicant, a host index or -1."""
    arr = np.asarray(assignment)
    if arr.shape != (n_app,):
        raise MatchingInputError(
            f"assignment must have one entry per applicant ({n_app}), got shape {arr.shape}"
        )
    if n_app == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise MatchingInputError(f"assignment must be integers, got dtype {arr.dtype}")
    arr = arr.astype(np.int64, copy=False)
    bad = np.flatnonzero((arr < -1) | (arr >= n_hosts))
    if bad.shape[0]:
        a = int(bad[0])
        raise MatchingInputError(
            f"assignment[{a}] = {int(arr[a])} is neither -1 nor a host index below {n_hosts}"
        )
    return arr
