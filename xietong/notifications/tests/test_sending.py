"""notify(): distinct recipients in one insert, registered codes, JSON parameters."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xietong.notifications.models import Notification
from xietong.notifications.services import Notice, mark_read, notify, notify_each


def test_it_sends_one_notification_per_distinct_recipient_in_one_insert(
    cast: Any, django_assert_num_queries: Any
) -> None:
    t, s = cast.users["teacher"].pk, cast.users["school_admin"].pk
    notify([t], "tests.welcome", target=cast.sanhe_school, params={"name": "x"})  # warm caches
    with django_assert_num_queries(1):
        sent = notify([t, s, t, None], "tests.welcome", target=cast.sanhe_school,
                      params={"name": "李"})  # fmt: skip
    assert sent == 2
    rows = Notification.objects.filter(params={"name": "李"}).order_by("recipient_id")
    assert [r.recipient_id for r in rows] == sorted([t, s])
    assert all(r.target == cast.sanhe_school for r in rows)


def test_it_refuses_an_unregistered_code(cast: Any) -> None:
    with pytest.raises(ValueError, match="not registered"):
        notify([cast.users["teacher"].pk], "exchanges.no_such_thing")
    assert not Notification.objects.exists()


def test_it_refuses_parameters_that_are_not_plain_json(cast: Any) -> None:
    with pytest.raises(ValueError, match="not plain JSON"):
        notify([cast.users["teacher"].pk], "tests.welcome", params={"name": object()})
    with pytest.raises(ValueError, match="not plain JSON"):
        notify([cast.users["teacher"].pk], "tests.welcome", params={"when": (1, 2)})
    assert not Notification.objects.exists()


def test_it_refuses_a_target_of_another_model_than_its_kind_points_at(cast: Any) -> None:
    with pytest.raises(ValueError, match=r"points at institutions\.institution"):
        notify([cast.users["teacher"].pk], "tests.welcome", target=cast.sanhe_teacher)


def test_it_sends_notices_of_different_kinds_and_targets_in_one_insert(cast: Any) -> None:
    t = cast.users["teacher"].pk
    notify([t], "tests.welcome", target=cast.sanhe_school, params={"name": "x"})  # warm caches
    notices = [
        Notice(t, "tests.welcome", cast.tongzhou_school, {"name": "a"}),
        Notice(t, "tests.welcome", cast.sanhe_school, {"name": "b"}),
        Notice(t, "tests.welcome", cast.sanhe_school, {"name": "again"}),  # same: once
        Notice(None, "tests.welcome", cast.sanhe_school, {"name": "nobody"}),
    ]
    with CaptureQueriesContext(connection) as ctx:
        assert notify_each(notices) == 2
    # One INSERT (COPY on PostgreSQL) inside core.bulk's savepoint, whatever the number.
    writes = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"].upper()]
    assert len(writes) == 1  # executemany on SQLite is logged once, as "2 times: INSERT …"
    assert 'INTO "notifications_notification"' in writes[0] or "COPY" in writes[0]


def test_it_marks_only_the_readers_own_notifications_read(cast: Any) -> None:
    t, s = cast.users["teacher"], cast.users["school_admin"]
    notify([t.pk, s.pk], "tests.welcome", params={"name": "x"})
    mine = Notification.objects.get(recipient=t)
    theirs = Notification.objects.get(recipient=s)
    assert mark_read(cast.actor("teacher"), [theirs.pk]) == 0
    assert mark_read(cast.actor("teacher"), [mine.pk, 2**70, -1]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert mark_read(cast.actor("school_admin")) == 1
    assert mark_read(cast.actor("school_admin")) == 0
