"""The partnership list: the page and the API take the same filters and agree on the rows;
bad filters get the same specific message; a list costs a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from xietong.conftest import Cast, make_institution, region
from xietong.partnerships.choices import MemberRole, PartnershipKind, PartnershipStatus
from xietong.partnerships.tests.conftest import make_partnership

K = PartnershipKind


@pytest.fixture
def rows(cast: Cast) -> dict[str, Any]:
    """Five partnerships managed in 北京市 (the ``beijing`` user manages them all)."""
    uni_a = make_institution("首都师范大学", "110108", kind="university")
    uni_b = make_institution("河北师范大学", "130100", kind="university")
    return {
        "paired": make_partnership(
            "通州一中—三河实验结对",
            "110000",
            [(cast.tongzhou_school, MemberRole.LEAD), (cast.sanhe_school, MemberRole.SUPPORTED)],
            starts_on=dt.date(2022, 9, 1),
            ends_on=dt.date(2024, 8, 31),
        ),
        "xiongan": make_partnership(
            "通州一中—雄县一中合作办学",
            "110000",
            [
                (cast.tongzhou_school, MemberRole.LEAD),
                (cast.xiongxian_school, MemberRole.SUPPORTED),
            ],
            kind=K.COOPERATIVE,
            starts_on=dt.date(2024, 9, 1),
        ),
        "alliance": make_partnership(
            "京津冀师范院校联盟",
            "110000",
            [(uni_a, MemberRole.LEAD), (uni_b, MemberRole.MEMBER)],
            kind=K.UNIVERSITY_ALLIANCE,
            alliance_type="normal",
        ),
        "ended": make_partnership(
            "已结束的教研共同体",
            "110000",
            [(cast.tongzhou_school, MemberRole.LEAD), (cast.sanhe_branch, MemberRole.MEMBER)],
            kind=K.RESEARCH_COMMUNITY,
            status=PartnershipStatus.ENDED,
        ),
        "draft": make_partnership(
            "草稿结对",
            "110000",
            [(cast.tongzhou_school, MemberRole.LEAD), (cast.sanhe_school, MemberRole.SUPPORTED)],
            status=PartnershipStatus.DRAFT,
        ),
    }


def _page_names(client: Client, query: dict[str, Any]) -> set[str]:
    response = client.get(
        "/partnerships/", query, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    return set(re.findall(r'href="/partnerships/\d+/">([^<]+)</a>', html))


def _api_names(client: Client, query: dict[str, Any]) -> set[str]:
    response = client.get("/api/partnerships", {**query, "page_size": 100})
    assert response.status_code == 200, response.content
    return {item["name"] for item in response.json()["items"]}


def queries(cast: Cast, rows: dict[str, Any]) -> list[tuple[dict[str, Any], set[str]]]:
    tz, sanhe = cast.tongzhou_school, region("131082")
    return [
        ({}, {r.name for k, r in rows.items()}),
        ({"kind": K.PAIRED}, {rows["paired"].name, rows["draft"].name}),
        ({"status": PartnershipStatus.ENDED}, {rows["ended"].name}),
        ({"region": sanhe.pk}, {rows["paired"].name, rows["draft"].name}),
        ({"region": region("130000").pk}, {r.name for k, r in rows.items()}),
        ({"institution": cast.xiongxian_school.pk}, {rows["xiongan"].name}),
        ({"institution": tz.pk, "kind": K.COOPERATIVE}, {rows["xiongan"].name}),
        ({"q": "联盟"}, {rows["alliance"].name}),
        ({"active_on": "2023-03-01"}, {rows["paired"].name}),
        (
            {"active_on": "2025-01-01"},
            {rows[k].name for k in ("xiongan", "alliance", "ended", "draft")},
        ),
    ]


def test_the_page_and_the_api_list_the_same_partnerships_for_every_filter(cast, rows):
    client = Client()
    client.force_login(cast.users["beijing"])
    for query, expected in queries(cast, rows):
        assert _page_names(client, query) == expected, query
        assert _api_names(client, query) == expected, query


def test_a_member_admin_sees_its_partnerships_but_not_the_drafts(cast, rows):
    client = Client()
    client.force_login(cast.users["school_admin"])
    expected = {rows["paired"].name, rows["ended"].name}  # the branch's parent admin too
    assert _page_names(client, {}) == _api_names(client, {}) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"kind": "nonsense"}, "kind"),
        ({"active_on": "2024-13-40"}, "active_on"),
        ({"region": 999999999}, "region"),
    ],
)
def test_it_refuses_a_bad_filter_with_the_same_message_on_the_page_and_in_the_api(
    cast, rows, query, field
):
    client = Client()
    client.force_login(cast.users["beijing"])
    api = client.get("/api/partnerships", query)
    assert api.status_code == 422
    [message] = api.json()["fields"][field]
    page = client.get("/partnerships/", query)
    assert page.status_code == 200
    assert escape(message) in page.content.decode()


def test_the_list_costs_the_same_queries_for_two_rows_as_for_five(cast, rows):
    client = Client()
    client.force_login(cast.users["beijing"])
    client.get("/partnerships/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/partnerships", {"kind": K.PAIRED})
    with CaptureQueriesContext(connection) as many:
        client.get("/api/partnerships")
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as page:
        client.get("/partnerships/")
    assert len(page) < 30
