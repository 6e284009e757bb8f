"""Code tables: one parser for names and codes, labels by language, tables in step with code."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from xietong.core.codefields import CodeField, CodeListField
from xietong.core.codes import (
    HONOURS,
    STAGES,
    SUBJECTS,
    TABLES,
    TITLES,
    CodeError,
    normalise_stored,
    parse_code,
    parse_codes,
)
from xietong.institutions.choices import Honour, Stage, Title


def test_it_ships_the_stages_titles_and_honours_the_code_names() -> None:
    assert STAGES.codes() == list(Stage.values)
    assert TITLES.codes() == list(Title.values)
    assert HONOURS.codes() == list(Honour.values)
    zh = [e.zh for e in STAGES.entries]
    assert zh == ["学前", "小学", "初中", "高中", "中职", "高职", "本科", "研究生"]


def test_it_uses_the_national_curriculum_codes_for_school_subjects() -> None:
    national = {"语文": "13", "数学": "14", "英语": "41", "物理": "16", "化学": "17"}
    national |= {"生物": "18", "历史": "21", "地理": "20", "科学": "15", "信息技术": "26"}
    national |= {"音乐": "24", "美术": "25", "体育与健康": "22", "通用技术": "27"}
    national |= {"日语": "42", "俄语": "43", "道德与法治": "12", "思想政治": "12", "劳动": "62"}
    assert {name: SUBJECTS.lookup(name) for name in national} == national
    assert (
        SUBJECTS.lookup(
            "心理健康",
        )
        == "X01"
        and SUBJECTS.lookup("特殊教育") == "X02"
    )


@pytest.mark.parametrize("table", list(TABLES.values()), ids=list(TABLES))
def test_it_gives_every_name_and_alias_exactly_one_code(table: Any) -> None:
    codes = table.codes()
    assert len(codes) == len(set(codes)) and all(codes)
    for e in table.entries:
        assert e.zh and e.en
        for name in (e.code, e.zh, e.en, *e.aliases):
            assert table.lookup(name) == e.code, name


@pytest.mark.parametrize(
    "value",
    [
        "语文、数学",
        "语文,数学",
        "语文，数学",
        "语文；数学",
        "语文/数学",
        "语文 数学",
        "Chinese; Mathematics",
        ["13", "14"],
        ["语文", "数学"],
        ["Chinese", "maths"],
        ["语文、数学"],
        "13 14 13",
        "ＭＡＴＨＳ、语文",
    ],
)
def test_it_reads_chinese_and_mathematics_from_every_spelling(value: Any) -> None:
    assert sorted(parse_codes(SUBJECTS, value)) == ["13", "14"]


def test_it_reads_a_name_with_spaces_whole_and_keeps_the_order() -> None:
    assert parse_codes(SUBJECTS, "Physical education and health, 语文") == ["22", "13"]
    assert parse_codes(SUBJECTS, None) == parse_codes(SUBJECTS, "") == []
    assert parse_code(TITLES, "高级教师") == "senior"


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("语文、炼金术", ["炼金术"]),
        (["Alchemy", "数学", "占星"], ["Alchemy", "占星"]),
        ("数学 魔法", ["魔法"]),
        ({"a": 1}, ["{'a': 1}"]),
    ],
)
def test_it_refuses_unknown_entries_naming_them_in_both_languages(value: Any, named: Any) -> None:
    for language, prefix in (("zh-hans", "未知的学科"), ("en", "Unknown subjects")):
        with translation.override(language), pytest.raises(CodeError) as e:
            parse_codes(SUBJECTS, value)
        with translation.override(language):
            message = str(e.value.message)
        assert message.startswith(prefix)
        assert all(name in message for name in named)
        assert e.value.unknown == named


def test_it_refuses_a_list_too_long_to_be_meant() -> None:
    with pytest.raises(CodeError):
        parse_codes(SUBJECTS, ["语文"] * 51)


def test_it_refuses_several_codes_where_one_is_expected() -> None:
    with translation.override("en"), pytest.raises(CodeError) as e:
        parse_code(SUBJECTS, "语文、数学")
    with translation.override("en"):
        assert str(e.value.message) == "Give exactly one subject."


@given(st.lists(st.sampled_from(SUBJECTS.entries), max_size=6), st.sampled_from(["zh", "en"]))
def test_it_parses_its_own_labels_back_to_the_codes(entries: Any, language: str) -> None:
    codes = list(dict.fromkeys(e.code for e in entries))
    names = [e.zh if language == "zh" else e.en for e in entries]
    assert parse_codes(SUBJECTS, names) == codes
    assert parse_codes(SUBJECTS, "、".join(names)) == codes


def test_it_labels_codes_in_the_readers_language() -> None:
    with translation.override("zh-hans"):
        assert SUBJECTS.labelled(["13", "X9"]) == [
            {"code": "13", "label": "语文"},
            {"code": "X9", "label": "X9"},  # unknown codes show as themselves
        ]
        assert dict(STAGES.choices())["primary"] == "小学"
    with translation.override("en"):
        assert SUBJECTS.labels(["13", "14"]) == ["Chinese", "Mathematics"]


def test_it_turns_stored_names_into_codes_and_keeps_unknown_ones() -> None:
    assert normalise_stored(SUBJECTS, ",数学,思想政治,道德与法治,") == (",14,12,", [])
    assert normalise_stored(SUBJECTS, ",数学,炼金术,") == (",14,炼金术,", ["炼金术"])


class _Form(forms.Form):
    subjects = CodeListField(SUBJECTS)
    title = CodeField(TITLES, required=False)


def test_its_form_fields_read_the_same_spellings_and_refuse_with_the_names() -> None:
    form = _Form({"subjects": ["语文、数学"], "title": "一级"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"subjects": ["13", "14"], "title": "first"}
    with translation.override("zh-hans"):
        form = _Form({"subjects": ["语文", "炼金术"]})
        assert not form.is_valid() and "炼金术" in form.errors["subjects"][0]
    with translation.override("en"):
        assert 'value="13"' in str(_Form()["subjects"]) and ">Chinese<" in str(_Form()["subjects"])
