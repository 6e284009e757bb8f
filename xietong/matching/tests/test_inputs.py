from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import xietong.matching
from xietong.matching import (
    MatchingInputError,
    blocking_pairs,
    explain,
    min_cost_assign,
    stable_match,
)
from xietong.matching._inputs import as_csr
from xietong.matching.tests import to_csr

PACKAGE_DIR = Path(xietong.matching.__file__).parent
REPO_ROOT = PACKAGE_DIR.parent.parent

HOSTS = [[0, 1], [1, 0]]  # two hosts ranking two applicants
CAPS = [1, 1]


def csr(indptr: list[int], indices: list[int]) -> tuple[np.ndarray, np.ndarray]:
    return np.array(indptr), np.array(indices)


@pytest.mark.parametrize(
    ("applicant_prefs", "message"),
    [
        ([[0], [-1]], "applicant_prefs[1] contains negative host index -1"),
        ([[0], [1, 2]], "applicant_prefs[1] contains host index 2, out of range for 2 hosts"),
        ([[0, 1, 0], [1]], "applicant_prefs[0] lists host 0 more than once"),
        ([[0], [1.0]], "applicant_prefs entries must be integers, got dtype float64"),
        ([[0], ["1"]], "applicant_prefs entries must be integers, got dtype <U"),
        ([0, 1], "applicant_prefs must be a list of lists of integers or an (indptr, indices) "
                 "pair of numpy arrays: object of type 'int' has no len()"),
        (csr([0, 1, 3], [0, 1, 1]), "applicant_prefs[1] lists host 1 more than once"),
        (csr([0, 1, 2], [0, 5]), "applicant_prefs[1] contains host index 5, out of range"),
        (csr([1, 1, 2], [0, 1]), "applicant_prefs indptr must start at 0, got 1"),
        (csr([0, 2, 1, 2], [0, 1]), "applicant_prefs indptr must be non-decreasing"),
        (csr([0, 1, 3], [0, 1]), "applicant_prefs indptr ends at 3 but indices has 2 entries"),
        ((np.array([0, 1, 2]), np.array([0.0, 1.0])),
         "applicant_prefs indices must be integers, got dtype float64"),
        ((np.array([[0, 1, 2]]), np.array([0, 1])),
         "applicant_prefs indptr and indices must be 1-D arrays"),
    ],
)  # fmt: skip
def test_it_rejects_bad_applicant_preferences_with_a_clear_message(
    applicant_prefs: object, message: str
) -> None:
    with pytest.raises(MatchingInputError, match=re.escape(message)):
        stable_match(applicant_prefs, HOSTS, CAPS)


def test_it_rejects_preferences_that_are_not_lists_at_all() -> None:
    with pytest.raises(MatchingInputError, match="applicant_prefs must be a list of lists"):
        stable_match(42, HOSTS, CAPS)
    with pytest.raises(MatchingInputError, match="applicant_prefs must be a list of lists"):
        stable_match("01", HOSTS, CAPS)


@pytest.mark.parametrize(
    ("host_prefs", "message"),
    [
        ([[0, 1], [-3]], "host_prefs[1] contains negative applicant index -3"),
        ([[0, 2], [1]], "host_prefs[0] contains applicant index 2, out of range for 2 applicants"),
        ([[0, 1], [1, 1]], "host_prefs[1] lists applicant 1 more than once"),
    ],
)
def test_it_rejects_bad_host_preferences_with_a_clear_message(
    host_prefs: object, message: str
) -> None:
    with pytest.raises(MatchingInputError, match=re.escape(message)):
        stable_match([[0], [1]], host_prefs, CAPS)


@pytest.mark.parametrize(
    ("capacities", "message"),
    [
        ([1], "capacities has 1 entries but host_prefs describes 2 hosts"),
        ([1, 1, 1], "capacities has 3 entries but host_prefs describes 2 hosts"),
        ([1, -2], "capacities[1] is negative (-2)"),
        ([1.5, 1], "capacities must be integers, got dtype float64"),
        ([[1, 1]], "capacities must be 1-D, got shape (1, 2)"),
    ],
)
def test_it_rejects_bad_capacities_with_a_clear_message(capacities: object, message: str) -> None:
    with pytest.raises(MatchingInputError, match=re.escape(message)):
        stable_match([[0], [1]], HOSTS, capacities)


@pytest.mark.parametrize(
    ("costs", "message"),
    [
        ([[1, 2]], "costs has 1 rows but applicant_prefs has 2"),
        ([[1, 2], []], "costs[1] has 0 costs but applicant_prefs[1] lists 1 hosts"),
        (np.array([1, 2]), "costs has 2 entries but applicant_prefs has 3 preference entries"),
        (np.array([[1, 2, 3]]), "costs as an array must be 1-D with one cost per preference "
                                "entry, got shape (1, 3)"),
        ((np.array([0, 1, 3]), np.array([1, 2, 3])),
         "costs indptr is not aligned with applicant_prefs indptr"),
        ([[1, float("nan")], [3]], "costs must be finite (found NaN or infinity)"),
        ([[1, "x"], [3]], "costs must be numbers, got dtype <U"),
        ("123", "costs must be a list of lists, a flat array or an (indptr, data) pair, got str"),
        ([1, 2], "costs must be a list of lists, a flat array or an (indptr, data) pair"),
    ],
)  # fmt: skip
def test_it_rejects_costs_not_aligned_with_the_preferences(costs: object, message: str) -> None:
    with pytest.raises(MatchingInputError, match=re.escape(message)):
        min_cost_assign([[0, 1], [1]], costs, CAPS)


def test_min_cost_checks_host_indices_against_the_number_of_capacities() -> None:
    with pytest.raises(
        MatchingInputError, match=re.escape("contains host index 2, out of range for 2 hosts")
    ):
        min_cost_assign([[0, 2]], [[1, 1]], [1, 1])
    with pytest.raises(MatchingInputError, match=re.escape("capacities[0] is negative (-1)")):
        min_cost_assign([[0]], [[1]], [-1, 1])


def test_every_entry_point_validates_its_inputs() -> None:
    bad = [[0, 0], [1]]
    message = re.escape("applicant_prefs[0] lists host 0 more than once")
    with pytest.raises(MatchingInputError, match=message):
        blocking_pairs(bad, HOSTS, CAPS, [0, 1])
    with pytest.raises(MatchingInputError, match=message):
        explain(0, bad, HOSTS, CAPS, [0, 1])
    with pytest.raises(MatchingInputError, match=message):
        min_cost_assign(bad, [[1, 1], [1]], CAPS)


def test_input_errors_are_value_errors() -> None:
    assert issubclass(MatchingInputError, ValueError)


def test_it_normalises_lists_and_csr_to_the_same_int64_arrays() -> None:
    lists = [[2, 0], [], [1]]
    from_lists = as_csr(lists, 3, "p")
    from_csr = as_csr((np.array([0, 2, 2, 3], dtype=np.int32), np.array([2, 0, 1])), 3, "p")
    for got in (from_lists, from_csr):
        assert got.indptr.dtype == np.int64 and got.indices.dtype == np.int64
        assert got.indptr.tolist() == [0, 2, 2, 3]
        assert got.indices.tolist() == [2, 0, 1]
    assert from_lists.row(0).tolist() == [2, 0]
    assert from_lists.row_ids().tolist() == [0, 0, 2]
    assert from_lists.positions().tolist() == [0, 1, 0]


def test_it_accepts_rows_given_as_numpy_arrays_or_a_2d_array() -> None:
    rows = [np.array([0, 1]), np.array([1, 0])]
    expected = stable_match([[0, 1], [1, 0]], HOSTS, CAPS)
    np.testing.assert_array_equal(stable_match(rows, HOSTS, CAPS), expected)
    np.testing.assert_array_equal(stable_match(np.array([[0, 1], [1, 0]]), HOSTS, CAPS), expected)


def test_it_does_not_modify_the_callers_arrays() -> None:
    indptr, indices = to_csr([[1, 0], [0, 1]])
    host = to_csr(HOSTS)
    caps = np.array(CAPS)
    snapshot = [a.copy() for a in (indptr, indices, *host, caps)]
    stable_match((indptr, indices), host, caps)
    min_cost_assign((indptr, indices), np.array([1, 2, 3, 4]), caps)
    for before, after in zip(snapshot, (indptr, indices, *host, caps), strict=True):
        np.testing.assert_array_equal(before, after)


def test_the_package_imports_without_django() -> None:
    code = (
        "import sys, xietong.matching as m; "
        "m.stable_match([[0]], [[0]], [1]); "
        "bad = sorted(k for k in sys.modules if k == 'django' or k.startswith('django.')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "[]"


def test_no_module_of_the_package_imports_django() -> None:
    sources = sorted(PACKAGE_DIR.rglob("*.py"))
    assert len(sources) >= 12  # the six modules and the test files are all found
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] != "django", f"{path} imports {name}"


def test_the_public_api_is_exactly_what_all_lists() -> None:
    assert sorted(xietong.matching.__all__) == [
        "InfeasibleAssignmentError",
        "MatchingInputError",
        "blocking_pairs",
        "check_feasible",
        "explain",
        "min_cost_assign",
        "reasons",
        "stable_match",
    ]
    for name in xietong.matching.__all__:
        assert getattr(xietong.matching, name) is not None


@pytest.mark.parametrize(
    "module", ["deferred_acceptance", "min_cost", "stability", "explain", "reasons"]
)
def test_the_docstring_examples_of_each_module_pass(module: str) -> None:
    import doctest
    import importlib

    mod = importlib.import_module(f"xietong.matching.{module}")
    failed, attempted = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert attempted > 0
    assert failed == 0
