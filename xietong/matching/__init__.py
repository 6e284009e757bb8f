"""Two-sided matching for teacher-exchange programmes (pure Python: numpy, numba, OR-Tools).

* :func:`stable_match` — applicant-proposing deferred acceptance (Gale & Shapley 1962; Roth
  1984): the applicant-optimal stable matching with host capacities.
* :func:`min_cost_assign` — assign as many applicants as possible at minimum total cost, as a
  min-cost flow (Ahuja, Magnanti & Orlin 1993) solved by OR-Tools.
* :func:`blocking_pairs` / :func:`check_feasible` — an independent stability and feasibility
  checker.
* :func:`explain` — why an applicant got its result, in Chinese or English.
* :func:`reasons` — why every applicant got its result, as reason codes, in one pass.

Preferences are lists of lists of indices (most preferred first) or ``(indptr, indices)`` CSR
pairs of numpy integer arrays; results are int64 arrays with one host index (or -1) per
applicant.  Nothing here imports Django.
"""

from ._inputs import MatchingInputError
from .deferred_acceptance import stable_match
from .explain import explain
from .min_cost import min_cost_assign
from .reasons import reasons
from .stability import InfeasibleAssignmentError, blocking_pairs, check_feasible

__all__ = [
    "InfeasibleAssignmentError",
    "MatchingInputError",
    "blocking_pairs",
    "check_feasible",
    "explain",
    "min_cost_assign",
    "reasons",
    "stable_match",
]
