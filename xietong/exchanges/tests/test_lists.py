"""Exchange lists: the same filters narrow the page and the API alike, in bounded queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from xietong.api_tests.conftest import Api, assert_error
from xietong.conftest import make_staff
from xietong.exchanges import services
from xietong.exchanges.choices import ProgramStatus
from xietong.exchanges.tests.conftest import Ex, program_data

A = "/api/exchanges"


@pytest.fixture
def api(ex: Ex) -> Api:
    return Api(ex.cast)


def _second_program(ex: Ex) -> Any:
    """A second, open program (a draft is seen by its managers only)."""
    data = program_data(
        ex.sanhe_bureau,
        title="三河—天津访学",
        school_term="2024-2025-2",
        starts_on=dt.date(2025, 2, 24),
        ends_on=dt.date(2025, 7, 4),
    )
    program = services.create_program(ex.actor("sanhe"), data)
    return services.set_program_status(ex.actor("sanhe"), program.pk, ProgramStatus.OPEN)


def _applications(ex: Ex, n: int) -> None:
    for i in range(n):
        staff = make_staff(f"教师{i:02d}", ex.cast.sanhe_school, 100 + i, position="teacher")
        services.create_application(
            ex.actor("school_admin"),
            ex.program.pk,
            choices=[ex.offer.pk],
            applicant=staff.pk,
            submit=True,
        )


def test_it_filters_programs_by_term_on_the_page_and_in_the_api(
    client: Any, api: Api, ex: Ex
) -> None:
    second = _second_program(ex)
    body = api.get(f"{A}/programs", {"term": 2}, as_="sanhe").json()
    assert [p["id"] for p in body["items"]] == [second.pk] and body["next"] is None
    client.force_login(ex.cast.users["sanhe"])
    page = client.get(reverse("exchanges:program_list"), {"term": 2}).context["page"]
    assert [p.pk for p in page.object_list] == [second.pk]
    body = assert_error(api.get(f"{A}/programs", {"term": 3}, as_="sanhe"), 422, "invalid")
    assert set(body["fields"]) == {"term"}


def test_it_narrows_a_review_queue_by_teacher_on_the_page_and_in_the_api(
    client: Any, api: Api, ex: Ex, django_assert_max_num_queries: Any
) -> None:
    _applications(ex, 30)
    body = api.get(f"{A}/review/recommend", {"q": "教师1"}, as_="school_admin").json()
    names = sorted(item["applicant"]["name"] for item in body["items"])
    assert names == [f"教师{i}" for i in range(10, 20)]
    client.force_login(ex.cast.users["school_admin"])
    filters = {"q": "教师1", "program": ex.program.pk}
    with django_assert_max_num_queries(14):
        response = client.get(reverse("exchanges:review"), filters)
    assert response.context["recommend"]["page"].paginator.count == 10
    other = _second_program(ex)
    empty = api.get(f"{A}/review/recommend", {"program": other.pk}, as_="school_admin").json()
    assert empty["count"] == 0


def test_it_refuses_an_unknown_queue_and_a_program_outside_the_picker(api: Api, ex: Ex) -> None:
    assert_error(api.get(f"{A}/review/everything", as_="school_admin"), 422, "invalid")
    body = assert_error(
        api.get(f"{A}/placements", {"program": 2**62}, as_="school_admin"), 422, "invalid"
    )
    assert body["fields"]["program"] == ["This choice is not among those you may pick here."]


def test_it_answers_the_review_page_to_htmx_with_the_queues_only(client: Any, ex: Ex) -> None:
    _applications(ex, 2)
    client.force_login(ex.cast.users["school_admin"])
    headers = {"HX-Request": "true", "HX-Target": "results"}
    partial = client.get(reverse("exchanges:review"), {"q": "教师01"}, headers=headers)
    text = partial.content.decode()
    assert "<html" not in text and "教师01" in text and "教师00" not in text
