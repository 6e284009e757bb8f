"""The staff name search: one or two characters find names that start with them (a
surname), three or more find them anywhere in the name (decision 0012)."""

from __future__ import annotations

import pytest
from django.utils import translation

from xietong.conftest import make_staff
from xietong.institutions.forms import StaffFilterForm
from xietong.institutions.selectors import StaffFilters, staff_for


@pytest.fixture
def named(cast):
    make_staff("欧阳建国", cast.sanhe_school, 11)
    make_staff("建国", cast.sanhe_school, 12)
    make_staff("Anna Li", cast.sanhe_school, 13, male=False)
    make_staff("李安娜", cast.sanhe_school, 14, male=False)
    return cast


def names(cast, q, user="sysadmin"):
    return sorted(s.name for s in staff_for(cast.actor(user), StaffFilters(q=q)))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("欧", ["欧阳建国"]),
        ("欧阳", ["欧阳建国"]),
        ("建国", ["建国"]),  # not 欧阳建国: two characters are a surname
        ("阳建国", ["欧阳建国"]),  # three characters anywhere
        ("李", ["李三河", "李安娜"]),
        ("安娜", []),
        ("李安娜", ["李安娜"]),
    ],
)
def test_it_finds_one_or_two_characters_at_the_start_and_three_anywhere(named, q, expected):
    assert names(named, q) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("an", ["Anna Li"]),
        ("AN", ["Anna Li"]),
        ("A", ["Anna Li"]),
        ("li", []),
        ("a l", ["Anna Li"]),
    ],
)
def test_it_matches_latin_letters_in_either_case(named, q, expected):
    assert names(named, q) == expected


def test_it_searches_only_the_staff_the_user_may_see(named):
    assert names(named, "欧阳", user="beijing") == []
    assert names(named, "欧阳", user="sanhe") == ["欧阳建国"]


def test_the_search_box_explains_the_rule_in_both_languages(db):
    with translation.override("en"):
        field = StaffFilterForm().fields["q"]
        assert "3+" in str(field.widget.attrs["placeholder"])
        assert "start" in str(field.help_text)
    with translation.override("zh-hans"):
        field = StaffFilterForm().fields["q"]
        assert "姓" in str(field.widget.attrs["placeholder"])
        assert "开头" in str(field.help_text)


def test_a_surname_search_is_a_range_of_the_name_index_not_a_pattern(named):
    sql = str(staff_for(named.actor("sanhe"), StaffFilters(q="王")).query)
    assert '"institutions_staff"."name" >= 王' in sql
    assert '"name" LIKE' not in sql and 'UPPER("institutions_staff"."name")' not in sql


def test_the_staff_page_s_search_box_carries_the_rule_in_chinese(client, cast):
    client.force_login(cast.users["sysadmin"])  # pages speak Chinese by default
    html = client.get("/institutions/staff/").content.decode()
    box = html[html.index('name="q"') - 400 : html.index('name="q"') + 400]
    assert "姓氏" in box and "开头" in box  # the placeholder and the title
    assert 'aria-describedby="id_q_help"' in box and 'id="id_q_help"' in html
