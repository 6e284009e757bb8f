"""The demo's plan step: the shipped plans, and the named records linked to their tasks."""

from __future__ import annotations

from xietong.demo import partnerships as demo_partnerships
from xietong.demo import plan as demo_plan
from xietong.demo.users import ensure_demo_users
from xietong.plan.models import Plan, TaskLink


def test_it_loads_the_plans_and_links_the_named_partnerships_to_their_tasks(named):
    ensure_demo_users()
    demo_partnerships.load_partnerships()
    first = demo_plan.load()
    assert first.plans == 3 and first.linked > 0
    assert Plan.objects.get(key="jjj-2023-2025").tasks.count() == 22

    def linked(code: str) -> set[str]:
        rows = TaskLink.objects.filter(task__plan__key="jjj-2023-2025", task__code=code)
        return {str(x.record) for x in rows}

    assert any(n.startswith("建三：") for n in linked("1.1.2"))
    assert any(n.startswith("援四：") for n in linked("1.1.3"))
    assert "北京交通大学唐山研究院" in linked("2.2.1")
    assert any(n.startswith("通州—") for n in linked("1.2.1"))
    assert demo_plan.load().linked == 0  # the second time links nothing new


def test_it_loads_the_plan_again_without_undoing_the_demo_figures(named):
    from xietong.accounts.models import AuditEvent
    from xietong.demo import plan_history
    from xietong.plan.models import Indicator

    ensure_demo_users()
    demo_partnerships.load_partnerships()
    demo_plan.load()
    assert plan_history.load().scaled == 2  # no demo population: below scale 1.0
    i = Indicator.objects.get(key="jjj23-cooperating-bj-tj")
    first = i.values.get(period="2023Q4", scope="", stage="").value
    assert (i.baseline, i.baseline_period) == (first, "2023Q4") and i.baseline != 202
    assert "演示数据" in i.description
    loads = AuditEvent.objects.filter(action="plan.plan.load").count()
    demo_plan.load()
    i.refresh_from_db()
    assert (i.baseline, i.baseline_period) == (first, "2023Q4") and "演示数据" in i.description
    assert AuditEvent.objects.filter(action="plan.plan.load").count() == loads
    assert plan_history.load().scaled == 0
