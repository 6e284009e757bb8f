from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xietong.matching import MatchingInputError, min_cost_assign
from xietong.matching.tests import to_csr


@st.composite
def cost_instances(
    draw: st.DrawFn,
    max_applicants: int = 5,
    max_hosts: int = 3,
    max_capacity: int = 2,
    costs: st.SearchStrategy[float] | None = None,
) -> tuple[list[list[int]], list[list[float]], list[int]]:
    n_app = draw(st.integers(0, max_applicants))
    n_hosts = draw(st.integers(0, max_hosts))
    cost_values = costs if costs is not None else st.integers(-5, 20)
    prefs, cost_rows = [], []
    for _ in range(n_app):
        order = draw(st.permutations(list(range(n_hosts))))
        row = order[: draw(st.integers(0, n_hosts))]
        prefs.append(row)
        cost_rows.append([draw(cost_values) for _ in row])
    capacities = [draw(st.integers(0, max_capacity)) for _ in range(n_hosts)]
    return prefs, cost_rows, capacities


def objective(
    prefs: list[list[int]], costs: Sequence[Sequence[float]], assignment: list[int]
) -> tuple[int, float]:
    assigned = [a for a, h in enumerate(assignment) if h != -1]
    total = sum(costs[a][prefs[a].index(assignment[a])] for a in assigned)
    return len(assigned), total


def assert_feasible(prefs: list[list[int]], capacities: list[int], assignment: list[int]) -> None:
    for a, h in enumerate(assignment):
        assert h == -1 or h in prefs[a]
    for h, cap in enumerate(capacities):
        assert assignment.count(h) <= cap


def brute_force_best(
    prefs: list[list[int]], costs: list[list[float]], capacities: list[int]
) -> tuple[int, float]:
    best: tuple[int, float] = (0, 0)
    for combo in itertools.product(*[[-1, *row] for row in prefs]):
        assignment = list(combo)
        if any(assignment.count(h) > cap for h, cap in enumerate(capacities)):
            continue
        count, total = objective(prefs, costs, assignment)
        if (-count, total) < (-best[0], best[1]):
            best = (count, total)
    return best


def scipy_best(
    prefs: list[list[int]], costs: list[list[float]], capacities: list[int]
) -> tuple[int, float]:
    """Lexicographic optimum via the Hungarian method on host places plus dummy columns."""
    from scipy.optimize import linear_sum_assignment

    n_app = len(prefs)
    slots = [h for h, cap in enumerate(capacities) for _ in range(cap)]
    flat = [c for row in costs for c in row] or [0]
    shift = min(flat)
    big_m = (n_app + 1) * (max(flat) - shift + 1)
    forbidden = big_m * (n_app + 1) * 10
    matrix = np.full((n_app, len(slots) + n_app), float(big_m))
    for a, row in enumerate(prefs):
        for j, h in enumerate(slots):
            matrix[a, j] = costs[a][row.index(h)] - shift if h in row else forbidden
    rows, cols = linear_sum_assignment(matrix)
    assignment = [-1] * n_app
    for a, j in zip(rows, cols, strict=True):
        if j < len(slots):
            assert matrix[a, j] < forbidden
            assignment[a] = slots[j]
    return objective(prefs, costs, assignment)


def test_it_solves_the_docstring_example() -> None:
    result = min_cost_assign([[0, 1], [0]], [[0, 100], [100]], [1, 1])
    assert result.tolist() == [1, 0]
    assert result.dtype == np.int64


def test_it_prefers_a_larger_assignment_even_when_a_bigger_penalty_would_be_needed() -> None:
    # A chain: applicant a_i may take host i (cost 0) or i + 1 (cost 10); newcomer b only
    # host 0 (cost 10).  Seating everyone means moving every a_i one host along, a cost of
    # 10 * 5 = 50, so a naive "unassigned" penalty of max cost + 1 = 11 would leave b out.
    k = 4
    prefs = [[i, i + 1] for i in range(k)] + [[0]]
    costs = [[0, 10] for _ in range(k)] + [[10]]
    result = min_cost_assign(prefs, costs, [1] * (k + 1))
    assert result.tolist() == [1, 2, 3, 4, 0]


def test_it_picks_the_cheapest_assignment_when_everyone_fits() -> None:
    prefs = [[0, 1], [0, 1]]
    assert min_cost_assign(prefs, [[5, 1], [1, 5]], [1, 1]).tolist() == [1, 0]
    assert min_cost_assign(prefs, [[1, 5], [5, 1]], [1, 1]).tolist() == [0, 1]


def test_it_respects_capacities_and_never_uses_a_zero_capacity_host() -> None:
    prefs = [[0, 1, 2]] * 4
    costs = [[0, 1, 2]] * 4
    result = min_cost_assign(prefs, costs, [0, 1, 2]).tolist()
    assert sorted(result) == [-1, 1, 2, 2]


def test_it_leaves_applicants_without_choices_unassigned() -> None:
    assert min_cost_assign([[], [0]], [[], [3]], [1]).tolist() == [-1, 0]
    assert min_cost_assign([], [], []).shape == (0,)
    assert min_cost_assign([[], []], [[], []], []).tolist() == [-1, -1]


def test_it_handles_negative_costs() -> None:
    assert min_cost_assign([[0, 1]], [[-1, -7]], [1, 1]).tolist() == [1]


def test_it_rounds_float_costs_to_the_cost_scale() -> None:
    prefs = [[0, 1]]
    # At the default scale (1000) these become 402 and 401.
    assert min_cost_assign(prefs, [[0.402, 0.401]], [1, 1]).tolist() == [1]
    assert min_cost_assign(prefs, [[0.401, 0.402]], [1, 1]).tolist() == [0]
    # At cost_scale=1 both round to 0: a tie, and either host is optimal.
    assert min_cost_assign(prefs, [[0.402, 0.401]], [1, 1], cost_scale=1).tolist()[0] in (0, 1)
    assert min_cost_assign(prefs, [[2.6, 2.4]], [1, 1], cost_scale=1).tolist() == [1]


def test_it_accepts_costs_as_lists_flat_arrays_or_csr_pairs_with_identical_results() -> None:
    prefs = [[0, 1], [1, 2], [2, 0], [0]]
    costs = [[3, 1], [2, 9], [4, 4], [1]]
    caps = [1, 1, 1]
    indptr, indices = to_csr(prefs)
    flat = np.array([c for row in costs for c in row])
    expected = min_cost_assign(prefs, costs, caps)
    np.testing.assert_array_equal(min_cost_assign((indptr, indices), flat, caps), expected)
    np.testing.assert_array_equal(
        min_cost_assign((indptr, indices), (indptr, flat), np.array(caps)), expected
    )
    assert objective(prefs, costs, expected.tolist()) == (3, 1 + 1 + 4)


@settings(max_examples=200, deadline=None)
@given(cost_instances())
def test_it_matches_a_brute_force_lexicographic_optimum_on_tiny_instances(case) -> None:
    prefs, costs, capacities = case
    result = min_cost_assign(prefs, costs, capacities).tolist()
    assert_feasible(prefs, capacities, result)
    assert objective(prefs, costs, result) == brute_force_best(prefs, costs, capacities)


@settings(max_examples=100, deadline=None)
@given(cost_instances(max_applicants=25, max_hosts=6, max_capacity=4, costs=st.integers(0, 50)))
def test_it_matches_scipy_linear_sum_assignment_on_small_instances(case) -> None:
    prefs, costs, capacities = case
    result = min_cost_assign(prefs, costs, capacities).tolist()
    assert_feasible(prefs, capacities, result)
    assert objective(prefs, costs, result) == scipy_best(prefs, costs, capacities)


@settings(max_examples=100, deadline=None)
@given(
    cost_instances(
        max_applicants=8,
        max_hosts=4,
        costs=st.integers(0, 10_000).map(lambda c: c / 1000),
    )
)
def test_it_treats_float_costs_like_integer_costs_times_the_scale(case) -> None:
    prefs, costs, capacities = case
    as_ints = [[round(c * 1000) for c in row] for row in costs]
    from_floats = min_cost_assign(prefs, costs, capacities).tolist()
    from_ints = min_cost_assign(prefs, as_ints, capacities).tolist()
    assert objective(prefs, as_ints, from_floats) == objective(prefs, as_ints, from_ints)


@settings(max_examples=100, deadline=None)
@given(cost_instances(max_applicants=10, max_hosts=5))
def test_it_gives_identical_output_for_lists_and_csr_input(case) -> None:
    prefs, costs, capacities = case
    from_lists = min_cost_assign(prefs, costs, capacities)
    indptr, indices = to_csr(prefs)
    flat = np.array([c for row in costs for c in row], dtype=np.int64)
    np.testing.assert_array_equal(
        from_lists, min_cost_assign((indptr, indices), flat, np.array(capacities))
    )


def test_it_rejects_costs_too_wide_for_int64_arithmetic() -> None:
    with pytest.raises(MatchingInputError, match="costs span too wide a range"):
        min_cost_assign([[0, 1], [0]], [[0, 2**60], [1]], [1, 1])


def test_it_rejects_float_costs_that_overflow_after_scaling() -> None:
    with pytest.raises(MatchingInputError, match=r"costs \* cost_scale must stay below 2\*\*53"):
        min_cost_assign([[0]], [[1e14]], [1])


def test_it_rejects_a_non_positive_cost_scale() -> None:
    with pytest.raises(MatchingInputError, match="cost_scale must be positive, got 0"):
        min_cost_assign([[0]], [[0.5]], [1], cost_scale=0)
