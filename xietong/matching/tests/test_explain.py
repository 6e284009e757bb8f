from __future__ import annotations

import pytest
from hypothesis import given, settings

from xietong.matching import MatchingInputError, explain, stable_match
from xietong.matching.explain import _en_ordinal
from xietong.matching.tests import Instance, instances, to_csr

# Applicants 张三 (0), 李四 (1), 王五 (2), 赵六 (3); hosts 北京四中 (0, 2 places),
# 天津一中 (1, 1 place), 石家庄二中 (2, 1 place, lists only 李四), 雄安一中 (3, no places).
APPS = [[3, 2, 0, 1], [0], [0, 1], [1]]
HOSTS = [[1, 2, 0], [3, 0, 2], [1], [0]]
CAPS = [2, 1, 1, 0]
ZH_APPS = ["张三", "李四", "王五", "赵六"]
ZH_HOSTS = ["北京四中", "天津一中", "石家庄二中", "雄安一中"]
EN_APPS = ["Zhang San", "Li Si", "Wang Wu", "Zhao Liu"]
EN_HOSTS = [
    "Beijing No. 4 High School",
    "Tianjin No. 1 Middle School",
    "Shijiazhuang No. 2 Middle School",
    "Xiong'an No. 1 Middle School",
]


def result() -> list[int]:
    return stable_match(APPS, HOSTS, CAPS).tolist()


def test_the_example_instance_has_the_expected_stable_matching() -> None:
    assert result() == [-1, 0, 0, 1]


def test_it_explains_every_choice_of_an_unassigned_applicant_in_chinese() -> None:
    assert explain(0, APPS, HOSTS, CAPS, result(), ZH_APPS, ZH_HOSTS) == [
        "第1志愿 雄安一中：没有名额。",
        "第2志愿 石家庄二中：该校未将您列入可接受名单。",
        "第3志愿 北京四中：有2个名额，均已分配给该校排序更靠前的申请人（李四、王五）。",
        "第4志愿 天津一中：有1个名额，已分配给该校排序更靠前的申请人（赵六）。",
    ]


def test_it_explains_every_choice_of_an_unassigned_applicant_in_english() -> None:
    assert explain(0, APPS, HOSTS, CAPS, result(), EN_APPS, EN_HOSTS, lang="en") == [
        "Your first choice Xiong'an No. 1 Middle School had no places.",
        "Your second choice Shijiazhuang No. 2 Middle School did not list you as an "
        "acceptable applicant.",
        "Your third choice Beijing No. 4 High School had 2 places; both went to applicants it "
        "ranks higher: Li Si, Wang Wu.",
        "Your fourth choice Tianjin No. 1 Middle School had 1 place; it went to an applicant "
        "it ranks higher: Zhao Liu.",
    ]


def test_it_stops_at_the_host_the_applicant_was_admitted_to() -> None:
    assert explain(2, APPS, HOSTS, CAPS, result(), ZH_APPS, ZH_HOSTS) == [
        "第1志愿 北京四中：录取。"
    ]
    assert explain(1, APPS, HOSTS, CAPS, result(), EN_APPS, EN_HOSTS, lang="en") == [
        "Your first choice Beijing No. 4 High School: admitted."
    ]


def test_it_explains_the_choices_above_a_lower_choice_admission() -> None:
    apps = [[0, 1], [0], [0]]
    hosts = [[1, 2, 0], [0]]
    assignment = stable_match(apps, hosts, [2, 1]).tolist()
    assert assignment == [1, 0, 0]
    assert explain(0, apps, hosts, [2, 1], assignment, lang="en") == [
        "Your first choice host 0 had 2 places; both went to applicants it ranks higher: "
        "applicant 1, applicant 2.",
        "Your second choice host 1: admitted.",
    ]
    assert explain(0, apps, hosts, [2, 1], assignment) == [
        "第1志愿 单位0：有2个名额，均已分配给该校排序更靠前的申请人（申请人1、申请人2）。",
        "第2志愿 单位1：录取。",
    ]


def test_it_names_all_holders_of_a_large_host_in_the_hosts_order() -> None:
    apps = [[0]] * 4
    hosts = [[3, 1, 2, 0]]
    assignment = stable_match(apps, hosts, [3]).tolist()
    assert explain(0, apps, hosts, [3], assignment, EN_APPS, lang="en") == [
        "Your first choice host 0 had 3 places; all 3 went to applicants it ranks higher: "
        "Zhao Liu, Li Si, Wang Wu."
    ]


def test_it_says_so_when_the_applicant_ranked_nothing() -> None:
    assert explain(0, [[]], [[0]], [1], [-1]) == ["您没有填报任何志愿。"]
    assert explain(0, [[]], [[0]], [1], [-1], lang="en") == ["You did not rank any host."]


def test_it_points_out_a_free_place_when_the_assignment_is_not_stable() -> None:
    sentences = explain(0, [[0, 1]], [[0], [0]], [2, 1], [1], lang="en")
    assert sentences[0] == (
        "Your first choice host 0 had 2 places and 2 are still free, so you should have been "
        "admitted (this assignment is not stable)."
    )
    assert explain(0, [[0, 1]], [[0], [0]], [1, 1], [1])[0] == (
        "第1志愿 单位0：有1个名额，仍有1个空缺，您本应被录取（该分配结果不稳定）。"
    )


def test_it_points_out_a_lower_ranked_holder_when_the_assignment_is_not_stable() -> None:
    apps, hosts = [[0], [0]], [[0, 1]]
    assert explain(0, apps, hosts, [1], [-1, 0], ["A", "B"], lang="en") == [
        "Your first choice host 0 had 1 place but admitted applicants it ranks below you: B, "
        "so you should have been admitted (this assignment is not stable)."
    ]
    assert explain(0, apps, hosts, [1], [-1, 0], ["甲", "乙"]) == [
        "第1志愿 单位0：有1个名额，但录取了该校排序在您之后的申请人（乙），您本应被录取"
        "（该分配结果不稳定）。"
    ]


def test_it_accepts_csr_input_and_name_mappings() -> None:
    sentences = explain(
        3, to_csr(APPS), to_csr(HOSTS), CAPS, result(), {3: "赵六"}, {1: "天津一中"}
    )
    assert sentences == ["第1志愿 天津一中：录取。"]


@pytest.mark.parametrize(
    ("n", "word"),
    [(1, "first"), (10, "tenth"), (11, "11th"), (12, "12th"), (13, "13th"), (21, "21st"),
     (22, "22nd"), (23, "23rd"), (101, "101st"), (111, "111th")],
)  # fmt: skip
def test_it_spells_english_ordinals(n: int, word: str) -> None:
    assert _en_ordinal(n) == word


def test_it_rejects_an_unknown_language() -> None:
    with pytest.raises(MatchingInputError, match='lang must be "zh" or "en", got \'fr\''):
        explain(0, APPS, HOSTS, CAPS, result(), lang="fr")


@pytest.mark.parametrize("applicant", [-1, 4])
def test_it_rejects_an_applicant_index_out_of_range(applicant: int) -> None:
    with pytest.raises(MatchingInputError, match=f"applicant {applicant} is out of range"):
        explain(applicant, APPS, HOSTS, CAPS, result())


def test_it_rejects_a_non_integer_applicant() -> None:
    with pytest.raises(MatchingInputError, match="applicant must be an integer index"):
        explain("0", APPS, HOSTS, CAPS, result())  # type: ignore[arg-type]


def test_it_rejects_an_assignment_to_a_host_the_applicant_did_not_rank() -> None:
    with pytest.raises(MatchingInputError, match=r"assignment\[1\] = 1 is a host that"):
        explain(1, APPS, HOSTS, CAPS, [-1, 1, 0, 1])


@settings(max_examples=150, deadline=None)
@given(instances())
def test_it_explains_a_stable_matching_without_any_instability_sentence(inst: Instance) -> None:
    assignment = stable_match(inst.applicant_prefs, inst.host_prefs, inst.capacities).tolist()
    for a, prefs in enumerate(inst.applicant_prefs):
        for lang, admitted, unstable in (
            ("zh", "录取。", "不稳定"),
            ("en", "admitted.", "not stable"),
        ):
            sentences = explain(
                a, inst.applicant_prefs, inst.host_prefs, inst.capacities, assignment, lang=lang
            )
            if not prefs:
                assert len(sentences) == 1
                continue
            expected = prefs.index(assignment[a]) + 1 if assignment[a] != -1 else len(prefs)
            assert len(sentences) == expected
            assert sum(s.endswith(admitted) for s in sentences) == (assignment[a] != -1)
            assert not any(unstable in s for s in sentences)
