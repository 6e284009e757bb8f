"""GET /api/notifications/, POST /api/notifications/read, GET /api/notifications/unread."""

from __future__ import annotations

from typing import Any

import pytest

from xietong.api_tests.conftest import Api, assert_error
from xietong.core.compile_messages import compile_all
from xietong.notifications.models import Notification
from xietong.notifications.services import notify

compile_all()

N = "/api/notifications"


@pytest.fixture
def api(cast: Any) -> Api:
    return Api(cast)


def test_it_lists_the_callers_notifications_rendered_in_the_callers_language(
    api: Api, cast: Any
) -> None:
    notify([cast.users["teacher"].pk], "exchanges.application_approved",
           params={"program": "跟岗研修"})  # fmt: skip
    notify([cast.users["teacher"].pk], "tests.welcome", target=cast.sanhe_school,
           params={"name": "李"})  # fmt: skip
    notify([cast.users["school_admin"].pk], "tests.welcome", params={"name": "x"})
    en = api.get(f"{N}/", as_="teacher").json()
    assert en["count"] == 2 and en["page"] == 1 and en["pages"] == 1
    welcome, approved = en["items"]  # newest first
    assert welcome["text"] == "Welcome, 李." and welcome["code"] == "tests.welcome"
    assert welcome["link"] == f"/institutions/{cast.sanhe_school.pk}/"
    assert approved["text"] == "Your application to “跟岗研修” was approved."
    assert approved["link"] == "" and approved["read_at"] is None
    zh = api.get(f"{N}/", as_="teacher", lang="zh-hans").json()
    assert zh["items"][1]["text"] == "您报名“跟岗研修”的申请已通过审核。"
    assert zh["items"][1]["id"] == approved["id"]


def test_it_marks_only_the_callers_own_notifications_read(api: Api, cast: Any) -> None:
    notify([cast.users["teacher"].pk, cast.users["school_admin"].pk], "tests.welcome",
           params={"name": "x"})  # fmt: skip
    mine = Notification.objects.get(recipient=cast.users["teacher"]).pk
    theirs = Notification.objects.get(recipient=cast.users["school_admin"]).pk
    assert api.get(f"{N}/unread", as_="teacher").json() == {"unread": 1}
    assert api.post(f"{N}/read", {"ids": [theirs]}, as_="teacher").json() == {"marked": 0}
    assert api.post(f"{N}/read", {"ids": [mine]}, as_="teacher").json() == {"marked": 1}
    assert api.get(f"{N}/unread", as_="teacher").json() == {"unread": 0}
    assert api.get(f"{N}/", {"unread": True}, as_="teacher").json()["count"] == 0
    assert api.get(f"{N}/unread", as_="school_admin").json() == {"unread": 1}
    assert api.post(f"{N}/read", {}, as_="school_admin").json() == {"marked": 1}


def test_it_refuses_bad_input_with_a_message_in_the_callers_language(api: Api, cast: Any) -> None:
    body = assert_error(api.post(f"{N}/read", {"ids": "x"}, as_="teacher"), 422)
    assert body["fields"]["ids"]
    body = assert_error(api.post(f"{N}/read", {"all": True}, as_="teacher", lang="zh-hans"), 422)
    assert body["message"] != "Some fields are not valid."
    assert api.post(f"{N}/read", {"ids": [2**70]}, as_="teacher").json() == {"marked": 0}
    assert_error(api.get(f"{N}/", {"page": 0}, as_="teacher"), 422)
    assert api.get(f"{N}/", {"page": 99}, as_="teacher").json()["page"] == 1
    for path in (f"{N}/", f"{N}/unread"):
        assert_error(api.get(path), 401)
    assert_error(api.post(f"{N}/read", {}), 401)
