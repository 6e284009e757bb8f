"""Loading a plan from its data file: everything checked, all or nothing, idempotent."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from xietong.access import system_actor
from xietong.accounts.models import AuditEvent
from xietong.conftest import make_institution
from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.plan.loader import load_plan
from xietong.plan.models import Indicator, IndicatorValue, Plan, Section, Task, TaskBody

DATA = Path(__file__).resolve().parents[1] / "data"
FILES = ("shisanwu-2017.json", "jjj-2018-2020.json", "jjj-2023-2025.json")


def read(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture
def operator() -> Any:
    return system_actor("test")


def load_all(actor: Any) -> list[Plan]:
    return [load_plan(actor, read(name)) for name in FILES]


def refusal(actor: Any, data: dict[str, Any], lang: str = "en") -> list[str]:
    with translation.override(lang), pytest.raises(InvalidInput) as e:
        load_plan(actor, data)
    return e.value.fields["plan"]


def test_it_loads_the_plan_and_its_predecessors_with_every_measure(named, operator):
    old, mid, plan = load_all(operator)
    assert plan.predecessor == mid and mid.predecessor == old
    assert sorted(s.name for s in plan.signatories.all()) == sorted(
        ["北京市教育委员会", "天津市教育委员会", "河北省教育厅"]
    )
    assert plan.sections.filter(parent=None).count() == 2
    assert plan.sections.exclude(parent=None).count() == 6
    assert plan.tasks.count() == len(read("jjj-2023-2025.json")["tasks"]) == 22
    xiongan = plan.tasks.filter(target_group__key="xiongan")
    assert xiongan.count() == 5
    bjtu = plan.tasks.get(code="2.2.1")
    assert {b.institution.name for b in bjtu.bodies.all()} >= {
        "北京交通大学",
        "北京交通大学唐山研究院",
    }
    assert all(plan.starts_on <= t.deadline <= plan.ends_on for t in plan.tasks.all())
    assert "202" in mid.outcomes
    shadowing = Indicator.objects.get(key="jjj23-hebei-shadowing")
    assert shadowing.reporter.name == "河北省教育厅"
    assert list(shadowing.values.values_list("period", "value")) == [("2024", 100), ("2025", 250)]


def test_it_keeps_published_figures_on_reported_indicators_apart_from_computed_ones(
    named, operator
):
    load_all(operator)
    plan = Indicator.objects.filter(tasks__plan__key="jjj-2023-2025").distinct()
    computed = plan.filter(source="computed")
    assert computed.exists()
    assert not IndicatorValue.objects.filter(indicator__in=computed).exists()
    published = IndicatorValue.objects.filter(indicator__tasks__plan__key="jjj-2023-2025")
    assert {v.indicator.source for v in published} == {"reported"}
    assert {v.origin for v in published} == {"published"}
    schools = Indicator.objects.get(key="jjj23-cooperating-hebei")
    assert (schools.baseline, schools.baseline_period, schools.target) == (273, "2023Q4", 496)
    assert "规划未提出数字" in schools.description
    reported = Indicator.objects.get(key="jjj23-cooperating-hebei-reported")
    assert list(reported.values.values_list("period", "value")) == [
        ("2023Q4", 273),
        ("2024Q2", 370),
        ("2025Q4", 496),
    ]
    names = list(plan.values_list("name", flat=True))
    assert len(names) == len(set(names))
    measures = [(i.numerator, i.denominator, str(i.params)) for i in computed]
    assert len(measures) == len(set(measures))


def test_it_changes_nothing_when_the_same_files_are_loaded_again(named, operator):
    load_all(operator)
    counts = [m.objects.count() for m in (Plan, Section, Task, TaskBody, Indicator, IndicatorValue)]
    load_all(operator)
    again = [m.objects.count() for m in (Plan, Section, Task, TaskBody, Indicator, IndicatorValue)]
    assert again == counts
    assert AuditEvent.objects.filter(action="plan.plan.load").count() == 3  # once each


def test_it_updates_a_task_by_its_code_and_drops_a_body_no_longer_named(named, operator):
    load_all(operator)
    data = read("jjj-2023-2025.json")
    task = next(t for t in data["tasks"] if t["code"] == "1.1.4")
    task["title"] = "改过的标题"
    task["co_bodies"] = ["天津市第一中学"]
    load_plan(operator, data)
    t = Task.objects.get(plan__key="jjj-2023-2025", code="1.1.4")
    assert t.title == "改过的标题"
    assert {(b.institution.name, b.role) for b in t.bodies.all()} == {
        ("天津市教育委员会", "responsible"),
        ("天津市第一中学", "co_responsible"),
    }


def shadowing(data: dict[str, Any]) -> dict[str, Any]:
    """The reported indicator with published history in ``data``."""
    return next(i for i in data["indicators"] if i["key"] == "jjj23-hebei-shadowing")


def _mid(operator: Any) -> dict[str, Any]:
    load_plan(operator, read("shisanwu-2017.json"))
    load_plan(operator, read("jjj-2018-2020.json"))
    return read("jjj-2023-2025.json")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["tasks"][0].update(deadline="2026-03-31"), "outside the plan's period"),
        (lambda d: d["tasks"][0].update(deadline="2023-09-30"), "outside the plan's period"),
        (lambda d: d["tasks"][0].update(deadline="2025-13-01"), "is not a date"),
        (lambda d: d["tasks"][0]["bodies"].append("不存在的教育局"), "no institution is named"),
        (lambda d: d["signatories"].append("不存在的教委"), "no institution is named"),
        (lambda d: d["tasks"][0].update(section="九"), "there is no section"),
        (lambda d: d["tasks"][0].update(target_group="nowhere"), "no region group has the key"),
        (lambda d: d["tasks"][0].update(target_region="999999"), "no region has the code"),
        (lambda d: d["tasks"][1].update(code=d["tasks"][0]["code"]), "the code is used twice"),
        (lambda d: d["tasks"][0].update(bodies=[]), "needs a responsible body"),
        (lambda d: d["indicators"][6].update(target=120), "more than 100 percent"),
        (lambda d: d["indicators"][0].update(target=300.5), "a count has no decimals"),
        (lambda d: d["indicators"][0].update(baseline=-1), "is negative"),
        (
            lambda d: d["indicators"][0].update(numerator="partnerships.nonsense"),
            "not a registered metric",
        ),
        (lambda d: d["indicators"][6].update(denominator=""), "needs a denominator"),
        (
            lambda d: d["indicators"][0].update(params={"kind": "nonsense"}),
            "is not a value of kind",
        ),
        (lambda d: d["indicators"][0].update(unit="dozens"), "is not a unit"),
        (lambda d: d["indicators"][0].update(tasks=["9.9.9"]), "there is no task 9.9.9"),
        (lambda d: shadowing(d).update(reporter=""), "needs the body that reports it"),
        (lambda d: shadowing(d)["history"][0].update(period="2024Q5"), "is not a period"),
        (lambda d: shadowing(d)["history"][0].update(value=12.5), "a count has no decimals"),
        (lambda d: d.update(predecessor="jjj-1990"), "is not loaded"),
        (lambda d: d.update(ends_on="2020-01-01"), "ends before it starts"),
    ],
)
def test_it_refuses_a_file_with_a_problem_and_writes_nothing(named, operator, change, message):
    data = _mid(operator)
    before = Task.objects.count(), Indicator.objects.count(), Plan.objects.count()
    change(data)
    problems = refusal(operator, data)
    assert any(message in p for p in problems), problems
    assert (Task.objects.count(), Indicator.objects.count(), Plan.objects.count()) == before


def test_it_names_every_problem_of_a_file_at_once(named, operator):
    data = _mid(operator)
    data["tasks"][0]["deadline"] = "2026-01-01"
    data["indicators"][6]["target"] = 101
    assert len(refusal(operator, copy.deepcopy(data))) == 2


def test_it_says_the_problems_in_chinese_for_a_chinese_reader(named, operator):
    data = _mid(operator)
    data["tasks"][0]["deadline"] = "2026-01-01"
    problems = refusal(operator, data, "zh-hans")
    assert "不在规划期" in problems[0]


def test_it_lets_only_plan_managers_and_operators_load_a_plan(cast, named):
    with pytest.raises(PermissionDenied):
        load_plan(cast.actor("school_admin"), read("shisanwu-2017.json"))
    assert not Plan.objects.exists()


def test_it_refuses_a_file_that_is_not_an_object(operator, db):
    with pytest.raises(InvalidInput):
        load_plan(operator, [])  # type: ignore[arg-type]


def test_it_tells_two_institutions_of_one_name_apart_by_refusing(named, operator):
    make_institution("天津市第一中学", "120102", kind="senior", stages=",senior,")
    problems = refusal(operator, _mid(operator))
    assert any("more than one institution" in p for p in problems)
