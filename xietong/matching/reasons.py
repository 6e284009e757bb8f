"""Why every applicant got its result, as reason codes with parameters, in one pass.

:func:`reasons` answers the question :func:`~xietong.matching.explain` answers, for *all*
applicants at once and without words: each applicant gets a list of steps, one per host it
ranked up to its result (every ranked host if it is unassigned), each a small dict of plain
integers such as ``{"code": "full", "host": 3, "position": 1, "capacity": 2, "cutoff": 4,
"rank": 7}`` — host 3, the applicant's first choice, had 2 places, the last of which went to
the applicant it ranks 4th, while it ranks this applicant 7th.  An application renders the
steps in its reader's language; nothing here knows words or Django.

Step codes (``position`` is 1-based in the applicant's list, ``rank`` and ``cutoff`` are
1-based in the host's list):

* ``admitted`` — the applicant's result;
* ``not_listed`` — the host does not list the applicant;
* ``no_places`` — the host has no places;
* ``full`` — all ``capacity`` places went to applicants the host ranks higher; ``cutoff``
  is the host's rank of the last of them, ``rank`` the applicant's;
* ``free_places`` — ``free`` of ``capacity`` places are still free (the assignment is not
  stable for this host);
* ``holds_lower`` — the host holds ``lower`` applicants it ranks below this one (not
  stable either);
* ``no_choices`` — the applicant ranked nothing (the only step).

Cost: O((A + E) log E) for A applicants and E preference entries (sorting), against
O(A·(A + E)) for calling :func:`~xietong.matching.explain` per applicant.

>>> reasons([[0, 1], [0], [0, 1]], [[1, 2, 0], [0, 2]], [2, 1], [1, 0, 0])[0]
[{'code': 'full', 'host': 0, 'position': 1, 'capacity': 2, 'cutoff': 2, 'rank': 3}, \
{'code': 'admitted', 'host': 1, 'position': 2}]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._inputs import MatchingInputError, as_assignment, as_capacities, as_csr, n_rows

__all__ = ["reasons"]

Step = dict[str, int | str]


def reasons(
    applicant_prefs: Any, host_prefs: Any, capacities: Any, assignment: Any
) -> list[list[Step]]:
    """The reason steps of every applicant (see the module docstring), in applicant order.

    Arguments are as for :func:`~xietong.matching.stable_match` plus its result
    ``assignment``; an applicant's own host must be one it ranked.
    """
    n_app = n_rows(applicant_prefs, "applicant_prefs")
    n_hosts = n_rows(host_prefs, "host_prefs")
    caps = as_capacities(capacities, n_hosts)
    apps = as_csr(applicant_prefs, n_hosts, "applicant_prefs", target="host")
    hosts = as_csr(host_prefs, n_app, "host_prefs", target="applicant")
    assigned = as_assignment(assignment, n_app, n_hosts)

    # Host rank of a (host, applicant) pair by binary search over sorted pair keys.
    width = np.int64(max(n_app, 1))
    host_keys = hosts.row_ids() * width + hosts.indices
    order = np.argsort(host_keys, kind="stable")
    host_keys, host_pos = host_keys[order], hosts.positions()[order]
    host_len = np.diff(hosts.indptr)

    def rank_of(h: np.ndarray, a: np.ndarray) -> np.ndarray:
        """0-based rank of applicant a at host h, or -1 where h does not list a."""
        keys = h * width + a
        at = np.empty(keys.shape[0], dtype=np.int64)
        by_key = np.argsort(keys, kind="stable")
        at[by_key] = np.searchsorted(host_keys, keys[by_key])  # sorted needles: cache-friendly
        found = at < host_keys.shape[0]
        found[found] = host_keys[at[found]] == keys[found]
        out = np.full(keys.shape[0], -1, dtype=np.int64)
        out[found] = host_pos[at[found]]
        return out

    # Holders of each host, their host ranks (unlisted holders count as ranked last).
    holders = np.flatnonzero(assigned >= 0)
    held_at = assigned[holders]
    held_rank = rank_of(held_at, holders)
    held_rank = np.where(held_rank < 0, host_len[held_at], held_rank)
    count = np.bincount(held_at, minlength=n_hosts)
    cutoff = np.full(n_hosts, -1, dtype=np.int64)
    np.maximum.at(cutoff, held_at, held_rank)
    span = np.int64(int(host_len.max(initial=0)) + 2)
    held_keys = np.sort(held_at * span + held_rank)

    # The entries to explain: every ranked host up to the result.
    row = apps.row_ids()
    h = apps.indices
    pos = apps.positions()
    own = (assigned[row] == h) & (assigned[row] >= 0)
    result_pos = np.full(n_app, -1, dtype=np.int64)
    result_pos[row[own]] = pos[own]
    missing = np.flatnonzero((assigned >= 0) & (result_pos < 0))
    if missing.shape[0]:
        a = int(missing[0])
        raise MatchingInputError(
            f"assignment[{a}] = {int(assigned[a])} is a host that applicant {a} did not rank"
        )
    keep = (result_pos[row] < 0) | (pos <= result_pos[row])
    row, h, pos, own = row[keep], h[keep], pos[keep], own[keep]
    my_rank = rank_of(h, row)
    lower = np.searchsorted(held_keys, (h + 1) * span) - np.searchsorted(
        held_keys, h * span + my_rank, side="right"
    )

    cap = caps[h]
    held = count[h]
    kind = np.select(
        [own, my_rank < 0, cap == 0, held < cap, lower > 0], [0, 1, 2, 3, 4], default=5
    )
    out: list[list[Step]] = [[] for _ in range(n_app)]
    columns = (row, kind, h, pos + 1, cap, cap - held, lower, my_rank + 1, cutoff[h] + 1)
    for a, k, host, p, c, free, low, r, cut in zip(*(x.tolist() for x in columns), strict=True):
        if k == 0:
            step: Step = {"code": "admitted", "host": host, "position": p}
        elif k == 5:
            step = {"code": "full", "host": host, "position": p, "capacity": c, "cutoff": cut,
                    "rank": r}  # fmt: skip
        elif k == 1:
            step = {"code": "not_listed", "host": host, "position": p}
        elif k == 2:
            step = {"code": "no_places", "host": host, "position": p}
        elif k == 3:
            step = {"code": "free_places", "host": host, "position": p, "capacity": c,
                    "free": free}  # fmt: skip
        else:
            step = {"code": "holds_lower", "host": host, "position": p, "capacity": c,
                    "lower": low, "rank": r}  # fmt: skip
        out[a].append(step)
    for steps in out:
        if not steps:
            steps.append({"code": "no_choices"})
    return out
