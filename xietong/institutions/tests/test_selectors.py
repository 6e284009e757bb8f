"""Reads of the registry: filters, region groups, the actor's own rows, counts per region."""

from __future__ import annotations

import pytest

from xietong.core.errors import NotFound
from xietong.institutions.models import Lab
from xietong.institutions.selectors import (
    InstitutionFilters,
    StaffFilters,
    branches_of,
    counts_by_region,
    institution_counts,
    institutions_for,
    labs_of,
    staff_for,
)
from xietong.regions.models import Region


def institution_names(cast, user="beijing", **filters):
    return sorted(i.name for i in institutions_for(cast.actor(user), InstitutionFilters(**filters)))


def staff_names(cast, user="sysadmin", **filters):
    return sorted(s.name for s in staff_for(cast.actor(user), StaffFilters(**filters)))


SANHE = "Sanhe Experimental"
DACHANG = "Sanhe Experimental Dachang campus"
XIONGXIAN = "Xiongxian No. 1"
TONGZHOU = "Tongzhou No. 1"


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ("xiongan", [XIONGXIAN]),
        ("beisanxian", [SANHE, DACHANG]),
        ("fuzhongxin", [TONGZHOU]),
        ("tongwulang", [SANHE, DACHANG, TONGZHOU]),
        ("binhai", []),
        ("130000", [SANHE, DACHANG, XIONGXIAN]),
        ("131000", [SANHE, DACHANG]),
        ("131082", [SANHE]),
        ("110000", [TONGZHOU]),
        ("120000", []),
    ],
)
def test_it_filters_institutions_by_region_or_region_group(cast, area, expected):
    assert institution_names(cast, area=area) == expected


@pytest.mark.parametrize("area", ["999999", "atlantis", "13"])
def test_it_refuses_an_unknown_area(cast, area):
    with pytest.raises(NotFound):
        list(institutions_for(cast.actor("beijing"), InstitutionFilters(area=area)))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "senior"}, [XIONGXIAN]),
        ({"kind": "primary"}, [SANHE, DACHANG, TONGZHOU]),
        ({"stage": "senior"}, [XIONGXIAN]),
        ({"stage": "primar"}, []),  # codes match whole, not as substrings
        ({"q": "sanhe"}, [SANHE, DACHANG]),
        ({"q": "2113012345"}, [SANHE]),
        ({"q": "211301"}, []),  # the identifier matches whole
        ({"area": "130000", "kind": "senior"}, [XIONGXIAN]),
    ],
    ids=str,
)
def test_it_filters_institutions_by_kind_stage_and_name(cast, filters, expected):
    assert institution_names(cast, **filters) == expected


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("beijing", [TONGZHOU]),
        ("tongzhou", [TONGZHOU]),
        ("sanhe", [SANHE]),
        ("school_admin", [SANHE, DACHANG]),
        ("sysadmin", [SANHE, DACHANG, TONGZHOU, XIONGXIAN]),
        ("hebei_viewer", []),
        ("teacher", []),
    ],
)
def test_it_filters_institutions_to_those_the_user_may_change(cast, user, expected):
    assert institution_names(cast, user, mine=True) == expected


def test_it_lists_branches_and_labs_of_a_visible_institution(cast):
    Lab.objects.create(institution=cast.sanhe_branch, name="Lab A")
    assert list(branches_of(cast.actor("teacher"), cast.sanhe_school)) == [cast.sanhe_branch]
    assert [lab.name for lab in labs_of(cast.actor("teacher"), cast.sanhe_branch)] == ["Lab A"]
    with pytest.raises(NotFound):
        labs_of(cast.actor("auditor"), cast.sanhe_branch)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"area": "xiongan"}, ["赵雄安"]),
        ({"area": "beisanxian"}, ["刘大厂", "李三河"]),
        ({"title": "senior"}, ["王北京"]),
        ({"honour": "backbone"}, ["王北京"]),
        ({"stage": "senior"}, ["赵雄安"]),
        ({"subject": "14"}, ["刘大厂", "李三河", "王北京", "赵雄安"]),
        ({"subject": "数"}, []),
        ({"position": "principal"}, []),
        ({"q": "刘"}, ["刘大厂"]),  # one or two characters: the start of the name
        ({"q": "大厂"}, []),
    ],
    ids=str,
)
def test_it_filters_the_whole_staff_directory_of_the_system_admin(cast, filters, expected):
    assert staff_names(cast, **filters) == expected


def test_it_filters_an_authority_s_staff_within_its_own_region(cast):
    assert staff_names(cast, "beijing") == ["王北京"]
    assert staff_names(cast, "beijing", mine=True) == ["王北京"]
    assert staff_names(cast, "beijing", area="xiongan") == []
    assert staff_names(cast, "hebei_viewer", subject="14") == ["刘大厂", "李三河", "赵雄安"]
    assert staff_names(cast, "hebei_viewer", mine=True) == []


def test_it_filters_staff_by_institution(cast):
    assert staff_names(cast, institution_id=cast.xiongxian_school.pk) == ["赵雄安"]


def test_it_filters_staff_within_what_the_user_may_read(cast):
    assert staff_names(cast, "school_admin", subject="14") == ["刘大厂", "李三河"]
    assert staff_names(cast, "teacher", area="130000") == ["李三河"]
    assert staff_names(cast, "auditor") == []


def test_it_counts_institutions_and_staff_visible_and_owned(cast):
    assert institution_counts(cast.actor("school_admin")) == {
        "institutions": 4,
        "my_institutions": 2,
        "staff": 2,
        "my_staff": 2,
    }
    assert institution_counts(cast.actor("sysadmin")) == {
        "institutions": 4,
        "my_institutions": 4,
        "staff": 4,
        "my_staff": 0,
    }
    assert institution_counts(cast.actor("nobody")) == {
        "institutions": 0,
        "my_institutions": 0,
        "staff": 0,
        "my_staff": 0,
    }


def _counts(cast, user):
    by_id = counts_by_region(cast.actor(user))
    codes = dict(Region.objects.values_list("id", "code"))
    return {codes[i]: (c["institutions"], c["staff"]) for i, c in by_id.items()}


def test_it_rolls_counts_up_the_region_tree(cast):
    counts = _counts(cast, "sysadmin")
    assert counts["130638"] == (1, 1)  # Xiongxian county
    assert counts["130600"] == (1, 1)  # Baoding city
    assert counts["131082"] == (1, 1)  # Sanhe
    assert counts["131028"] == (1, 1)  # Dachang
    assert counts["131000"] == (2, 2)  # Langfang city
    assert counts["130000"] == (3, 3)  # Hebei
    assert counts["110112"] == counts["110000"] == (1, 1)
    assert counts["120000"] == (0, 0)
    provinces = [counts[c] for c in ("110000", "120000", "130000")]
    assert tuple(map(sum, zip(*provinces, strict=True))) == (4, 4)


def test_it_counts_an_authority_s_staff_in_its_own_region_only(cast):
    counts = _counts(cast, "beijing")
    assert counts["110000"] == (1, 1)
    assert counts["130000"] == (3, 0)  # the directory of institutions, not of people
    assert institution_counts(cast.actor("beijing"))["staff"] == 1


def test_it_counts_per_region_only_what_the_user_sees(cast):
    teacher = _counts(cast, "teacher")
    assert teacher["130000"] == (3, 1) and teacher["110000"] == (1, 0)
    assert set(_counts(cast, "secadmin").values()) == {(0, 0)}
