"""The pure part of partner recommendations: candidates, costs, the optimal assignment and
the reasons, on small instances checked by hand (1° of latitude ≈ 111.2 km)."""

from __future__ import annotations

import doctest

import pytest

from xietong.partnerships import recommend as rec
from xietong.partnerships.recommend import Partner, School, Weights, build_instance, recommend

PRIMARY = frozenset({"primary"})
SENIOR = frozenset({"senior"})


def school(key: int, lat: float = 40.0, kind: str = "primary", stages=PRIMARY) -> School:
    return School(key, kind, stages, (lat, 117.0))


def partner(key: int, lat: float, kind: str = "primary", stages=PRIMARY, load: int = 0) -> Partner:
    return Partner(key, kind, stages, (lat, 117.0), load)


def test_its_docstring_examples_hold():
    assert doctest.testmod(rec).failed == 0


def test_it_proposes_the_nearest_compatible_partner():
    out = recommend([school(1)], [partner(10, 40.5), partner(11, 40.1)], cap=3)
    assert [(p.school, p.partner) for p in out.proposals] == [(1, 11)]
    assert out.proposals[0].km == pytest.approx(11.1, abs=0.1)


def test_it_places_every_school_it_can_even_when_one_has_to_take_a_farther_partner():
    # Both schools are nearest to partner 10 (one place left: load 2 of 3); school 2 has no
    # other candidate, so school 1 takes partner 11 although it is farther.
    schools = [school(1, 40.0), school(2, 40.0, kind="nine_year", stages=frozenset({"junior"}))]
    partners = [
        partner(10, 40.1, kind="nine_year", stages=frozenset({"primary", "junior"}), load=2),
        partner(11, 40.5),
    ]
    out = recommend(schools, partners, cap=3)
    assert sorted((p.school, p.partner) for p in out.proposals) == [(1, 11), (2, 10)]


def test_it_gives_a_partner_no_more_schools_than_its_cap_minus_its_load():
    schools = [school(i, 40.0 + i / 100) for i in range(4)]
    out = recommend(schools, [partner(10, 40.0, load=1)], cap=3)
    assert len(out.proposals) == 2
    assert list(out.unplaced.values()) == [rec.TAKEN, rec.TAKEN]


def test_it_pairs_kinds_of_school_of_one_family_that_share_a_stage():
    assert rec.kind_fits("primary", "twelve_year")
    assert rec.kind_fits("senior", "complete_secondary")
    assert not rec.kind_fits("secondary_vocational", "senior")
    assert not rec.kind_fits("authority", "authority")
    vocational = School(1, "secondary_vocational", frozenset({"sec_voc"}), (40.0, 117.0))
    out = recommend([vocational], [partner(10, 40.0, kind="senior", stages=SENIOR)], cap=3)
    assert out.unplaced == {1: rec.NO_CANDIDATE}
    # same family but no common stage: a senior school does not support a primary one
    out = recommend([school(1)], [partner(10, 40.0, kind="senior", stages=SENIOR)], cap=3)
    assert out.unplaced == {1: rec.NO_CANDIDATE}


def test_it_says_why_a_school_is_left_without_a_partner():
    far = recommend([school(1)], [partner(10, 43.0)], cap=3, max_km=200)  # 333 km
    assert far.unplaced == {1: rec.NO_CANDIDATE}
    full = recommend([school(1)], [partner(10, 40.1, load=3)], cap=3)
    assert full.unplaced == {1: rec.ALL_AT_CAP}


def test_it_costs_distance_missing_stages_another_kind_and_load_as_documented():
    s = School(1, "twelve_year", frozenset({"primary", "junior"}), (40.0, 117.0))
    p = Partner(10, "nine_year", frozenset({"junior"}), (40.0 + 10 / 111.195, 117.0), load=1)
    inst = build_instance([s], [p], cap=3)
    # 10 km · 1/10 + 2 · (1 − 1/2) + 1 (another kind) + 0.5 · 1/3
    assert inst.costs[0][0] == pytest.approx(1 + 1 + 1 + 0.5 / 3, abs=0.01)
    heavy = build_instance([s], [p], cap=3, weights=Weights(distance=0, stages=0, kind=0, load=3))
    assert heavy.costs[0][0] == pytest.approx(1.0)


def test_it_keeps_only_the_k_nearest_candidates_nearest_first():
    partners = [partner(10 + i, 40.0 + i / 50) for i in range(30)]
    inst = build_instance([school(1)], partners, cap=3, k=5)
    assert inst.prefs[0] == [0, 1, 2, 3, 4]


def test_it_ranks_a_partner_without_coordinates_last_and_says_the_distance_is_unknown():
    lost = Partner(10, "primary", PRIMARY, None)
    out = recommend([school(1)], [lost], cap=3)
    assert out.proposals[0].km is None
    assert {"code": "no_distance"} in out.proposals[0].reasons


def test_it_gives_each_proposal_its_reasons_as_codes_with_parameters():
    s = School(1, "complete_secondary", frozenset({"junior", "senior"}), (40.0, 117.0))
    p = Partner(10, "twelve_year", frozenset({"primary", "junior", "senior"}), (40.29, 117.0), 1)
    (proposal,) = recommend([s], [p], cap=3).proposals
    assert proposal.reasons == [
        {"code": "stages", "stages": ["junior", "senior"]},
        {"code": "distance", "km": 32},
        {"code": "load", "load": 1, "cap": 3},
        {"code": "compatible_kind", "kind": "complete_secondary", "partner_kind": "twelve_year"},
    ]


def test_it_refuses_unknown_or_negative_weights():
    with pytest.raises(ValueError, match="unknown weights: speed"):
        Weights.of({"speed": 1})
    with pytest.raises(ValueError, match="distance"):
        Weights.of({"distance": -1})
    assert Weights.of({"distance": 2}).distance == 2.0


def test_it_answers_an_empty_area_with_nothing():
    out = recommend([], [partner(10, 40.0)], cap=3)
    assert out.proposals == [] and out.unplaced == {}
