"""The auditor's audit log page and API: events in words, filtered by days, actor (a
picker), action and object type, newest first in keyset pages, in a bounded number of
queries — and nobody else's to read."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xietong.accounts import audit
from xietong.accounts.models import AuditEvent
from xietong.api_tests.conftest import Api, assert_error
from xietong.institutions import selectors as registry

AUDIT = reverse("accounts:audit")
API = "/api/accounts/audit"


def _on(day: dt.date, write, *args, **kwargs):
    """Record an event as if on ``day`` at noon in Beijing."""
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    with mock.patch("django.utils.timezone.now", return_value=at):
        return write(*args, **kwargs)


def _page(client, cast, params=None, lang="en", username="auditor"):
    client.force_login(cast.users[username])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client.get(AUDIT, params or {})


@pytest.fixture
def days(cast):
    """Three reveals by sanhe and one sign-in event of tongzhou on three days of November."""
    d1, d2, d3 = dt.date(2026, 11, 2), dt.date(2026, 11, 10), dt.date(2026, 11, 20)
    for day in (d1, d2, d3):
        _on(day, registry.reveal_personal_data, cast.actor("sanhe"), cast.sanhe_teacher.pk)
    _on(d2, audit.record, cast.actor("tongzhou"), "auth.sign_in", target=cast.users["tongzhou"])
    return d1, d2, d3


def test_it_shows_the_auditor_each_event_in_words_in_english_and_in_chinese(client, cast, days):
    en = _page(client, cast).content.decode()
    assert "sanhe revealed the ID number, phone and birth date of 李三河" in en
    assert "tongzhou signed in" in en
    zh = _page(client, cast, lang="zh-hans").content.decode()
    assert "sanhe 查看了 李三河 的身份证号、电话和出生日期" in zh
    assert "tongzhou 登录了系统" in zh


def test_it_filters_by_days_actor_action_and_object_type(client, cast, days):
    d1, d2, d3 = days

    def texts(params):
        html = _page(client, cast, params).content.decode()
        return html.count('data-testid="audit-text"')

    assert texts({"start": d2.isoformat(), "end": d2.isoformat()}) == 2
    assert texts({"start": d2.isoformat()}) == 3
    assert texts({"end": d1.isoformat()}) == 1
    assert texts({"actor": cast.users["tongzhou"].pk}) == 1
    assert texts({"action": "personal_data.read", "start": d3.isoformat()}) == 1
    assert texts({"object_type": "institutions.staff"}) == 3
    assert texts({"object_type": "accounts.user", "start": d1.isoformat()}) == 1


def test_it_filters_the_api_alike_and_names_objects(cast, days):
    d1, d2, _d3 = days
    api = Api(cast)
    body = api.get(API, {"start": d1.isoformat(), "end": d2.isoformat()}, as_="auditor").json()
    assert [e["action"] for e in body["items"]] == [
        "auth.sign_in",
        "personal_data.read",
        "personal_data.read",
    ]
    reveal = body["items"][1]
    assert reveal["text"] == "sanhe revealed the ID number, phone and birth date of 李三河"
    assert reveal["object_name"] == "李三河" and reveal["type_label"] == "staff member"
    zh = api.get(API, {"action": "auth.sign_in"}, as_="auditor", lang="zh-hans").json()
    assert [e["text"] for e in zh["items"]] == ["tongzhou 登录了系统"]


def test_it_refuses_an_unknown_action_and_a_range_that_ends_before_it_starts(client, cast, days):
    html = _page(client, cast, {"start": "2026-11-20", "end": "2026-11-02"}).content.decode()
    assert "The last day comes before the first day." in html
    assert "Correct the filters above to see results." in html
    zh = _page(client, cast, {"start": "2026-11-20", "end": "2026-11-02"}, lang="zh-hans")
    assert zh.status_code == 200 and "结束日期早于开始日期。" in zh.content.decode()
    api = Api(cast)
    body = assert_error(
        api.get(API, {"start": "2026-11-20", "end": "2026-11-02"}, as_="auditor"), 422
    )
    assert body["fields"] == {"end": ["The last day comes before the first day."]}
    assert (
        "action"
        in assert_error(api.get(API, {"action": "drop.tables"}, as_="auditor"), 422)["fields"]
    )
    assert (
        "start" in assert_error(api.get(API, {"start": "30/11/2026"}, as_="auditor"), 422)["fields"]
    )
    assert _page(client, cast, {"start": "9999-12-31", "end": "9999-12-31"}).status_code == 200


def test_it_pages_through_every_event_newest_first_with_a_cursor(client, cast, days):
    for _i in range(25):
        audit.record(cast.actor("sanhe"), "auth.sign_in", target=cast.users["sanhe"])
    html = _page(client, cast, {"page_size": 20}).content.decode()
    assert html.count('data-testid="audit-text"') == 20 and 'data-testid="next-page"' in html
    seen, cursor = [], ""
    api = Api(cast)
    while True:
        body = api.get(API, {"page_size": 20, "cursor": cursor}, as_="auditor").json()
        seen += [e["id"] for e in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert seen == sorted(seen, reverse=True) and len(seen) == AuditEvent.objects.count()


@pytest.mark.parametrize("username", ["secadmin", "sysadmin", "sanhe", "teacher", "nobody"])
def test_it_refuses_the_log_to_anyone_but_the_auditor(client, cast, username):
    assert _page(client, cast, username=username).status_code == 403
    assert_error(Api(cast).get(API, as_=username), 403, "forbidden")


def test_it_offers_the_auditor_accounts_to_pick_as_the_actor_and_others_none(client, cast):
    client.force_login(cast.users["auditor"])
    found = client.get("/api/pickers/audit_actors", {"q": "san"}).json()
    assert [i["label"] for i in found["items"]] == ["sanhe"]
    client.force_login(cast.users["secadmin"])
    assert client.get("/api/pickers/audit_actors", {"q": "san"}).json()["items"] == []


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(AUDIT, {"page_size": 50}).status_code == 200
    return len(ctx.captured_queries)


def test_it_reads_a_page_of_the_log_in_a_bounded_number_of_queries(client, cast, days):
    _page(client, cast)
    few = _queries(client)
    for _i in range(15):
        registry.reveal_personal_data(cast.actor("sanhe"), cast.sanhe_teacher.pk)
        audit.record(cast.actor("tongzhou"), "auth.sign_in", target=cast.users["tongzhou"])
    many = _queries(client)
    # The session, the actor, one page of events, one query per object type named on it.
    assert many == few <= 12
