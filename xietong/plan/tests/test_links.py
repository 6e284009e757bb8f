"""Linking records to the tasks they serve: who may, bad input, and where links show."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from xietong.accounts.models import AuditEvent
from xietong.conftest import Cast, make_institution
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.partnerships.choices import MemberRole, PartnershipStatus
from xietong.partnerships.models import Partnership
from xietong.partnerships.tests.conftest import make_partnership
from xietong.plan.models import TaskLink
from xietong.plan.services import links

PAIR = "通州一中—三河实验结对帮扶"


@pytest.fixture
def pair(cast: Cast) -> Partnership:
    return make_partnership(
        PAIR,
        "131082",
        [(cast.tongzhou_school, MemberRole.LEAD), (cast.sanhe_school, MemberRole.SUPPORTED)],
    )


def client_of(cast: Cast, user: str) -> Client:
    c = Client()
    c.force_login(cast.users[user])
    return c


def test_it_links_a_partnership_and_audits_it(cast, plan_world, pair):
    row = links.link(cast.actor("beijing"), plan_world.task.pk, "partnership", pair.pk)
    assert row.record == pair
    assert AuditEvent.objects.filter(action="plan.link.add", object_id=str(row.pk)).exists()
    links.unlink(cast.actor("beijing"), row.pk)
    assert not TaskLink.objects.exists()
    assert AuditEvent.objects.filter(action="plan.link.remove").exists()


@pytest.mark.parametrize(
    ("kind", "record", "error"),
    [
        ("nonsense", 1, InvalidInput),
        ("partnership", "abc", InvalidInput),
        ("partnership", 999999, InvalidInput),
    ],
)
def test_it_refuses_an_unknown_kind_or_record_and_links_nothing(
    cast, plan_world, pair, kind, record, error
):
    with pytest.raises(error):
        links.link(cast.actor("beijing"), plan_world.task.pk, kind, record)
    assert not TaskLink.objects.exists()


def test_it_refuses_to_link_the_same_record_twice(cast, plan_world, pair):
    links.link(cast.actor("beijing"), plan_world.task.pk, "partnership", pair.pk)
    with pytest.raises(Conflict, match="已关联到任务"):
        links.link(cast.actor("sanhe"), plan_world.task.pk, "partnership", pair.pk)
    assert TaskLink.objects.count() == 1


def test_it_hides_a_draft_record_from_those_who_may_not_read_it(cast, plan_world, pair):
    pair.status = PartnershipStatus.DRAFT
    pair.save()
    with pytest.raises(InvalidInput, match="您看不到"):
        links.link(cast.actor("beijing"), plan_world.task.pk, "partnership", pair.pk)


def test_it_answers_a_task_that_does_not_exist_with_not_found(cast, pair):
    with pytest.raises(NotFound):
        links.link(cast.actor("beijing"), 999999, "partnership", pair.pk)


def test_it_lists_only_the_linked_records_the_reader_may_read_grouped_by_kind(
    cast, plan_world, pair
):
    links.link(cast.actor("beijing"), plan_world.task.pk, "partnership", pair.pk)
    draft = make_partnership("三河草案", "131082", [], status=PartnershipStatus.DRAFT)
    TaskLink.objects.create(
        task=plan_world.task,
        record_type=ContentType.objects.get_for_model(Partnership),
        record_id=draft.pk,
    )
    page = client_of(cast, "hebei_viewer").get(reverse("plan:task", args=[plan_world.task.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="links-partnership"' in html and PAIR in html
    assert "三河草案" not in html
    own = client_of(cast, "sanhe").get(reverse("plan:task", args=[plan_world.task.pk]))
    assert "三河草案" in own.content.decode()


def test_it_shows_the_tasks_a_partnership_serves_on_its_page_with_a_form(cast, plan_world, pair):
    links.link(cast.actor("beijing"), plan_world.task.pk, "partnership", pair.pk)
    html = client_of(cast, "sanhe").get(reverse("partnerships:detail", args=[pair.pk])).content
    text = html.decode()
    assert 'data-testid="plan-tasks"' in text and plan_world.task.title in text
    assert 'data-testid="link-to-task"' in text  # sanhe manages the partnership
    # ... and links it to the other task from there
    response = client_of(cast, "sanhe").post(
        reverse("plan:link_record", args=["partnership", pair.pk]),
        {"task": plan_world.other_task.pk, "next": reverse("partnerships:detail", args=[pair.pk])},
    )
    assert response.status_code == 302
    assert TaskLink.objects.filter(task=plan_world.other_task, record_id=pair.pk).exists()
    school = client_of(cast, "school_admin").get(reverse("partnerships:detail", args=[pair.pk]))
    assert 'data-testid="link-to-task"' not in school.content.decode()


def test_it_says_a_bad_task_on_the_record_page_form_plainly(cast, plan_world, pair):
    c = client_of(cast, "sanhe")
    for task in ("", "abc", "999999"):
        response = c.post(
            reverse("plan:link_record", args=["partnership", pair.pk]), {"task": task}, follow=True
        )
        assert response.status_code == 200
        assert "请选择规划中的一项任务" in response.content.decode()
    assert not TaskLink.objects.exists()


def test_it_shows_the_tasks_an_exchange_program_serves_and_lets_its_managers_link_it(
    cast, plan_world
):
    from xietong.exchanges import services as ex_services
    from xietong.exchanges.choices import ProgramStatus
    from xietong.exchanges.tests.conftest import program_data

    bureau = make_institution("三河市教育局", "131082", kind="authority", stages="")
    program = ex_services.create_program(cast.actor("sanhe"), program_data(bureau))
    ex_services.set_program_status(cast.actor("sanhe"), program.pk, ProgramStatus.OPEN)
    links.link(cast.actor("sanhe"), plan_world.task.pk, "program", program.pk)
    page = client_of(cast, "sanhe").get(reverse("exchanges:program_detail", args=[program.pk]))
    text = page.content.decode()
    assert 'data-testid="plan-tasks"' in text and plan_world.task.title in text
    with pytest.raises(PermissionDenied):
        links.link(cast.actor("hebei_viewer"), plan_world.other_task.pk, "program", program.pk)


def test_a_link_goes_when_its_record_is_deleted(cast, plan_world, pair):
    links.link(cast.actor("beijing"), plan_world.task.pk, "partnership", pair.pk)
    type(pair).objects.filter(pk=pair.pk).delete()
    assert not TaskLink.objects.exists()
