"""The list of activities: every activity the reader may see, newest first, filtered by
kind, dates, kind of partnership, region and institution through the filter bar, a page
at a time, in a number of queries that does not grow with the rows."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xietong.conftest import region
from xietong.partnerships.choices import ActivityKind, MemberRole, PartnershipKind
from xietong.partnerships.models import Activity
from xietong.partnerships.tests import activity_world as w
from xietong.partnerships.tests.conftest import make_partnership

URL = "/partnerships/activities/"


@pytest.fixture
def world(cast: Any) -> dict[str, Activity]:
    """The two communities' activities (see activity_world) and a lecture of a paired
    assistance between Tongzhou No. 1 and Xiongxian No. 1 managed in 北京市."""
    found = w.world(cast)
    xiongan = make_partnership(
        "通州一中—雄县一中结对帮扶",
        "110000",
        [(cast.tongzhou_school, MemberRole.LEAD), (cast.xiongxian_school, MemberRole.SUPPORTED)],
        kind=PartnershipKind.PAIRED,
    )
    lecture = Activity.objects.create(
        partnership=xiongan,
        kind=ActivityKind.LECTURE,
        title="专题讲座",
        occurred_on=dt.date(2025, 3, 4),
        logged_for=xiongan.members.get(institution=cast.tongzhou_school),
    )
    lecture.institutions.set([cast.tongzhou_school, cast.xiongxian_school])
    return {**found, "lecture": lecture}


def visits(world: dict[str, Activity], n: int, institutions: list[Any]) -> None:
    """``n`` visits 互访00… of the Xiongxian partnership on 2025-04-01."""
    for i in range(n):
        a = Activity.objects.create(
            partnership=world["lecture"].partnership,
            kind=ActivityKind.VISIT,
            title=f"互访{i:02d}",
            occurred_on=dt.date(2025, 4, 1),
        )
        a.institutions.set(institutions)


def titles(client: Any, cast: Any, user: str, **query: Any) -> list[str]:
    client.force_login(cast.users[user])
    client.cookies["django_language"] = "en"
    response = client.get(URL, query)
    assert response.status_code == 200
    page = response.content.decode()
    return re.findall(r'href="/partnerships/activities/\d+/">([^<]+)</a>', page)


def test_it_is_reached_from_the_navigation(client, cast):
    client.force_login(cast.users["school_admin"])
    assert f'href="{URL}"' in client.get(reverse("workbench:home")).content.decode()
    assert reverse("partnerships:activities") == URL


def test_it_lists_only_the_activities_the_reader_may_see_newest_first(client, cast, world):
    assert titles(client, cast, "school_admin") == ["同课异构", "同课异构"]
    assert titles(client, cast, "beijing") == ["专题讲座", "同课异构", "同课异构"]
    page = client.get(URL).content.decode()  # (as beijing, in English)
    assert world["active"].partnership.name in page and "1–3 of 3" in page


def test_it_filters_by_kind_dates_and_kind_of_partnership(client, cast, world):
    assert titles(client, cast, "beijing", kind="lecture") == ["专题讲座"]
    assert titles(client, cast, "beijing", date_from="2025-01-01") == ["专题讲座"]
    assert titles(client, cast, "beijing", date_to="2024-12-31") == ["同课异构", "同课异构"]
    paired = titles(client, cast, "beijing", partnership_kind="paired")
    assert paired == ["专题讲座"]
    research = titles(client, cast, "beijing", partnership_kind="research_community")
    assert research == ["同课异构", "同课异构"]


def test_it_filters_by_region_and_by_institution(client, cast, world):
    xiongxian = region("130638")
    assert titles(client, cast, "beijing", region=xiongxian.pk) == ["专题讲座"]
    assert titles(client, cast, "beijing", region=region("131082").pk) == ["同课异构", "同课异构"]
    assert titles(client, cast, "beijing", institution=cast.xiongxian_school.pk) == ["专题讲座"]
    sanhe = cast.sanhe_school.pk
    assert titles(client, cast, "beijing", institution=sanhe) == ["同课异构", "同课异构"]


def test_a_bad_filter_is_a_message_and_no_list(client, cast, world):
    client.force_login(cast.users["beijing"])
    client.cookies["django_language"] = "en"
    response = client.get(URL, {"date_from": "2024-13-45", "kind": "nonsense"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid date." in page and "Select a valid choice." in page
    assert "Correct the filters above to see results." in page and "同课异构" not in page


def test_it_answers_an_htmx_filter_with_the_results_only(client, cast, world):
    client.force_login(cast.users["beijing"])
    response = client.get(
        URL, {"kind": "lecture"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    page = response.content.decode()
    assert "专题讲座" in page and "<html" not in page


def test_it_pages_the_list(client, cast, world):
    visits(world, 30, [cast.xiongxian_school])
    client.force_login(cast.users["beijing"])
    first = client.get(URL, {"page_size": 20}).content.decode()
    second = client.get(URL, {"page_size": 20, "page": 2}).content.decode()
    assert first.count('data-testid="activity"') == 20
    assert second.count('data-testid="activity"') == 13
    assert "互访29" in first and "同课异构" in second


def test_a_reader_without_partnerships_is_refused(client, cast, world):
    client.force_login(cast.users["teacher"])
    assert client.get(URL).status_code == 403


def test_its_queries_do_not_grow_with_the_rows(client, cast, world):
    client.force_login(cast.users["beijing"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    visits(world, 15, [cast.xiongxian_school, cast.tongzhou_school])
    assert queries() == few
    assert few <= 14


def test_it_speaks_chinese(client, cast, world):
    client.force_login(cast.users["beijing"])
    page = client.get(URL).content.decode()
    assert "合作活动" in page and "合作项目类型" in page
