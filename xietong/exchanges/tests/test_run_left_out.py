"""The matching run page says how many applications were left out, why, and what to do."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from xietong.conftest import make_staff
from xietong.exchanges import selectors, services
from xietong.exchanges.models import Application, MatchingRun
from xietong.exchanges.tests.conftest import Ex, close, notice_over, recommend


def _app(ex: Ex, name: str, serial: int, offers: list[int], submit: bool = True) -> Application:
    staff = make_staff(name, ex.cast.sanhe_school, serial, position="teacher")
    return services.create_application(
        ex.actor("school_admin"), ex.program.pk, choices=offers, applicant=staff.pk, submit=submit
    )


def _approved(ex: Ex, app: Application) -> None:
    recommend(ex, app.pk)
    notice_over(app.pk)
    services.approve_application(ex.actor("sanhe"), app.pk)


@pytest.fixture
def run(ex: Ex) -> MatchingRun:
    """A run of a program with applications at every step; one more approved after it."""
    senior = services.create_offer(  # no slot fits a primary maths teacher
        ex.actor("tongzhou"),
        ex.program.pk,
        host=ex.cast.tongzhou_school.pk,
        slots=[{"stage": "senior", "subject": "语文", "capacity": 1}],
    )
    fits = _app(ex, "甲", 101, [ex.offer.pk])
    misfit = _app(ex, "乙", 102, [senior.pk])
    _app(ex, "丙", 103, [ex.offer.pk])  # submitted, not recommended
    running = _app(ex, "丁", 104, [ex.offer.pk])
    later = _app(ex, "戊", 105, [ex.offer.pk])
    _app(ex, "己", 106, [ex.offer.pk], submit=False)
    withdrawn = _app(ex, "庚", 107, [ex.offer.pk])
    returned = _app(ex, "辛", 108, [ex.offer.pk])
    for app in (fits, misfit):
        _approved(ex, app)
    recommend(ex, running.pk)
    recommend(ex, later.pk)
    notice_over(later.pk)
    services.withdraw_application(ex.actor("school_admin"), withdrawn.pk)
    services.reject_application(ex.actor("school_admin"), returned.pk, "名额已满")
    close(ex)
    sanhe = ex.actor("sanhe")
    made = services.start_matching_run(sanhe, ex.program.pk, enqueue=False)
    made = services.execute_matching_run(made.pk)
    services.approve_application(sanhe, later.pk)  # approved after the run was made
    return made


def test_it_counts_who_was_left_out_of_a_run_by_reason(ex: Ex, run: MatchingRun) -> None:
    found = {
        x.reason: x.count for x in selectors.left_out(ex.actor("sanhe"), ex.program.pk, run.pk)
    }
    assert found == {
        "no_open_choice": 1,
        "approved_later": 1,
        "notice": 1,
        "submitted": 1,
        "draft": 1,
        "withdrawn": 1,
        "rejected": 1,
    }
    (notice,) = [x for x in selectors.left_out(ex.actor("sanhe"), ex.program.pk, run.pk) if x.until]
    assert notice.until == Application.objects.get(status="recommended").notice_ends_on


def test_it_counts_what_a_run_started_now_would_leave_out(ex: Ex, run: MatchingRun) -> None:
    found = {x.reason: x.count for x in selectors.left_out(ex.actor("sanhe"), ex.program.pk)}
    assert found == {"notice": 1, "submitted": 1, "draft": 1, "withdrawn": 1, "rejected": 1}


@pytest.mark.urls("xietong.urls")
def test_the_run_page_says_how_many_were_left_out_why_and_what_to_do(
    client: Any, ex: Ex, run: MatchingRun
) -> None:
    client.force_login(ex.cast.users["sanhe"])
    client.cookies["django_language"] = "en"
    html = client.get(reverse("exchanges:run_detail", args=[run.pk])).content.decode()
    card = html[html.index('data-testid="left-out"') :]
    assert 'data-testid="left-out-total">7<' in card
    assert "Left out of this run" in card
    assert "none of their choices had an open place" in card
    assert "Approved after this run was made" in card and "Start a new run" in card
    end = Application.objects.get(status="recommended").notice_ends_on.isoformat()
    assert f"the last one ends on {end}" in card
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("exchanges:run_detail", args=[run.pk])).content.decode()
    assert "未纳入本次匹配" in html and "在本次匹配之后获批" in html


@pytest.mark.urls("xietong.urls")
def test_the_runs_page_says_what_a_run_now_would_leave_out(
    client: Any, ex: Ex, run: MatchingRun
) -> None:
    client.force_login(ex.cast.users["sanhe"])
    client.cookies["django_language"] = "en"
    html = client.get(reverse("exchanges:program_runs", args=[ex.program.pk])).content.decode()
    card = html[html.index('data-testid="left-out"') :]
    assert "A run started now leaves out" in card
    assert 'data-testid="left-out-total">5<' in card
    assert "Submitted, not yet recommended by the home school" in card


@pytest.mark.urls("xietong.urls")
def test_the_counts_are_for_those_who_may_read_the_runs(
    client: Any, ex: Ex, run: MatchingRun
) -> None:
    for user, status in (("tongzhou", 404), ("school_admin", 404), ("hebei_viewer", 200)):
        client.force_login(ex.cast.users[user])
        assert client.get(reverse("exchanges:run_detail", args=[run.pk])).status_code == status
