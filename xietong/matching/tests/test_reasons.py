"""Reason codes for every applicant in one pass, checked against the definitions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xietong.matching import MatchingInputError, reasons, stable_match

from . import Instance, instances, to_csr


def brute_steps(inst: Instance, assignment: list[int], a: int) -> list[dict[str, int | str]]:
    """The steps of one applicant straight from the definitions (one host at a time)."""
    prefs = inst.applicant_prefs[a]
    if not prefs:
        return [{"code": "no_choices"}]
    result = assignment[a]
    upto = prefs[: prefs.index(result) + 1] if result != -1 else prefs
    steps: list[dict[str, int | str]] = []
    for p, h in enumerate(upto, start=1):
        step: dict[str, int | str] = {"code": "admitted", "host": h, "position": p}
        listed = inst.host_prefs[h]
        cap = inst.capacities[h]
        held = [b for b in range(inst.n_applicants) if assignment[b] == h]
        held_rank = [listed.index(b) if b in listed else len(listed) for b in held]
        if h == result:
            pass
        elif a not in listed:
            step["code"] = "not_listed"
        elif cap == 0:
            step["code"] = "no_places"
        elif len(held) < cap:
            step.update(code="free_places", capacity=cap, free=cap - len(held))
        elif any(r > listed.index(a) for r in held_rank):
            lower = sum(r > listed.index(a) for r in held_rank)
            step.update(code="holds_lower", capacity=cap, lower=lower, rank=listed.index(a) + 1)
        else:
            step.update(
                code="full", capacity=cap, cutoff=max(held_rank) + 1, rank=listed.index(a) + 1
            )
        steps.append(step)
    return steps


@settings(max_examples=200, deadline=None)
@given(instances())
def test_it_gives_every_applicant_of_a_stable_matching_the_steps_of_the_definition(
    inst: Instance,
) -> None:
    assignment = stable_match(inst.applicant_prefs, inst.host_prefs, inst.capacities).tolist()
    got = reasons(inst.applicant_prefs, inst.host_prefs, inst.capacities, assignment)
    assert got == [brute_steps(inst, assignment, a) for a in range(inst.n_applicants)]
    codes = {s["code"] for steps in got for s in steps}
    assert not codes & {"free_places", "holds_lower"}


@settings(max_examples=200, deadline=None)
@given(st.data(), instances())
def test_it_names_the_instability_of_any_assignment_like_the_definition(
    data: st.DataObject, inst: Instance
) -> None:
    assignment = [data.draw(st.sampled_from([-1, *prefs])) for prefs in inst.applicant_prefs]
    got = reasons(to_csr(inst.applicant_prefs), to_csr(inst.host_prefs), inst.capacities,
                  np.array(assignment, dtype=np.int64))  # fmt: skip
    assert got == [brute_steps(inst, assignment, a) for a in range(inst.n_applicants)]


def test_it_gives_the_cutoff_rank_of_a_full_host() -> None:
    steps = reasons([[0, 1], [0], [0, 1]], [[1, 2, 0], [0, 2]], [2, 1], [1, 0, 0])
    assert steps[0] == [
        {"code": "full", "host": 0, "position": 1, "capacity": 2, "cutoff": 2, "rank": 3},
        {"code": "admitted", "host": 1, "position": 2},
    ]
    assert steps[1] == [{"code": "admitted", "host": 0, "position": 1}]


def test_it_says_an_applicant_without_choices_ranked_nothing() -> None:
    assert reasons([[]], [[0]], [1], [-1]) == [[{"code": "no_choices"}]]


def test_it_rejects_an_assignment_to_a_host_the_applicant_did_not_rank() -> None:
    with pytest.raises(MatchingInputError, match=r"assignment\[0\] = 1 is a host that"):
        reasons([[0], [1]], [[0], [1]], [1, 1], [1, -1])
