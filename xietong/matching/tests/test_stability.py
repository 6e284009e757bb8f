from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xietong.matching import (
    InfeasibleAssignmentError,
    MatchingInputError,
    blocking_pairs,
    check_feasible,
)
from xietong.matching.tests import Instance, brute_blocking_pairs, instances, to_csr

APPS = [[0, 1], [0], [1, 0]]
HOSTS = [[1, 2, 0], [0, 2]]
CAPS = [1, 1]


def pairs(
    assignment: list[int],
    inst: tuple[list[list[int]], list[list[int]], list[int]] = (APPS, HOSTS, CAPS),
) -> list[list[int]]:
    applicant_prefs, host_prefs, capacities = inst
    result = blocking_pairs(applicant_prefs, host_prefs, capacities, assignment)
    assert result.dtype == np.int64
    assert result.ndim == 2 and result.shape[1] == 2
    return result.tolist()


def test_it_finds_no_blocking_pair_in_the_stable_matching() -> None:
    assert pairs([1, 0, -1]) == []


def test_it_flags_every_applicant_that_wants_a_host_with_a_free_place() -> None:
    # Host 0 is empty: applicant 0 (at its second choice), and unassigned applicants 1 and 2.
    assert pairs([1, -1, -1]) == [[0, 0], [1, 0], [2, 0]]


def test_it_flags_a_host_holding_someone_it_ranks_lower() -> None:
    # Host 0 holds applicant 0 (its last choice) while applicant 1 (its first) is unassigned;
    # applicant 2 is at its first choice, so it blocks with nobody.
    assert pairs([0, -1, 1]) == [[1, 0]]


def test_it_flags_an_assigned_applicant_who_prefers_a_host_with_a_free_place() -> None:
    # Applicant 0 sits at its second choice while its first choice, which lists it, is empty.
    assert pairs([1], ([[0, 1]], [[0], [0]], [1, 1])) == [[0, 0]]


def test_it_ignores_hosts_the_applicant_ranks_below_its_assignment() -> None:
    # Applicant 0 is at its first choice; host 1 having a free place does not matter.
    assert pairs([0], ([[0, 1]], [[0], [0]], [1, 1])) == []


def test_it_ignores_pairs_that_are_not_mutually_acceptable() -> None:
    # Host 0 has a free place but does not rank applicant 1; applicant 0 does not rank host 1.
    assert pairs([-1, -1], ([[0], [0, 1]], [[0], [0, 1]], [1, 1])) == [[0, 0], [1, 1]]


def test_it_lists_pairs_by_applicant_then_by_the_applicants_preference() -> None:
    result = pairs([-1, -1], ([[1, 0], [0, 1]], [[0, 1], [1, 0]], [2, 2]))
    assert result == [[0, 1], [0, 0], [1, 0], [1, 1]]


def test_it_raises_when_a_host_is_over_capacity() -> None:
    with pytest.raises(InfeasibleAssignmentError, match="host 0 holds 2 applicants") as err:
        blocking_pairs([[0], [0]], [[0, 1]], [1], [0, 0])
    assert err.value.over_capacity.tolist() == [0]
    assert err.value.unacceptable.tolist() == []


def test_it_raises_when_an_applicant_is_placed_at_a_host_it_did_not_rank() -> None:
    with pytest.raises(InfeasibleAssignmentError, match="applicant does not list the host"):
        check_feasible([[0], [0]], [[0, 1], [1]], [1, 1], [-1, 1])


def test_it_raises_when_an_applicant_is_placed_at_a_host_that_did_not_rank_it() -> None:
    with pytest.raises(InfeasibleAssignmentError, match="host does not list the applicant") as err:
        check_feasible([[0], [0, 1]], [[0], [1]], [1, 1], [0, 0])
    assert err.value.unacceptable.tolist() == [1]


def test_infeasible_assignments_are_value_errors() -> None:
    assert issubclass(InfeasibleAssignmentError, MatchingInputError)
    assert issubclass(InfeasibleAssignmentError, ValueError)


def test_it_accepts_a_feasible_assignment() -> None:
    check_feasible(APPS, HOSTS, CAPS, np.array([1, 0, -1]))  # does not raise


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ([0, -1], r"assignment must have one entry per applicant \(3\), got shape \(2,\)"),
        ([0, -1, 2], r"assignment\[2\] = 2 is neither -1 nor a host index below 2"),
        ([0, -2, 1], r"assignment\[1\] = -2 is neither -1 nor a host index below 2"),
        ([0.0, 1.0, -1.0], r"assignment must be integers, got dtype float64"),
    ],
)
def test_it_rejects_malformed_assignments(assignment: list, message: str) -> None:
    with pytest.raises(MatchingInputError, match=message):
        blocking_pairs(APPS, HOSTS, CAPS, assignment)


@st.composite
def feasible_assignments(draw: st.DrawFn) -> tuple[Instance, list[int]]:
    inst = draw(instances())
    assignment = []
    for a, prefs in enumerate(inst.applicant_prefs):
        options = [-1] + [h for h in prefs if a in inst.host_prefs[h]]
        assignment.append(draw(st.sampled_from(options)))
    for h in range(inst.n_hosts):  # drop the excess at over-full hosts
        holders = [a for a, x in enumerate(assignment) if x == h]
        for a in holders[inst.capacities[h] :]:
            assignment[a] = -1
    return inst, assignment


@settings(max_examples=300, deadline=None)
@given(feasible_assignments())
def test_it_finds_exactly_the_blocking_pairs_of_the_definition(
    case: tuple[Instance, list[int]],
) -> None:
    inst, assignment = case
    found = blocking_pairs(inst.applicant_prefs, inst.host_prefs, inst.capacities, assignment)
    assert {(int(a), int(h)) for a, h in found} == brute_blocking_pairs(inst, assignment)
    assert len(found) == len(brute_blocking_pairs(inst, assignment))
    from_csr = blocking_pairs(
        to_csr(inst.applicant_prefs), to_csr(inst.host_prefs), inst.capacities, assignment
    )
    np.testing.assert_array_equal(found, from_csr)


@settings(max_examples=200, deadline=None)
@given(instances(), st.data())
def test_it_rejects_every_over_capacity_assignment(inst: Instance, data: st.DataObject) -> None:
    full = [h for h in range(inst.n_hosts) if inst.host_prefs[h]]
    if not full:
        return
    h = data.draw(st.sampled_from(full))
    listed_by_h = [a for a in inst.host_prefs[h] if h in inst.applicant_prefs[a]]
    assignment = [h if a in listed_by_h else -1 for a in range(inst.n_applicants)]
    feasible = len(listed_by_h) <= inst.capacities[h]
    if feasible:
        check_feasible(inst.applicant_prefs, inst.host_prefs, inst.capacities, assignment)
    else:
        with pytest.raises(InfeasibleAssignmentError) as err:
            check_feasible(inst.applicant_prefs, inst.host_prefs, inst.capacities, assignment)
        assert err.value.over_capacity.tolist() == [h]
