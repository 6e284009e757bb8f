"""The indicator pages: the list with the outlook, one indicator with its chart, history,
breakdown and the at-risk sentence; reporting and review through the page."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from xietong.plan.choices import ValueStatus
from xietong.plan.indicators import snapshots
from xietong.plan.models import IndicatorValue


def client_for(world, user: str) -> Client:
    c = Client()
    c.cookies["django_language"] = "en"
    c.force_login(world.cast.users[user] if user in world.cast.users else _user(user))
    return c


def _user(name: str):  # type: ignore[no-untyped-def]
    from xietong.accounts.models import User

    return User.objects.get(username=name)


def test_the_list_and_the_page_show_history_chart_breakdown_and_outlook(world):
    for period in ("2024Q3", "2024Q4", "2025Q1"):
        snapshots.snapshot(None, period)
    c = client_for(world, "hebei_viewer")
    page = c.get(reverse("plan_indicators:list"))
    assert page.status_code == 200
    assert "与京津学校合作的河北学校" in page.text and "short of the target 4" in page.text
    detail = c.get(reverse("plan_indicators:detail", kwargs={"key": "cooperating-hebei"}))
    assert detail.status_code == 200
    for mark in ("indicator-chart", "indicator-history", "indicator-breakdown", "At risk"):
        assert mark in detail.text
    assert "2025Q4" in detail.text  # the projection runs on to the target period


def test_a_school_outside_the_plan_reads_no_indicator(world):
    c = client_for(world, "teacher")
    assert c.get(reverse("plan_indicators:list")).status_code == 403
    assert c.get(reverse("plan_indicators:detail", kwargs={"key": "nothing"})).status_code == 403


def test_the_body_reports_on_the_page_and_a_manager_approves_it(world):
    key = {"key": "hebei-shadowing"}
    hebei = client_for(world, "hebei")
    page = hebei.get(reverse("plan_indicators:detail", kwargs=key))
    assert 'name="period"' in page.text
    bad = hebei.post(
        reverse("plan_indicators:report", kwargs=key),
        {"period": "2025Q2", "value": "-5"},
        follow=True,
    )
    assert "A count cannot be negative." in bad.text
    assert IndicatorValue.objects.count() == 0
    hebei.post(
        reverse("plan_indicators:report", kwargs=key),
        {"period": "2025Q2", "value": "60", "submit": "on"},
    )
    row = IndicatorValue.objects.get()
    assert row.status == ValueStatus.SUBMITTED
    beijing = client_for(world, "beijing")
    page = beijing.get(reverse("plan_indicators:detail", kwargs=key))
    assert 'value="approve"' in page.text and 'name="period"' not in page.text
    beijing.post(
        reverse("plan_indicators:review", kwargs={**key, "pk": row.pk}), {"verdict": "approve"}
    )
    row.refresh_from_db()
    assert row.status == ValueStatus.APPROVED
