"""The security admin's workbench: locked accounts with the way to unlock them, accounts
that must change their password, deactivated ones, and security alerts."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from xietong.accounts.alerts import raise_alert
from xietong.accounts.models import User
from xietong.workbench.tests.conftest import count, english


def home(client, cast) -> str:
    client.force_login(cast.users["secadmin"])
    english(client)
    return client.get(reverse("workbench:home")).content.decode()


def test_it_lists_a_locked_account_with_a_link_to_unlock_it(client, cast):
    User.objects.filter(username="teacher").update(
        locked_until=timezone.now() + dt.timedelta(minutes=30)
    )
    html = home(client, cast)
    assert count(html, "locked") == 1
    assert f'href="{reverse("accounts:user_detail", args=[cast.users["teacher"].pk])}"' in html
    assert 'data-testid="unlock-teacher"' in html
    assert f"{reverse('accounts:users')}?state=locked" in html


def test_it_lists_only_locked_accounts_when_the_users_page_is_filtered(client, cast):
    User.objects.filter(username="teacher").update(
        locked_until=timezone.now() + dt.timedelta(minutes=30)
    )
    client.force_login(cast.users["secadmin"])
    html = client.get(reverse("accounts:users"), {"state": "locked"}).content.decode()
    assert ">teacher<" in html and ">sanhe<" not in html


def test_it_counts_accounts_that_must_change_the_password_or_are_deactivated(client, cast):
    User.objects.filter(username__in=["sanhe", "beijing"]).update(must_change_password=True)
    User.objects.filter(username="nobody").update(is_active=False)
    html = home(client, cast)
    assert count(html, "must-change") == 2
    assert count(html, "inactive") == 1
    assert count(html, "locked") == 0


def test_it_shows_the_security_alerts_of_the_last_thirty_days(client, cast):
    with transaction.atomic():
        raise_alert(cast.actor("school_admin"), "duplicate_id_numbers", {"attempts": 6})
    html = home(client, cast)
    assert count(html, "alerts") == 1
    assert "entered 6 ID numbers registered elsewhere" in html


def test_it_says_there_are_no_account_requests_to_approve(client, cast):
    html = home(client, cast)
    assert "there are no self-service requests to approve" in html
    assert "No account is locked" in html


def test_it_shows_no_accounts_panel_to_anyone_else(client, cast):
    client.force_login(cast.users["sanhe"])
    assert 'data-testid="section-security"' not in client.get("/").content.decode()


def test_it_answers_in_a_bounded_number_of_queries(client, cast, django_assert_max_num_queries):
    User.objects.update(locked_until=timezone.now() + dt.timedelta(minutes=5))
    client.force_login(cast.users["secadmin"])
    with django_assert_max_num_queries(13):
        assert client.get(reverse("workbench:home")).status_code == 200
