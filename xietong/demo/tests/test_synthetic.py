"""The synthetic population: right size per province, valid and unique, deterministic."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from xietong.accounts import audit
from xietong.accounts.models import AuditEvent
from xietong.conftest import id_number_of
from xietong.demo import synthetic
from xietong.demo.models import DemoLoad
from xietong.institutions import personal_data, tallies
from xietong.institutions.models import Institution, Staff, StaffTally
from xietong.institutions.validators import (
    SCHOOL_CATEGORY_OF_KIND,
    birth_date_from_id,
    gender_from_id,
    validate_id_number,
    validate_school_code,
)

TINY = Decimal("0.001")
CHINESE = re.compile(r"^[\u4e00-\u9fff]+$")


def _ids(runs: list[list[int]]) -> list[int]:
    return [i for a, b in runs for i in range(a, b + 1)]


def _synthetic_institutions(load: DemoLoad):
    return Institution.objects.filter(id__in=_ids(load.institution_ids))


def _synthetic_staff(load: DemoLoad):
    return Staff.objects.filter(id__in=_ids(load.staff_ids))


@pytest.fixture
def tiny(db) -> DemoLoad:
    result = synthetic.load(TINY, seed=7)
    assert result.status == "loaded"
    return DemoLoad.objects.get()


# --- the plan, without a database ---------------------------------------------------------


def test_it_plans_the_real_size_of_the_region_at_scale_one():
    counts = synthetic.planned_counts(1)
    per_province = {p: sum(k.values()) for p, k in counts.items()}
    assert per_province == {"11": 3692, "12": 3800, "13": 33626}  # facts.md, summed
    assert counts["13"]["kindergarten"] == 17800
    assert counts["13"]["junior"] + counts["13"]["nine_year"] == 2516
    assert counts["13"]["senior"] + counts["13"]["complete_secondary"] == 818
    staff = {p: synthetic.planned_staff(1, per_province[p], p) for p in per_province}
    assert staff == {"11": 250_000, "12": 150_000, "13": 1_000_000}


def test_it_is_deterministic_for_a_seed():
    first = synthetic.plan(Decimal("0.003"), seed=11)
    again = synthetic.plan(Decimal("0.003"), seed=11)
    other = synthetic.plan(Decimal("0.003"), seed=12)
    assert [(i.name, i.staff, i.address) for i in first] == [
        (i.name, i.staff, i.address) for i in again
    ]
    assert [i.name for i in first] != [i.name for i in other]
    rows = list(synthetic.staff_rows(first, seed=11))
    assert rows == list(synthetic.staff_rows(again, seed=11))
    assert rows != list(synthetic.staff_rows(first, seed=12))


def test_it_never_plans_a_named_entity_twice():
    from xietong.demo import named

    plan = synthetic.plan(Decimal("0.05"), seed=3)
    named_pairs = {(r.region, r.name) for r in named.INSTITUTIONS}
    assert not {(i.county.code, i.name) for i in plan} & named_pairs
    assert len({(i.county.code, i.name) for i in plan}) == len(plan)


def test_it_draws_honours_positions_and_genders_in_the_stated_shares():
    plan = synthetic.plan(Decimal("0.01"), seed=5)
    rows = [row for _, row in synthetic.staff_rows(plan, seed=5)]
    n = len(rows)
    honours = Counter(row[10] for row in rows)
    assert 0.08 < honours[",backbone,"] / n < 0.12
    assert 0.01 < honours[",subject_leader,"] / n < 0.03
    assert 0.0005 < honours[",special_grade,"] / n < 0.006
    positions = Counter(row[6] for row in rows)
    assert positions["principal"] == len(plan)
    assert len(plan) <= positions["vice_principal"] <= 2 * len(plan)
    assert positions["teacher"] / n > 0.85
    assert 0.55 < sum(row[1] == "F" for row in rows) / n < 0.85
    assert len({row[3] for row in rows}) == n


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "cannot be negative"),
        ("abc", "must be a number"),
        ("5", "larger than 1"),
        ("1.5", "larger than 1"),
        ("nan", "finite"),
        ("0.0000001", "too small"),
    ],
)
def test_it_refuses_a_bad_scale_with_a_clear_message(value, message):
    with pytest.raises(synthetic.DemoError, match=message):
        synthetic.parse_scale(value)


def test_it_accepts_scales_from_zero_to_one():
    assert synthetic.parse_scale("0") == 0
    assert synthetic.parse_scale(" 0.02 ") == Decimal("0.020000")
    assert synthetic.parse_scale("1") == 1


def test_it_writes_chinese_numerals():
    names = [synthetic.chinese_number(n) for n in (1, 10, 12, 20, 35, 100, 105, 110, 999)]
    assert names == [
        "一",
        "十",
        "十二",
        "二十",
        "三十五",
        "一百",
        "一百零五",
        "一百一十",
        "九百九十九",
    ]


# --- loading ------------------------------------------------------------------------------


def test_it_loads_the_expected_counts_per_province_in_proportion(tiny):
    institutions = _synthetic_institutions(tiny)
    staff = _synthetic_staff(tiny)
    for prov, groups in synthetic.GROUPS.items():
        mine = institutions.filter(region_path__startswith=f"{prov}0000/")
        kinds = Counter(mine.values_list("kind", flat=True))
        for group in groups:
            in_group = sum(kinds[k] for k, _ in group.kinds)
            assert in_group == round(group.count * float(TINY)), (prov, group.label)
        assert staff.filter(institution__region_path__startswith=f"{prov}0000/").count() == (
            synthetic.planned_staff(TINY, mine.count(), prov)
        )
        assert tiny.counts[prov]["institutions"] == mine.count()
    # in proportion: Hebei has about 82% of the institutions and 71% of the staff
    hebei = institutions.filter(region_path__startswith="130000/").count()
    assert 0.75 < hebei / institutions.count() < 0.9
    assert staff.count() == 1400


def test_it_gives_every_staff_member_a_valid_unique_id_number_matching_birth_and_gender(tiny):
    rows = [
        (id_number_of(s), s.birth_date, s.gender, s.institution.region.code)
        for s in _synthetic_staff(tiny).select_related("institution__region")
    ]
    assert rows
    for id_number, birth, gender, county in rows:
        validate_id_number(id_number)
        assert birth_date_from_id(id_number) == birth
        assert gender_from_id(id_number) == gender
        assert id_number[:6] == county
        assert int(id_number[14:17]) < 900  # 900–999 are the named staff's
    all_ids = [id_number_of(s) for s in Staff.objects.all()]
    assert len(all_ids) == len(set(all_ids))
    indexes = list(Staff.objects.values_list("id_number_index", flat=True))
    assert len(indexes) == len(set(indexes)) == len(all_ids)


def test_it_gives_every_synthetic_school_a_valid_unique_school_identifier(tiny):
    rows = list(_synthetic_institutions(tiny).values_list("school_code", "kind", "region_path"))
    assert rows
    for code, kind, path in rows:
        assert code is not None, kind
        validate_school_code(code)
        assert code[:2] == SCHOOL_CATEGORY_OF_KIND[kind]
        assert code[2:4] == path[:2]  # the province
    codes = list(
        Institution.objects.exclude(school_code=None).values_list("school_code", flat=True)
    )
    assert len(codes) == len(set(codes))


def test_it_gives_chinese_names_and_consistent_rows(tiny):
    for inst in _synthetic_institutions(tiny).select_related("region"):
        assert CHINESE.match(inst.name), inst.name
        assert inst.name.startswith(inst.region.name) or inst.kind in (
            "university",
            "higher_vocational",
        )
        assert inst.region_path == inst.region.path
        assert inst.region.level == "county"
        assert inst.stages
        positions = Counter(inst.staff.values_list("position", flat=True))
        assert positions["principal"] == 1
        assert 1 <= positions["vice_principal"] <= 2
    for name, joined in _synthetic_staff(tiny).values_list("name", "joined_on"):
        assert CHINESE.match(name) and 2 <= len(name) <= 4, name
        assert joined <= synthetic.REFERENCE_DATE


def test_it_records_one_audit_event_per_load(tiny):
    events = AuditEvent.objects.filter(action="demo.synthetic_load")
    assert events.count() == 1
    detail = events.get().detail
    assert detail is not None
    assert detail["scale"] == "0.001000"
    assert detail["seed"] == 7
    assert detail["counts"] == tiny.counts
    assert detail["database"] == connection.vendor


def test_it_changes_nothing_when_the_same_scale_and_seed_are_loaded_again(tiny):
    before = (Institution.objects.count(), Staff.objects.count(), AuditEvent.objects.count())
    again = synthetic.load(TINY, seed=7)
    assert again.status == "already_loaded"
    after = (Institution.objects.count(), Staff.objects.count(), AuditEvent.objects.count())
    assert after == before
    assert DemoLoad.objects.count() == 1


def test_it_refuses_another_scale_on_top_of_a_load(tiny):
    with pytest.raises(synthetic.DemoError, match=r"fresh database.*--replace"):
        synthetic.load(Decimal("0.002"), seed=7)
    with pytest.raises(synthetic.DemoError, match="seed 7"):
        synthetic.load(TINY, seed=8)


def test_it_replaces_a_load_when_asked(tiny):
    old_ids = set(_ids(tiny.staff_ids))
    named_staff = Staff.objects.exclude(id__in=old_ids).count()
    result = synthetic.load(Decimal("0.002"), seed=7, replace=True)
    assert result.status == "loaded"
    assert result.replaced is not None
    assert not Staff.objects.filter(id__in=old_ids).exists()
    load = DemoLoad.objects.get()
    assert load.scale == Decimal("0.002")
    assert Staff.objects.count() == named_staff + 2800
    assert AuditEvent.objects.filter(action="demo.synthetic_delete").count() == 1


def test_it_refuses_to_replace_a_population_others_refer_to(tiny):
    from xietong.demo import named

    school = _synthetic_institutions(tiny).first()
    Staff.objects.create(
        name="张自建",
        gender="M",
        birth_date="1980-01-01",
        **personal_data.sealed_fields(_valid_id(school.region.code)),
        institution=school,
        joined_on="2020-09-01",
    )
    with pytest.raises(synthetic.DemoError, match="cannot be deleted"):
        synthetic.load(Decimal("0.002"), seed=7, replace=True)
    assert DemoLoad.objects.get().scale == TINY
    assert named.institution("zhg")  # the named entities are untouched


def test_it_deletes_the_staff_tallies_of_the_population_it_replaces(db):
    synthetic.load(Decimal("0.001"), seed=7)
    tallies.rebuild()  # as the command does after a load
    old = DemoLoad.objects.get().institution_ids
    first, last = old[0]
    assert StaffTally.objects.filter(institution_id__gte=first, institution_id__lte=last)
    synthetic.load(Decimal("0.002"), seed=7, replace=True)
    connection.check_constraints()
    assert not StaffTally.objects.filter(institution_id__gte=first, institution_id__lte=last)


def test_it_skips_the_population_at_scale_zero(db):
    result = synthetic.load(0)
    assert result.status == "skipped"
    assert not DemoLoad.objects.exists()


def test_it_writes_through_core_bulk_with_one_audit_event_per_batch(db):
    result = synthetic.load(TINY, seed=9, batch_size=500)
    load = DemoLoad.objects.get()
    events = AuditEvent.objects.filter(action=audit.BATCH_ACTION).order_by("id")
    method = "copy" if connection.vendor == "postgresql" else "insert"
    per_model: dict[str, list[int]] = {}
    for event in events:
        assert event.detail is not None
        assert event.detail["method"] == method
        assert event.detail["demo"] == {"scale": "0.001000", "seed": 9}
        per_model.setdefault(event.object_type, []).append(event.detail["counts"]["rows"])
    assert per_model == {
        "institutions.institution": [result.institutions],
        "institutions.staff": [500, 500, 400],
    }
    assert result.method == method
    # the ids each batch wrote are the ids the load recorded
    staff_runs = [e.detail["ids"] for e in events if e.object_type == "institutions.staff"]
    assert sorted(i for a, b in staff_runs for i in range(a, b + 1)) == _ids(load.staff_ids)


def _valid_id(county: str) -> str:
    from xietong.institutions.validators import id_check_char

    body = f"{county}19800101999"
    return body + id_check_char(body)
