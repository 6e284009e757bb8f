"""The access rules of the plan's tasks as one table, through services, API and pages.

``beijing`` acts for 北京市教委, a signatory: it manages both tasks. ``tongzhou``,
``sanhe`` and ``hebei_viewer`` read them as authorities; ``sanhe`` manages the
partnership registered in 三河市, so it may link that record (and unlink its link).
``school_admin`` reads ``task`` only, as the admin of its co-responsible Sanhe
Experimental. Cells: ``Y`` allowed · ``F`` forbidden · ``H`` hidden.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from xietong import access
from xietong.access.testing import Api, Matrix, Verb
from xietong.conftest import Cast
from xietong.partnerships.choices import MemberRole
from xietong.partnerships.models import Partnership
from xietong.partnerships.tests.conftest import make_partnership
from xietong.plan import selectors
from xietong.plan.models import Indicator, Plan, Section, Task, TaskBody, TaskLink
from xietong.plan.services import links, tasks

A = "/api/plan"

TABLE = """
user          object  read edit link unlink
beijing       task    Y    Y    Y    Y
beijing       other   Y    Y    Y    Y
tongzhou      task    Y    F    F    F
sanhe         task    Y    F    Y    Y
sanhe         other   Y    F    Y    Y
hebei_viewer  task    Y    F    F    F
school_admin  task    Y    F    F    F
school_admin  other   H    H    H    H
teacher       task    H    H    H    H
sysadmin      task    H    H    H    H
nobody        task    H    H    H    H
"""

RECORDS: dict[str, Partnership] = {}


def _ct() -> ContentType:
    return ContentType.objects.get_for_model(Partnership)


def _link_of(t: Task) -> TaskLink:
    return TaskLink.objects.get(task=t, record_id=RECORDS["linked"].pk, record_type=_ct())


def _linked_new(t: Task | None) -> bool:
    fresh = RECORDS["fresh"].pk
    return t is not None and t.links.filter(record_id=fresh, record_type=_ct()).exists()


def _unlinked(t: Task | None) -> bool:
    linked = RECORDS["linked"].pk
    return t is not None and not t.links.filter(record_id=linked, record_type=_ct()).exists()


def _page(t: Task) -> str:
    return reverse("plan:task", args=[t.pk])


VERBS = {
    "read": Verb(
        "read",
        service=lambda a, t: selectors.task_detail(a, t.pk),
        api=lambda t: ("get", f"{A}/tasks/{t.pk}", None),
        page=_page,
    ),
    "edit": Verb(
        "edit",
        action="edit",
        service=lambda a, t: tasks.update_task(a, t.pk, tasks.TaskIn(title="改名")),
        done=lambda t: t is not None and t.title == "改名",
        api=lambda t: ("patch", f"{A}/tasks/{t.pk}", {"title": "改名"}),
        page=_page,
        marker=lambda t: 'data-testid="edit"',
        form=lambda t: reverse("plan:task_edit", args=[t.pk]),
    ),
    "link": Verb(
        "link",
        service=lambda a, t: links.link(a, t.pk, "partnership", RECORDS["fresh"].pk),
        done=_linked_new,
        api=lambda t: (
            "post",
            f"{A}/links",
            {"task": t.pk, "kind": "partnership", "record": RECORDS["fresh"].pk},
        ),
        post=lambda t: (
            reverse("plan:link_add", args=[t.pk]),
            {"kind": "partnership", "record": RECORDS["fresh"].pk},
        ),
    ),
    "unlink": Verb(
        "unlink",
        service=lambda a, t: links.unlink(a, _link_of(t).pk),
        done=_unlinked,
        api=lambda t: ("delete", f"{A}/links/{_link_of(t).pk}", None),
        post=lambda t: (reverse("plan:link_remove", args=[_link_of(t).pk]), {}),
    ),
}
MATRIX = Matrix(TABLE, VERBS)


@pytest.fixture
def world(cast: Cast, plan_world: Any) -> dict[str, Task]:
    pair = [(cast.tongzhou_school, MemberRole.LEAD), (cast.sanhe_school, MemberRole.SUPPORTED)]
    RECORDS["linked"] = make_partnership("通州一中—三河实验结对帮扶", "131082", pair)
    RECORDS["fresh"] = make_partnership("通州一中—三河实验教研共同体", "131082", pair)
    for t in (plan_world.task, plan_world.other_task):
        TaskLink.objects.create(task=t, record_type=_ct(), record_id=RECORDS["linked"].pk)
    return {"task": plan_world.task, "other": plan_world.other_task}


def test_it_allows_through_the_services_exactly_what_the_table_says(cast, world):
    wrong = MATRIX.check_services(cast.actor, world)
    assert wrong == [], "\n".join(wrong)


def test_it_answers_through_the_api_exactly_what_the_table_says(cast, world):
    wrong = MATRIX.check_api(Api(cast.actor), world)
    assert wrong == [], "\n".join(wrong)


def test_it_shows_pages_and_buttons_exactly_where_the_table_says(cast, world):
    login = lambda client, user: client.force_login(cast.users[user])  # noqa: E731
    wrong = MATRIX.check_web(login, world)
    assert wrong == [], "\n".join(wrong)


def test_it_reads_the_plan_its_sections_bodies_and_indicators_as_it_reads_the_task(
    cast, plan_world
):
    ind = Indicator.objects.create(key="t-ind", name="指标", source="reported", unit="count")
    ind.tasks.add(plan_world.task)
    for user, sees in [
        ("beijing", True),
        ("hebei_viewer", True),
        ("school_admin", True),
        ("teacher", False),
        ("nobody", False),
    ]:
        actor = cast.actor(user)
        for model, obj in [
            (Plan, plan_world.plan),
            (Section, plan_world.task.section),
            (TaskBody, plan_world.task.bodies.first()),
            (Indicator, ind),
        ]:
            assert access.can_read(actor, obj) is sees, (user, model.__name__)
    school = cast.actor("school_admin")
    assert not access.can_read(school, plan_world.other)


def test_it_lets_only_the_admins_of_the_signatories_manage_the_plan(cast, plan_world):
    assert "edit" in access.actions(cast.actor("beijing"), plan_world.plan)
    for user in ("tongzhou", "sanhe", "hebei_viewer", "school_admin"):
        assert "edit" not in access.actions(cast.actor(user), plan_world.plan), user


def test_it_lets_the_admin_of_an_authority_body_act_for_it_and_not_the_authorities_above(
    cast, plan_world
):
    from xietong.conftest import make_institution
    from xietong.plan.access import body_admin_of
    from xietong.plan.choices import BodyRole

    sanhe_bureau = make_institution("三河市教育局", "131082", kind="authority", stages="")
    TaskBody.objects.create(
        task=plan_world.task, institution=sanhe_bureau, role=BodyRole.CO_RESPONSIBLE
    )
    assert [b.institution for b in body_admin_of(cast.actor("sanhe"), plan_world.task)] == [
        sanhe_bureau
    ]
    # 北京市 covers no Hebei body; 河北省's viewer acts for none; the school admin for its school.
    assert body_admin_of(cast.actor("beijing"), plan_world.task) == []
    assert body_admin_of(cast.actor("hebei_viewer"), plan_world.task) == []
    assert [b.institution for b in body_admin_of(cast.actor("school_admin"), plan_world.task)] == [
        cast.sanhe_school
    ]


def test_it_names_every_declared_verb_of_tasks_in_its_table():
    assert set(access.policy_for(Task).verbs) == {"edit", "link"}
    assert set(access.policy_for(TaskLink).verbs) == {"delete"}
