"""The text side of search: tokens, pinyin with surnames, and reading queries safely."""

from __future__ import annotations

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from xietong.resources import search_text as t

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
SAFE_TERM = re.compile(r"^[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+$")


def test_it_indexes_the_initials_and_the_full_pinyin_of_a_phrase():
    tokens = set(t.document("北京四中名师示范课：一元二次方程").tokens.split())
    assert {"mssfk", "mingshishifanke", "yyecfc", "名师", "示范"} <= tokens


def test_it_indexes_shuxue_for_a_subject_named_in_the_labels():
    doc = t.document("一元二次方程", labels=["数学"])
    assert "shuxue" in doc.tokens.split()
    assert " shuxue " not in doc.title_tokens  # the title does not say 数学


def test_it_reads_surnames_as_surnames_before_a_title():
    for surname, reading in [
        ("曾", "zeng"),
        ("单", "shan"),
        ("解", "xie"),
        ("仇", "qiu"),
        ("朴", "piao"),
    ]:
        words = t.segment(f"{surname}老师的数学课")
        assert t.word_syllables(words)[0][0] == reading, surname


def test_it_reads_a_persons_name_with_its_surname():
    assert t.name_syllables("曾红梅") == ("zeng", "hong", "mei")
    assert t.name_syllables("尉迟恭")[:2] == ("yu", "chi")
    assert "zenghongmei" in t.document("数学", names=["曾红梅"]).tokens.split()


def test_it_keeps_the_usual_reading_of_a_word_that_is_not_a_name():
    assert t.word_syllables(["曾经"]) == [("ceng", "jing")]


@given(st.text(CJK, min_size=1, max_size=30), st.data())
def test_it_indexes_the_grams_of_every_substring(text, data):
    i = data.draw(st.integers(0, len(text) - 1))
    j = data.draw(st.integers(i + 1, len(text)))
    assert set(t.query_grams(text[i:j])) <= t.grams(text)


def test_it_classifies_the_terms_of_a_query():
    q = t.analyse("数学 mssfk shuxue 初二3班 2024")
    assert [(x.text, x.kind) for x in q.terms] == [
        ("数学", "chinese"),
        ("mssfk", "initials"),
        ("shuxue", "pinyin"),
        ("初二3班", "mixed"),
        ("2024", "word"),
    ]


def test_it_finds_nothing_to_search_in_punctuation():
    for text in ["", "   ", "？！……", "*:&|!()\"'", "—— 、。"]:
        assert t.analyse(text).empty, text


def test_it_drops_operator_words_and_syntax():
    q = t.analyse('数学 AND "物理" OR NOT NEAR 化学*')
    assert [x.text for x in q.terms] == ["数学", "物理", "化学"]
    assert q.dropped == ("AND", "OR", "NOT", "NEAR")


def test_it_caps_a_long_query_quickly():
    started = time.perf_counter()
    q = t.analyse("数学" * 5000)
    assert time.perf_counter() - started < 0.5
    assert q.truncated and len(q.terms) == 1 and len(q.terms[0].text) == t.MAX_TERM_CHARS
    many = t.analyse(" ".join(f"词{i}" for i in range(50)))
    assert many.truncated and len(many.terms) == t.MAX_TERMS


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_it_reads_any_text_into_safe_terms(text):
    q = t.analyse(text)
    assert len(q.terms) <= t.MAX_TERMS
    for term in q.terms:
        assert SAFE_TERM.match(term.text), term
        assert 0 < len(term.text) <= t.MAX_TERM_CHARS
