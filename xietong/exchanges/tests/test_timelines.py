"""Timelines: every step of an application and of its placement, each with its time, in order."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from xietong.api_tests.conftest import Api
from xietong.exchanges import services
from xietong.exchanges.models import Application, Placement
from xietong.exchanges.tests.conftest import Ex, notice_over, recommend
from xietong.exchanges.timeline import application_steps, placement_steps

STEPS = [
    "created",
    "submitted",
    "recommended",
    "notice_starts",
    "notice_ends",
    "approved",
    "matched",
    "confirmed",
    "started",
    "ended",
    "placement_completed",
    "completed",
]


def _through(ex: Ex, last: str) -> Application:
    """Tina's application taken through the services up to ``last``."""
    teacher, school, sanhe, host = (
        ex.actor(u) for u in ("teacher", "school_admin", "sanhe", "tongzhou")
    )
    app = services.create_application(teacher, ex.program.pk, choices=[ex.offer.pk], submit=True)
    if last == "submitted":
        return app
    recommend(ex, app.pk, comment="教学扎实，同意推荐。")
    if last == "recommended":
        return app
    notice_over(app.pk)
    services.approve_application(sanhe, app.pk, comment="同意。")
    services.assign_place(sanhe, app.pk, ex.offer.slots.get().pk)
    placement = services.confirm_application(teacher, app.pk)
    services.start_placement(host, placement.pk)
    if last == "started":
        return app
    services.end_due_placements()
    services.submit_report(teacher, placement.pk, kind="completion", content="总结")
    services.submit_report(host, placement.pk, kind="completion", content="鉴定")
    services.complete_placement(host, placement.pk, hours_credited=100)
    today = timezone.localdate()
    duty = services.add_return_duty(school, placement.pk, kind="open_lesson", due_on=today)
    services.complete_return_duty(teacher, duty.pk, done_on=today, evidence="公开课")
    services.complete_application(school, app.pk)
    return app


def _fresh(pk: int) -> Application:
    return Application.objects.select_related("placement", "matched_slot__offer__host").get(pk=pk)


def test_a_completed_exchange_shows_every_step_with_its_time_in_order(ex: Ex) -> None:
    app = _fresh(_through(ex, "completed").pk)
    steps = application_steps(app, app.placement)
    assert [s.key for s in steps] == STEPS
    assert all(s.done and s.at is not None for s in steps)
    assert steps[-1].current and not any(s.current for s in steps[:-1])
    times = [s.at for s in steps if not s.is_day]
    assert times == sorted(times)
    by_key = {s.key: s for s in steps}
    assert by_key["recommended"].comment == "教学扎实，同意推荐。"
    assert by_key["approved"].comment == "同意。"
    assert by_key["matched"].comment == "Tongzhou No. 1"
    assert by_key["recommended"].at.date() <= by_key["notice_starts"].at


@pytest.mark.urls("xietong.urls")
def test_the_application_page_lists_the_steps_in_order_with_their_times(
    client: Any, ex: Ex
) -> None:
    app = _through(ex, "completed")
    client.force_login(ex.cast.users["teacher"])
    html = client.get(reverse("exchanges:application_detail", args=[app.pk])).content.decode()
    timeline = html[html.index('data-testid="timeline"') :]
    assert re.findall(r'data-step="(\w+)"', timeline) == STEPS
    assert timeline.count('class="xt-when"') == len(STEPS)
    assert "教学扎实，同意推荐。" in timeline


def test_a_running_notice_shows_its_end_to_come_and_nothing_after_it_done(ex: Ex) -> None:
    app = _fresh(_through(ex, "recommended").pk)
    steps = {s.key: s for s in application_steps(app)}
    assert steps["notice_starts"].done and not steps["notice_ends"].done
    assert steps["notice_ends"].at == app.notice_ends_on and steps["notice_starts"].current
    assert not any(steps[k].done for k in STEPS[5:])


def test_a_withdrawn_application_ends_with_its_withdrawal(ex: Ex) -> None:
    app = _through(ex, "submitted")
    services.withdraw_application(ex.actor("teacher"), app.pk)
    steps = application_steps(_fresh(app.pk))
    assert [s.key for s in steps] == ["created", "submitted", "withdrawn"]
    assert steps[-1].closed and steps[-1].current and steps[-1].at is not None


@pytest.mark.urls("xietong.exchanges.tests.urls")
def test_the_api_gives_the_timeline_of_an_application_and_of_a_placement(ex: Ex) -> None:
    api = Api(ex.cast)
    app = _through(ex, "started")
    body = api.get(f"/api/exchanges/applications/{app.pk}", as_="teacher").json()
    done = [s["step"] for s in body["timeline"] if s["done"]]
    assert done == STEPS[:9]
    assert body["timeline"][3] == {
        "step": "notice_starts",
        "label": "Public notice from",
        "at": body["timeline"][3]["at"],
        "done": True,
        "comment": "",
    }
    assert len(body["timeline"][3]["at"]) == 10  # a day, not a moment
    placement = Placement.objects.get(application=app)
    body = api.get(f"/api/exchanges/placements/{placement.pk}", as_="teacher").json()
    assert body["started_at"] and body["ended_at"] is None
    assert [s["step"] for s in body["timeline"] if s["done"]] == ["confirmed", "started"]
    to_come = [s for s in body["timeline"] if not s["done"]]
    assert to_come[-1]["step"] == "completed"
    ended = next(s for s in to_come if s["step"] == "ended")
    assert ended["at"] == placement.ends_on.isoformat()  # its planned day


@pytest.mark.urls("xietong.urls")
def test_the_placement_page_shows_its_events_by_time_then_those_to_come(
    client: Any, ex: Ex
) -> None:
    app = _through(ex, "completed")
    p = Placement.objects.get(application=app)
    steps = placement_steps(p)
    assert all(s.done for s in steps)
    days = [timezone.localdate(s.at) if not s.is_day else s.at for s in steps]
    assert days == sorted(days)
    keys = [s.key for s in steps]
    assert keys[:2] == ["confirmed", "started"] and keys[-1] == "completed"
    assert {"completion_teacher", "completion_host", "ended", "placement_completed"} <= set(keys)
    client.force_login(ex.cast.users["teacher"])
    html = client.get(reverse("exchanges:placement_detail", args=[p.pk])).content.decode()
    assert re.findall(r'data-step="(\w+)"', html) == keys
