"""The public notice (公示): published the day the school recommends, never back-dated, at
least the minimum of working days long; approval waits for its end."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from xietong.accounts.models import AuditEvent
from xietong.api_tests.conftest import Api
from xietong.core.errors import Conflict, InvalidInput
from xietong.exchanges import services
from xietong.exchanges.choices import AppStatus
from xietong.exchanges.models import Application
from xietong.exchanges.tests.conftest import Ex, notice_over, recommend
from xietong.notifications.models import Notification

A = "/api/exchanges"


def _monday() -> dt.date:
    """The next Monday from today (today if it is one): weekdays known whatever the day."""
    today = timezone.localdate()
    return today + dt.timedelta(days=(7 - today.weekday()) % 7)


def _submitted(ex: Ex) -> Application:
    return services.create_application(
        ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk], submit=True
    )


def _recommend(ex: Ex, app: Application, start: dt.date, end: dt.date) -> Application:
    return services.recommend_application(
        ex.actor("school_admin"), app.pk, notice_starts_on=start, notice_ends_on=end
    )


def _unchanged(app: Application) -> None:
    app.refresh_from_db()
    assert app.status == AppStatus.SUBMITTED
    assert (app.notice_starts_on, app.notice_ends_on, app.recommended_at) == (None, None, None)
    assert not AuditEvent.objects.filter(action="exchanges.application.recommended").exists()
    assert not Notification.objects.filter(code="exchanges.application_recommended").exists()


# --- the service -----------------------------------------------------------------------------


def test_it_refuses_a_notice_that_starts_before_today(ex: Ex) -> None:
    app = _submitted(ex)
    today = timezone.localdate()
    for start in (today - dt.timedelta(days=1), today - dt.timedelta(days=30)):
        with pytest.raises(InvalidInput, match="cannot start before today") as e:
            _recommend(ex, app, start, start + dt.timedelta(days=14))
        assert "notice_starts_on" in e.value.fields
    _unchanged(app)


def test_it_refuses_a_notice_shorter_than_five_working_days(ex: Ex) -> None:
    app = _submitted(ex)
    monday = _monday()
    thursday = monday + dt.timedelta(days=3)
    with pytest.raises(InvalidInput, match="at least 5 working days") as e:
        _recommend(ex, app, monday, thursday)
    friday = (monday + dt.timedelta(days=4)).isoformat()
    assert f"ends on {friday} at the earliest" in e.value.fields["notice_ends_on"][0]
    _unchanged(app)
    _recommend(ex, app, monday, monday + dt.timedelta(days=4))
    app.refresh_from_db()
    assert app.status == AppStatus.RECOMMENDED and app.notice_starts_on == monday


def test_it_does_not_count_the_weekend_as_notice(ex: Ex) -> None:
    app = _submitted(ex)
    wednesday = _monday() + dt.timedelta(days=2)
    with pytest.raises(InvalidInput, match="these dates give 4"):
        _recommend(ex, app, wednesday, wednesday + dt.timedelta(days=5))  # Wed … Mon
    _recommend(ex, app, wednesday, wednesday + dt.timedelta(days=6))  # Wed … Tue
    assert services.earliest_notice_end(wednesday) == wednesday + dt.timedelta(days=6)


def test_it_reads_the_minimum_and_the_holidays_from_the_settings(ex: Ex, settings: Any) -> None:
    monday = _monday()
    settings.XIETONG_HOLIDAYS = ((monday + dt.timedelta(days=2)).isoformat(),)  # Wednesday
    app = _submitted(ex)
    with pytest.raises(InvalidInput, match="these dates give 4"):
        _recommend(ex, app, monday, monday + dt.timedelta(days=4))
    assert services.earliest_notice_end(monday) == monday + dt.timedelta(days=7)
    settings.XIETONG_NOTICE_MIN_WORKING_DAYS = 3
    _recommend(ex, app, monday, monday + dt.timedelta(days=3))  # Mon Tue Thu


def test_it_refuses_a_notice_that_starts_before_the_application_was_submitted(ex: Ex) -> None:
    app = _submitted(ex)
    later = timezone.now() + dt.timedelta(days=3)
    Application.objects.filter(pk=app.pk).update(submitted_at=later)
    today = timezone.localdate()
    with pytest.raises(InvalidInput, match="before the application was submitted"):
        _recommend(ex, app, today, services.earliest_notice_end(today))


def test_it_refuses_approval_until_the_day_after_the_notice_ends(ex: Ex) -> None:
    app = _submitted(ex)
    recommend(ex, app.pk)
    end = Application.objects.get(pk=app.pk).notice_ends_on
    with pytest.raises(Conflict, match=f"runs until {end}"):
        services.approve_application(ex.actor("sanhe"), app.pk)
    # The last day of the notice is still the notice: approval waits for the next day.
    Application.objects.filter(pk=app.pk).update(notice_ends_on=timezone.localdate())
    with pytest.raises(Conflict, match="public notice"):
        services.approve_application(ex.actor("sanhe"), app.pk)
    notice_over(app.pk)
    assert services.approve_application(ex.actor("sanhe"), app.pk).status == AppStatus.APPROVED


# --- the API -----------------------------------------------------------------------------------


@pytest.mark.urls("xietong.exchanges.tests.urls")
def test_the_api_refuses_a_back_dated_or_short_notice_with_its_field_and_reason(ex: Ex) -> None:
    api = Api(ex.cast)
    app = _submitted(ex)
    today = timezone.localdate()
    path = f"{A}/applications/{app.pk}/recommend"
    early = {"notice_starts_on": str(today - dt.timedelta(days=7)), "notice_ends_on": str(today)}
    r = api.post(path, early, as_="school_admin")
    assert r.status_code == 422 and "cannot be back-dated" in r.json()["message"]
    assert r.json()["fields"]["notice_starts_on"]
    monday = _monday()
    short = {"notice_starts_on": str(monday), "notice_ends_on": str(monday)}
    r = api.post(path, short, as_="school_admin", lang="zh-hans")
    assert r.status_code == 422 and "至少 5 个工作日" in r.json()["fields"]["notice_ends_on"][0]
    _unchanged(app)


# --- the pages ---------------------------------------------------------------------------------


def _login(client: Any, ex: Ex, username: str) -> Any:
    client.force_login(ex.cast.users[username])
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.urls("xietong.urls")
def test_the_recommend_page_proposes_the_shortest_notice_and_refuses_a_back_dated_one(
    client: Any, ex: Ex
) -> None:
    app = _submitted(ex)
    c = _login(client, ex, "school_admin")
    page = reverse("exchanges:application_recommend", args=[app.pk])
    form = c.get(page).context["form"]
    today = timezone.localdate()
    assert form.initial == {
        "notice_starts_on": today,
        "notice_ends_on": services.earliest_notice_end(today),
    }
    assert "at least 5 working days" in form.fields["notice_ends_on"].help_text
    yesterday = today - dt.timedelta(days=1)
    r = c.post(
        page,
        {"notice_starts_on": yesterday.isoformat(), "notice_ends_on": today.isoformat()},
    )
    assert r.status_code == 422 and "cannot be back-dated" in r.content.decode()
    _unchanged(app)


@pytest.mark.urls("xietong.urls")
def test_no_approve_button_shows_while_the_notice_runs_but_its_end_does(
    client: Any, ex: Ex
) -> None:
    app = _submitted(ex)
    recommend(ex, app.pk)
    end = Application.objects.get(pk=app.pk).notice_ends_on.isoformat()
    c = _login(client, ex, "sanhe")
    approve_page = reverse("exchanges:application_approve", args=[app.pk])
    queue = c.get(reverse("exchanges:review")).content.decode()
    assert f'name="ids" value="{app.pk}"' not in queue and approve_page not in queue
    assert f"approve after {end}" in queue
    detail = c.get(reverse("exchanges:application_detail", args=[app.pk])).content.decode()
    assert approve_page not in detail and f"Public notice until {end}" in detail
    decide = c.get(approve_page).content.decode()
    assert 'data-testid="approve"' not in decide and 'data-testid="notice-running"' in decide
    assert c.post(approve_page).status_code == 409
    notice_over(app.pk)
    queue = c.get(reverse("exchanges:review")).content.decode()
    assert f'name="ids" value="{app.pk}"' in queue and approve_page in queue
    detail = c.get(reverse("exchanges:application_detail", args=[app.pk])).content.decode()
    assert approve_page in detail
