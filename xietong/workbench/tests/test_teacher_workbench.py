"""The teacher's workbench: programs open to her, her exchanges' next steps, notifications."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from xietong.exchanges import services
from xietong.exchanges.choices import ProgramStatus
from xietong.exchanges.models import PlacementLog
from xietong.workbench.tests.conftest import (
    active,
    apply,
    count,
    english,
    matched,
    program_data,
    queue,
)


def home(client, ex) -> str:
    client.force_login(ex.cast.users["teacher"])
    english(client)
    return client.get(reverse("workbench:home")).content.decode()


def second_program(ex, **over):
    sanhe = ex.actor("sanhe")
    program = services.create_program(sanhe, program_data(ex.sanhe_bureau, **over))
    services.set_program_status(sanhe, program.pk, ProgramStatus.OPEN)
    return program


def test_it_lists_an_open_program_she_is_eligible_for_with_its_closing_date(client, ex):
    html = home(client, ex)
    panel = queue(html, "open-programs")
    assert count(html, "open-programs") == 1
    assert ex.program.title in panel
    assert reverse("exchanges:apply", args=[ex.program.pk]) in panel
    closes = timezone.localtime(ex.program.closes_at).date().isoformat()
    assert f"Apply by {closes}" in panel


def test_it_counts_the_programs_she_is_not_eligible_for_and_their_page_says_why(client, ex):
    other = second_program(ex, title="Senior teachers only", elig_titles=["senior"])
    html = home(client, ex)
    assert count(html, "open-programs") == 1
    assert "Senior teachers only" not in queue(html, "open-programs")
    assert "1 more open program is not open to you" in html
    page = client.get(reverse("exchanges:program_detail", args=[other.pk])).content.decode()
    assert 'data-testid="my-eligibility"' in page
    assert "Professional title: the program is for senior." in page


def test_it_tells_her_on_the_program_page_that_her_record_meets_the_rules(client, ex):
    home(client, ex)
    page = client.get(reverse("exchanges:program_detail", args=[ex.program.pk])).content.decode()
    assert "Your record meets the program" in page


def test_it_leaves_a_program_out_once_she_applied_and_shows_the_step_she_waits_for(client, ex):
    app = apply(ex)
    html = home(client, ex)
    assert count(html, "open-programs") is None  # an empty queue is a link in "nothing waiting"
    assert 'data-testid="clear-open-programs"' in html
    mine = queue(html, "my-exchanges")
    assert "Waiting for your school&#x27;s recommendation" in mine
    assert reverse("exchanges:application_detail", args=[app.pk]) in mine


def test_it_asks_her_to_submit_a_draft_before_the_program_closes(client, ex):
    apply(ex, submit=False)
    closes = timezone.localtime(ex.program.closes_at).date().isoformat()
    assert f"Submit by {closes}" in queue(home(client, ex), "my-exchanges")


def test_it_asks_her_to_confirm_a_matched_place_before_the_program_starts(client, ex):
    app = matched(ex)
    mine = queue(home(client, ex), "my-exchanges")
    assert "Confirm your place at Tongzhou No. 1 by 2024-09-02" in mine
    assert "Overdue" in mine  # the program of the fixture started in 2024
    assert reverse("exchanges:application_detail", args=[app.pk]) in mine


def test_it_reminds_her_of_this_weeks_log_and_then_of_nothing_once_it_is_written(client, ex):
    placement = active(ex)
    today = timezone.localdate()
    sunday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=6)
    mine = queue(home(client, ex), "my-exchanges")
    assert f"Weekly log due {sunday.isoformat()}" in mine
    assert reverse("exchanges:placement_detail", args=[placement.pk]) in mine
    PlacementLog.objects.create(
        placement=placement, week_starting=today - dt.timedelta(days=today.weekday()), content="x"
    )
    assert "Nothing due now" in queue(home(client, ex), "my-exchanges")


def test_it_tells_her_the_completion_report_is_overdue_after_the_last_day(client, ex):
    placement = active(ex, starts=-90, ends=-1)
    mine = queue(home(client, ex), "my-exchanges")
    assert "Mid-term report due" in mine  # the earliest of what is due comes first
    services.submit_report(ex.actor("teacher"), placement.pk, kind="midterm", content="x")
    ended = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    mine = queue(home(client, ex), "my-exchanges")
    assert f"Completion report due {ended}" in mine
    assert "Overdue" in mine


def test_it_announces_the_mid_term_report_two_weeks_before_the_midpoint(client, ex):
    placement = active(ex, starts=-50, ends=60)
    PlacementLog.objects.create(
        placement=placement,
        week_starting=timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday()),
        content="x",
    )
    midpoint = placement.starts_on + (placement.ends_on - placement.starts_on) / 2
    assert f"Mid-term report due {midpoint.isoformat()}" in queue(home(client, ex), "my-exchanges")


def test_it_shows_her_unread_notifications_with_a_link_to_all(client, ex):
    apply(ex)  # she is told her application was submitted
    html = home(client, ex)
    assert count(html, "unread") == 1
    assert "submitted." in html
    assert reverse("notifications:list") in html


def test_it_answers_in_a_bounded_number_of_queries_however_many_programs_are_open(
    client, ex, django_assert_max_num_queries
):
    for i in range(8):
        second_program(ex, title=f"Program {i}", elig_titles=["senior"] if i % 2 else [])
    apply(ex)
    client.force_login(ex.cast.users["teacher"])
    with django_assert_max_num_queries(18):
        response = client.get(reverse("workbench:home"))
    assert response.status_code == 200
