"""Two versions compared side by side: field by field, clause by clause, with insertions
and deletions marked up and every text escaped; characters are the unit of Chinese."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from xietong.partnerships.agreements.compare import compare_versions, inline_diff, tokens


def version(**changes):
    data = {
        "title": "结对帮扶协议",
        "starts_on": dt.date(2024, 9, 1),
        "ends_on": None,
        "note": "",
        "clauses": [
            {"heading": "一、目标", "text": "每学期互访一次"},
            {"heading": "二、期限", "text": "三年"},
        ],
    }
    data.update(changes)
    return SimpleNamespace(**data)


def test_chinese_is_cut_into_characters_and_english_into_words():
    assert tokens("互访 two days") == ["互", "访", " ", "two", " ", "days"]
    assert tokens("每学期2人") == ["每", "学", "期", "2", "人"]


def test_a_changed_chinese_character_is_marked_alone():
    left, right = inline_diff("每学期互访一次", "每学期互访两次")
    assert str(left) == "每学期互访<del>一</del>次"
    assert str(right) == "每学期互访<ins>两</ins>次"


def test_a_changed_english_word_is_marked_as_a_word():
    left, right = inline_diff("visit once a term", "visit twice a term")
    assert str(left) == "visit <del>once</del> a term"
    assert str(right) == "visit <ins>twice</ins> a term"


def test_markup_in_the_text_is_escaped():
    left, right = inline_diff("", "<script>alert(1)</script>")
    assert str(right) == "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>"
    left, right = inline_diff("<b>a</b>", "<b>a</b>")
    assert str(left) == "&lt;b&gt;a&lt;/b&gt;"


def test_identical_versions_give_rows_that_are_all_the_same():
    rows = compare_versions(version(), version())
    assert [r.status for r in rows] == ["same"] * 6
    assert [r.key for r in rows][:4] == ["title", "starts_on", "ends_on", "note"]


def test_fields_and_clauses_that_changed_are_marked_changed():
    b = version(
        ends_on=dt.date(2027, 8, 31),
        note="改为两次",
        clauses=[
            {"heading": "一、目标", "text": "每学期互访两次"},
            {"heading": "二、期限", "text": "三年"},
        ],
    )
    rows = {r.key: r for r in compare_versions(version(), b)}
    assert rows["title"].status == "same"
    assert rows["ends_on"].status == "changed"
    assert rows["ends_on"].left == "—" and rows["ends_on"].right == "2027-08-31"
    assert rows["clause:1"].status == "changed" and rows["clause:1"].label == "一、目标"
    assert "<ins>两</ins>" in str(rows["clause:1"].right_html)
    assert rows["clause:2"].status == "same"


def test_an_added_clause_and_a_removed_clause_are_one_sided_rows():
    b = version(
        clauses=[
            {"heading": "一、目标", "text": "每学期互访一次"},
            {"heading": "三、经费", "text": "各自承担"},
        ]
    )
    a = version(
        clauses=[
            {"heading": "一、目标", "text": "每学期互访一次"},
            {"heading": "二、期限", "text": "三年"},
            {"heading": "四、附则", "text": "一式两份"},
        ]
    )
    rows = [r for r in compare_versions(a, b) if r.kind == "clause"]
    statuses = [(r.label, r.status) for r in rows]
    assert ("一、目标", "same") in statuses
    assert ("四、附则", "removed") in statuses
    removed = next(r for r in rows if r.status == "removed")
    assert removed.right is None and str(removed.left_html).startswith("<del>")


def test_the_rows_serialise_for_the_api():
    row = compare_versions(version(), version(title="新协议"))[0]
    d = row.as_dict()
    assert d["status"] == "changed" and d["left"] == "结对帮扶协议" and "<ins>" in d["right_html"]
