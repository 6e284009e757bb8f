"""The notification pages: the list, marking read, following one, the bell's badge."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from xietong.core.compile_messages import compile_all
from xietong.notifications.models import Notification
from xietong.notifications.services import notify

compile_all()

pytestmark = pytest.mark.urls("xietong.urls")


def login(client: Any, cast: Any, username: str, lang: str = "en") -> Any:
    client.force_login(cast.users[username])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def welcome(cast: Any, username: str = "teacher", **kw: Any) -> Notification:
    notify([cast.users[username].pk], "tests.welcome", params={"name": "李"}, **kw)
    return Notification.objects.filter(recipient=cast.users[username]).latest("pk")


def test_it_lists_the_readers_notifications_in_the_language_of_the_page(
    client: Any, cast: Any
) -> None:
    notify([cast.users["teacher"].pk], "exchanges.application_approved",
           params={"program": "跟岗研修"})  # fmt: skip
    welcome(cast, "school_admin")
    c = login(client, cast, "teacher", lang="zh-hans")
    page = html(c.get(reverse("notifications:list")))
    assert "您报名“跟岗研修”的申请已通过审核。" in page
    assert "Welcome" not in page  # the school admin's
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Your application to “跟岗研修” was approved." in html(
        c.get(reverse("notifications:list"))
    )


def test_it_filters_to_unread_notifications(client: Any, cast: Any) -> None:
    n = welcome(cast)
    notify([cast.users["teacher"].pk], "tests.external", params={"url": "/x/"})
    Notification.objects.filter(pk=n.pk).update(read_at="2025-01-01T00:00:00Z")
    c = login(client, cast, "teacher")
    page = html(c.get(reverse("notifications:list"), {"unread": "1"}))
    assert "see elsewhere" in page and "Welcome" not in page
    assert "Welcome" in html(c.get(reverse("notifications:list")))


def test_it_follows_a_notification_to_its_target_and_marks_it_read(client: Any, cast: Any) -> None:
    n = welcome(cast, target=cast.sanhe_school)
    c = login(client, cast, "teacher")
    r = c.post(reverse("notifications:open", args=[n.pk]))
    assert r.status_code == 302 and r["Location"] == f"/institutions/{cast.sanhe_school.pk}/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_it_never_follows_a_link_off_the_site(client: Any, cast: Any) -> None:
    for url in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil"):
        notify([cast.users["teacher"].pk], "tests.external", params={"url": url})
        n = Notification.objects.latest("pk")
        r = login(client, cast, "teacher").post(reverse("notifications:open", args=[n.pk]))
        assert r["Location"] == reverse("notifications:list"), url


def test_it_refuses_to_open_someone_elses_notification(client: Any, cast: Any) -> None:
    n = welcome(cast, "school_admin", target=cast.sanhe_school)
    c = login(client, cast, "teacher")
    assert c.post(reverse("notifications:open", args=[n.pk])).status_code == 404
    assert c.post(reverse("notifications:open", args=[2**63 + 5])).status_code == 404
    n.refresh_from_db()
    assert n.read_at is None
    assert c.get(reverse("notifications:open", args=[n.pk])).status_code == 405


def test_it_marks_one_or_all_read_and_returns_only_to_this_site(client: Any, cast: Any) -> None:
    first, second = welcome(cast), welcome(cast)
    other = welcome(cast, "school_admin")
    c = login(client, cast, "teacher")
    r = c.post(reverse("notifications:read"), {"id": [first.pk, other.pk], "next": "/exchanges/"})
    assert r.status_code == 302 and r["Location"] == "/exchanges/"
    assert Notification.objects.filter(read_at__isnull=False).get() == first
    r = c.post(reverse("notifications:read"), {"next": "https://evil.example/"}, follow=True)
    assert r.redirect_chain[0][0] == reverse("notifications:list")
    assert "1 notifications marked as read." in html(r)
    second.refresh_from_db()
    other.refresh_from_db()
    assert second.read_at is not None and other.read_at is None
    assert c.post(reverse("notifications:read"), {"id": ["x", "9" * 30]}).status_code == 302


def test_it_counts_unread_notifications_on_the_bells_badge(client: Any, cast: Any) -> None:
    c = login(client, cast, "teacher")
    assert 'data-testid="unread-count"' not in html(c.get(reverse("notifications:badge")))
    welcome(cast)
    welcome(cast)
    welcome(cast, "school_admin")
    badge = html(c.get(reverse("notifications:badge")))
    assert 'data-testid="unread-count">2<' in badge
    page = html(c.get(reverse("workbench:home")))
    assert 'data-testid="bell"' in page and reverse("notifications:badge") in page


def test_it_asks_a_visitor_to_sign_in(client: Any, cast: Any) -> None:
    for name in ("notifications:list", "notifications:badge"):
        r = client.get(reverse(name))
        assert r.status_code == 302 and "login" in r["Location"]


def test_it_shows_notifications_in_the_navigation(client: Any, cast: Any) -> None:
    page = html(login(client, cast, "nobody").get(reverse("notifications:list")))
    assert f'href="{reverse("notifications:list")}"' in page
