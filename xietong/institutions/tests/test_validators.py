"""The resident ID number (GB 11643), the school identifier (学校标识码) and phone numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from xietong.institutions.validators import (
    birth_date_from_id,
    gender_from_id,
    id_check_char,
    school_code_province,
    validate_id_number,
    validate_phone,
    validate_school_code,
)


def code_of(validator, value):
    with pytest.raises(ValidationError) as refused:
        validator(value)
    return refused.value.code


# --- ID numbers ---------------------------------------------------------------------------


def test_it_accepts_the_standards_example_id_number():
    validate_id_number("11010519491231002X")  # the example of GB 11643-1999
    assert birth_date_from_id("11010519491231002X") == dt.date(1949, 12, 31)
    assert gender_from_id("11010519491231002X") == "F"


def test_it_accepts_a_lower_case_check_character_and_surrounding_spaces():
    validate_id_number(" 11010519491231002x ")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "id_format"),
        ("11010519491231002", "id_format"),
        ("11010519491231002XX", "id_format"),
        ("1101051949123100ZX", "id_format"),
        ("X10105194912310021", "id_format"),
        ("110105194912310021", "id_checksum"),
        ("110105194902300026", "id_birth_date"),  # 30 February 1949
        ("110105194913310023", "id_birth_date"),  # month 13
    ],
)
def test_it_refuses_an_invalid_id_number(value, code):
    assert code_of(validate_id_number, value) == code


def test_it_refuses_a_birth_date_in_the_future():
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    first17 = f"110105{tomorrow:%Y%m%d}002"
    assert code_of(validate_id_number, first17 + id_check_char(first17)) == "id_birth_date"


def test_it_derives_gender_from_the_seventeenth_digit():
    first17 = "11010519800101001"  # odd: male
    assert gender_from_id(first17 + id_check_char(first17)) == "M"


id_bodies = st.builds(
    lambda region, born, seq: f"{region}{born:%Y%m%d}{seq:03d}",
    st.sampled_from(["110105", "120116", "130638", "131082"]),
    st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2010, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


@settings(deadline=None)  # pure and fast; no flaky deadline on a busy machine
@given(body=id_bodies)
def test_it_accepts_every_well_formed_id_number(body):
    number = body + id_check_char(body)
    validate_id_number(number)
    assert birth_date_from_id(number).strftime("%Y%m%d") == body[6:14]


@settings(deadline=None)
@given(body=id_bodies, position=st.integers(min_value=0, max_value=17), data=st.data())
def test_it_refuses_any_single_character_change_of_an_id_number(body, position, data):
    number = body + id_check_char(body)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(ValidationError):
        validate_id_number(changed)


# --- school identifiers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "province"),
    [
        ("4111010004", "11"),  # 北京交通大学
        ("4112010056", "12"),  # 天津大学
        ("4113010075", "13"),  # 河北大学
        ("2113012345", "13"),  # a primary school in Hebei
        ("1111010001", "11"),  # a kindergarten in Beijing
        ("3612000001", "12"),  # a secondary vocational school in Tianjin
    ],
)
def test_it_reads_the_province_from_a_school_identifier(value, province):
    validate_school_code(value)
    assert school_code_province(value) == province


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "school_code_format"),
        ("211301234", "school_code_format"),
        ("21130123456", "school_code_format"),
        ("21130123A5", "school_code_format"),
        ("2113 12345", "school_code_format"),
        ("0013012345", "school_code_category"),
        ("9913012345", "school_code_category"),
        ("2131012345", "school_code_province"),  # Shanghai
        ("4144010001", "school_code_province"),  # Guangdong
    ],
)
def test_it_refuses_an_invalid_school_identifier(value, code):
    assert code_of(validate_school_code, value) == code


# --- phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["13800000000", "19912345678", "010-12345678", "031612345678"])
def test_it_accepts_mobile_and_landline_numbers(value):
    validate_phone(value)


@pytest.mark.parametrize(
    "value", ["", "12345678901", "1380000000", "138000000000", "+8613800000000"]
)
def test_it_refuses_other_phone_numbers(value):
    assert code_of(validate_phone, value) == "phone"
