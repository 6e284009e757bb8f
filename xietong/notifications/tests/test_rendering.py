"""A notification is rendered when it is read: the reader's language, a reversed link."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from xietong.core.compile_messages import compile_all
from xietong.notifications import selectors
from xietong.notifications.models import Notification
from xietong.notifications.services import notify

compile_all()


def test_it_renders_the_same_row_in_chinese_and_in_english(cast: Any) -> None:
    notify(
        [cast.users["teacher"].pk],
        "exchanges.application_approved",
        params={"program": "三河—副中心跟岗研修"},
    )
    teacher = cast.actor("teacher")
    with translation.override("zh-hans"):
        (zh,) = selectors.page_for(teacher, 1, 20).object_list
    with translation.override("en"):
        (en,) = selectors.page_for(teacher, 1, 20).object_list
    assert zh.id == en.id
    assert zh.text == "您报名“三河—副中心跟岗研修”的申请已通过审核。"
    assert en.text == "Your application to “三河—副中心跟岗研修” was approved."


def test_it_translates_codes_stored_in_the_parameters_at_read_time(cast: Any) -> None:
    notify(
        [cast.users["teacher"].pk],
        "exchanges.duty_added",
        params={"kind": "open_lesson", "date": "2025-03-01"},
    )
    teacher = cast.actor("teacher")
    with translation.override("zh-hans"):
        assert selectors.page_for(teacher, 1, 20)[0].text == "返岗任务：2025-03-01 前完成公开课。"
    with translation.override("en"):
        assert selectors.page_for(teacher, 1, 20)[0].text == (
            "Return duty at home: Open lesson by 2025-03-01."
        )


def test_it_links_to_the_page_of_the_target_reversed_when_read(cast: Any) -> None:
    school = cast.sanhe_school
    notify([cast.users["teacher"].pk], "tests.welcome", target=school, params={"name": "李"})
    (n,) = selectors.page_for(cast.actor("teacher"), 1, 20).object_list
    assert n.link == f"/institutions/{school.pk}/"
    assert n.text == "Welcome, 李." and n.code == "tests.welcome"


def test_it_renders_an_unknown_code_as_a_neutral_sentence_without_a_link(cast: Any) -> None:
    Notification.objects.create(
        recipient=cast.users["teacher"],
        code="removedapp.something",
        params={"x": 1},
        target_id=5,
    )
    with translation.override("en"):
        (n,) = selectors.page_for(cast.actor("teacher"), 1, 20).object_list
    assert n.text == "A notice from a part of Xietong that is no longer available."
    assert n.link == ""
    with translation.override("zh-hans"):
        (n,) = selectors.page_for(cast.actor("teacher"), 1, 20).object_list
    assert n.text == "来自协同平台中已停用模块的通知。"


def test_it_renders_parameters_its_kind_cannot_read_as_the_neutral_sentence(cast: Any) -> None:
    Notification.objects.create(
        recipient=cast.users["teacher"], code="exchanges.application_approved", params={}
    )
    with translation.override("en"):
        (n,) = selectors.page_for(cast.actor("teacher"), 1, 20).object_list
    assert n.text == "A notice from a part of Xietong that is no longer available."


def test_it_renders_a_legacy_exchange_notification_with_its_frozen_sentence(cast: Any) -> None:
    notify([cast.users["teacher"].pk], "exchanges.legacy", params={"text": "旧的通知"})
    with translation.override("en"):
        (n,) = selectors.page_for(cast.actor("teacher"), 1, 20).object_list
    assert n.text == "旧的通知" and n.link == ""
