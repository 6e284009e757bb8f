from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xietong.matching import blocking_pairs, check_feasible, stable_match
from xietong.matching.tests import (
    Instance,
    brute_blocking_pairs,
    instances,
    is_feasible,
    to_csr,
)


def solve(inst: Instance) -> list[int]:
    return stable_match(inst.applicant_prefs, inst.host_prefs, inst.capacities).tolist()


def matching_package_result(inst: Instance) -> list[int]:
    """The resident-optimal matching of the PyPI ``matching`` package (HospitalResident).

    That package needs consistent input: every hospital ranks exactly the residents that rank
    it, no empty lists, positive capacities.  Those rules only remove pairs that can never be
    matched (not mutually acceptable, or no places), so the cleaned game has the same stable
    matchings.
    """
    from matching.games import HospitalResident

    usable = {h for h in range(inst.n_hosts) if inst.capacities[h] > 0}
    resident_prefs = {}
    for a, prefs in enumerate(inst.applicant_prefs):
        kept = [h for h in prefs if h in usable and a in inst.host_prefs[h]]
        if kept:
            resident_prefs[a] = kept
    hospital_prefs = {}
    for h in sorted(usable):
        kept = [a for a in inst.host_prefs[h] if h in resident_prefs.get(a, [])]
        if kept:
            hospital_prefs[h] = kept
    capacities = {h: inst.capacities[h] for h in hospital_prefs}
    result = [-1] * inst.n_applicants
    if not resident_prefs:
        return result
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any "inconsistent input" warning is a bug in this adapter
        game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
        matching = game.solve(optimal="resident")
    for hospital, residents in matching.items():
        for resident in residents:
            result[resident.name] = hospital.name
    return result


def all_stable_matchings(inst: Instance) -> list[list[int]]:
    options = [
        [-1] + [h for h in prefs if inst.capacities[h] > 0 and a in inst.host_prefs[h]]
        for a, prefs in enumerate(inst.applicant_prefs)
    ]
    found = []
    for combo in itertools.product(*options):
        assignment = list(combo)
        if is_feasible(inst, assignment) and not brute_blocking_pairs(inst, assignment):
            found.append(assignment)
    return found


def test_it_solves_the_docstring_example() -> None:
    result = stable_match([[0, 1], [0], [1, 0]], [[1, 2, 0], [0, 2]], [1, 1])
    assert result.tolist() == [1, 0, -1]
    assert result.dtype == np.int64


def test_it_returns_the_applicant_optimal_one_of_two_stable_matchings() -> None:
    # Both [0, 1] (applicants' favourites) and [1, 0] (hosts' favourites) are stable.
    applicant_prefs = [[0, 1], [1, 0]]
    host_prefs = [[1, 0], [0, 1]]
    assert stable_match(applicant_prefs, host_prefs, [1, 1]).tolist() == [0, 1]


def test_it_leaves_an_applicant_who_ranked_nothing_unmatched() -> None:
    assert stable_match([[], [0]], [[0, 1]], [2]).tolist() == [-1, 0]


def test_it_never_assigns_an_applicant_to_a_host_that_does_not_rank_it() -> None:
    assert stable_match([[0, 1], [0]], [[1], [0]], [5, 5]).tolist() == [1, 0]


def test_it_never_assigns_anyone_to_a_zero_capacity_host() -> None:
    assert stable_match([[0, 1], [0]], [[0, 1], [1, 0]], [0, 1]).tolist() == [1, -1]


def test_it_ignores_host_rankings_of_applicants_who_did_not_apply() -> None:
    # Host 0 ranks applicant 1 first, but applicant 1 never applied there.
    assert stable_match([[0], [1]], [[1, 0], [1]], [1, 1]).tolist() == [0, 1]


def test_it_fills_a_host_up_to_capacity_with_its_favourite_applicants() -> None:
    applicant_prefs = [[0]] * 5
    host_prefs = [[4, 2, 0, 1, 3]]
    assert stable_match(applicant_prefs, host_prefs, [3]).tolist() == [0, -1, 0, -1, 0]


def test_it_handles_empty_instances() -> None:
    assert stable_match([], [], []).shape == (0,)
    assert stable_match([[], []], [], []).tolist() == [-1, -1]
    assert stable_match([], [[], []], [1, 1]).shape == (0,)


def test_it_accepts_csr_input_with_any_integer_dtype() -> None:
    indptr = np.array([0, 2, 3, 5], dtype=np.int32)
    indices = np.array([0, 1, 0, 1, 0], dtype=np.uint16)
    host = to_csr([[1, 2, 0], [0, 2]])
    result = stable_match((indptr, indices), (host[0].astype(np.int32), host[1]), np.array([1, 1]))
    assert result.tolist() == [1, 0, -1]


@settings(max_examples=150, deadline=None)
@given(instances())
def test_it_gives_identical_output_for_lists_and_csr_input(inst: Instance) -> None:
    from_lists = stable_match(inst.applicant_prefs, inst.host_prefs, inst.capacities)
    from_csr = stable_match(
        to_csr(inst.applicant_prefs), to_csr(inst.host_prefs), np.array(inst.capacities)
    )
    np.testing.assert_array_equal(from_lists, from_csr)


@settings(max_examples=300, deadline=None)
@given(instances())
def test_it_is_stable_feasible_and_agrees_with_the_brute_force_definition(
    inst: Instance,
) -> None:
    result = solve(inst)
    assert is_feasible(inst, result)
    assert brute_blocking_pairs(inst, result) == set()
    check_feasible(inst.applicant_prefs, inst.host_prefs, inst.capacities, result)
    assert blocking_pairs(inst.applicant_prefs, inst.host_prefs, inst.capacities, result).shape == (
        0,
        2,
    )


@settings(max_examples=60, deadline=None)
@given(instances(max_applicants=5, max_hosts=3, max_capacity=2))
def test_it_gives_every_applicant_its_best_outcome_among_all_stable_matchings(
    inst: Instance,
) -> None:
    def position(a: int, h: int) -> int:
        return inst.applicant_prefs[a].index(h) if h != -1 else len(inst.applicant_prefs[a])

    result = solve(inst)
    stable = all_stable_matchings(inst)
    assert result in stable
    for other in stable:
        for a in range(inst.n_applicants):
            assert position(a, result[a]) <= position(a, other[a])


@settings(max_examples=200, deadline=None)
@given(instances(max_applicants=12, max_hosts=6))
def test_it_equals_the_matching_package_resident_optimal_result(inst: Instance) -> None:
    assert solve(inst) == matching_package_result(inst)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_it_equals_the_matching_package_on_a_crowded_instance(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_app, n_hosts = 300, 30
    applicant_prefs = [
        rng.permutation(n_hosts)[: rng.integers(0, 7)].tolist() for _ in range(n_app)
    ]
    score = rng.permutation(n_app)
    host_prefs = [
        sorted((a for a in range(n_app) if h in applicant_prefs[a]), key=lambda a: score[a])
        for h in range(n_hosts)
    ]
    capacities = rng.integers(0, 8, n_hosts).tolist()
    inst = Instance(applicant_prefs, host_prefs, capacities)
    result = solve(inst)
    assert result == matching_package_result(inst)
    assert sum(h >= 0 for h in result) > 60  # ~105 places for 300 applicants: not trivial


def test_the_brute_force_helpers_can_detect_an_unstable_matching() -> None:
    # Guards the oracle used above: swapping the stable answer must be caught.
    inst = Instance([[0, 1], [1, 0]], [[0, 1], [1, 0]], [1, 1])
    assert brute_blocking_pairs(inst, [1, 0]) == {(0, 0), (1, 1)}
    assert solve(inst) == [0, 1]


@settings(max_examples=50, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_it_does_not_depend_on_the_numbering_of_applicants(inst: Instance, rnd) -> None:
    perm = list(range(inst.n_applicants))
    rnd.shuffle(perm)  # new index of applicant a is perm[a]
    inverse = {new: old for old, new in enumerate(perm)}
    shuffled = Instance(
        [inst.applicant_prefs[inverse[i]] for i in range(inst.n_applicants)],
        [[perm[a] for a in prefs] for prefs in inst.host_prefs],
        inst.capacities,
    )
    original = solve(inst)
    renumbered = solve(shuffled)
    assert [renumbered[perm[a]] for a in range(inst.n_applicants)] == original
