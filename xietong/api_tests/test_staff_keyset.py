"""The staff list pages by (name, id) with an opaque cursor, on the page and in the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from xietong.api_tests.conftest import Api, assert_error
from xietong.conftest import make_id_number
from xietong.core.paging import encode_cursor
from xietong.institutions.models import Institution, Staff
from xietong.institutions.personal_data import sealed_fields

STAFF = "/institutions/staff/"


def _same_names(n: int = 45) -> None:
    """Many staff sharing three names, so the id must break the ties."""
    inst = Institution.objects.get(name="Sanhe Experimental")
    birth = dt.date(1988, 5, 1)
    Staff.objects.bulk_create(
        Staff(
            name=("张伟", "王芳", "李娜")[i % 3],
            gender="M",
            birth_date=birth,
            **sealed_fields(make_id_number("131082", birth, 300 + i)),
            institution=inst,
            joined_on=dt.date(2015, 9, 1),
        )
        for i in range(n)
    )


def test_it_walks_every_staff_member_once_in_name_order_through_the_api(
    api: Api, cast: Any
) -> None:
    _same_names()
    seen: list[tuple[str, int]] = []
    cursor = ""
    for _page in range(10):
        body = api.get("/api/staff/", {"page_size": 20, "cursor": cursor}, as_="sysadmin").json()
        assert set(body) == {"items", "next_cursor", "page_size"}
        seen += [(item["name"], item["id"]) for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    expected = sorted(Staff.objects.values_list("name", "id"))
    assert seen == expected and len(seen) == Staff.objects.count() == 49


def test_it_offers_the_next_page_on_the_web_and_a_way_back(client: Client, cast: Any) -> None:
    _same_names()
    client.force_login(cast.users["sysadmin"])
    first = client.get(STAFF, {"page_size": 20})
    page = first.context["page"]
    assert len(page.object_list) == 20 and page.next_cursor
    second = client.get(STAFF, {"page_size": 20, "cursor": page.next_cursor})
    names = [(s.name, s.pk) for s in second.context["page"].object_list]
    assert names == sorted(Staff.objects.values_list("name", "id"))[20:40]
    assert 'data-testid="next-page"' in second.content.decode()
    assert "page_size=20" in second.content.decode()  # the filters ride along


def test_it_answers_a_broken_cursor_with_a_message_not_an_error(
    client: Client, api: Api, cast: Any
) -> None:
    body = assert_error(api.get("/api/staff/", {"cursor": "@@@"}, as_="sysadmin"), 422, "invalid")
    assert body["fields"]["cursor"] == [
        "This page address is not valid; start from the first page."
    ]
    forged = encode_cursor([1, "x"])
    assert_error(api.get("/api/staff/", {"cursor": forged}, as_="sysadmin"), 422, "invalid")
    client.force_login(cast.users["sysadmin"])
    client.cookies["django_language"] = "en"
    response = client.get(STAFF, {"cursor": "@@@"})
    assert response.status_code == 200
    assert "This page address is not valid" in response.content.decode()


def test_it_keeps_a_cursor_page_to_a_bounded_number_of_queries(
    api: Api, cast: Any, django_assert_max_num_queries: Any
) -> None:
    _same_names()
    api.get("/api/accounts/me", as_="sysadmin")
    cursor = api.get("/api/staff/", {"page_size": 20}, as_="sysadmin").json()["next_cursor"]
    with django_assert_max_num_queries(6):
        body = api.get("/api/staff/", {"page_size": 20, "cursor": cursor}, as_="sysadmin").json()
    assert len(body["items"]) == 20
