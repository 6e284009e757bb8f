"""The side navigation's plan section: tasks, indicators, progress reports, reporting
status and the dashboard, together, in that order, each once."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import translation

from xietong.workbench.navigation import items_for

PLAN_ENTRIES = [
    "plan:plans",
    "plan_indicators:list",
    "plan_reports:list",
    "plan_reports:rate",
    "dashboard:overview",
]


def test_the_plan_entries_form_one_ordered_section_without_duplicates(cast):
    items = items_for(cast.actor("beijing"))
    names = [i.url_name for i in items]
    assert len(names) == len(set(names))
    at = [names.index(n) for n in PLAN_ENTRIES]
    assert at == list(range(at[0], at[0] + len(PLAN_ENTRIES)))  # adjacent, in this order
    with translation.override("zh-hans"):
        sections = {str(items[i].section) for i in at}
        labels = [str(items[i].label) for i in at]
    assert sections == {"行动计划"}
    assert labels == ["任务", "指标", "进展报告", "报送情况", "数据看板"]
    others = {str(i.section) for i in items if i.url_name not in PLAN_ENTRIES}
    assert str(items[at[0]].section) not in others


def test_the_section_is_shown_once_in_the_side_navigation(cast):
    c = Client()
    c.force_login(cast.users["beijing"])
    html = c.get(reverse("workbench:home")).content.decode()
    for name in PLAN_ENTRIES:
        assert html.count(f'href="{reverse(name)}"') >= 1
    assert html.count(">数据看板<") == 1
