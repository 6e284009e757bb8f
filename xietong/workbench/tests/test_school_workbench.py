"""The school admin's workbench: applications to recommend, offers to make, placements to
start, host reports, returned teachers and new logs — counts with the first rows and links."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from xietong.exchanges import services
from xietong.exchanges.choices import ProgramStatus
from xietong.exchanges.models import Placement
from xietong.workbench.tests.conftest import (
    active,
    apply,
    count,
    english,
    matched,
    program_data,
    queue,
)


def home(client, ex, username: str = "school_admin") -> str:
    client.force_login(ex.cast.users[username])
    english(client)
    return client.get(reverse("workbench:home")).content.decode()


def test_it_lists_the_application_of_its_teacher_to_recommend(client, ex):
    app = apply(ex)
    html = home(client, ex)
    panel = queue(html, "to-recommend")
    assert count(html, "to-recommend") == 1
    assert "李三河" in panel and ex.program.title in panel
    assert reverse("exchanges:application_recommend", args=[app.pk]) in panel
    assert reverse("exchanges:review") in panel


def test_it_invites_offers_to_programs_hosting_in_its_area_until_it_offered(client, ex):
    sanhe = ex.actor("sanhe")
    hosting = services.create_program(
        sanhe, program_data(ex.sanhe_bureau, title="Hosted in Sanhe", host_areas=["131082"])
    )
    services.set_program_status(sanhe, hosting.pk, ProgramStatus.OPEN)
    html = home(client, ex)
    panel = queue(html, "offers-to-make")
    assert count(html, "offers-to-make") == 1  # not the program hosting in Tongzhou
    assert reverse("exchanges:offer_create", args=[hosting.pk]) in panel
    services.create_offer(
        ex.actor("school_admin"),
        hosting.pk,
        host=ex.cast.sanhe_school.pk,
        slots=[{"stage": "primary", "subject": "数学", "capacity": 1}],
    )
    assert 'data-testid="clear-offers-to-make"' in home(client, ex)


def test_it_lists_a_confirmed_placement_to_start(client, ex):
    app = matched(ex)
    placement = services.confirm_application(ex.actor("teacher"), app.pk)
    panel = queue(home(client, ex), "to-start")
    assert "李三河 · Tongzhou No. 1" in panel
    assert reverse("exchanges:placement_detail", args=[placement.pk]) in panel


def test_it_shows_the_home_school_the_new_weekly_logs_of_its_teacher(client, ex):
    placement = active(ex)
    today = timezone.localdate()
    services.add_log(
        ex.actor("teacher"),
        placement.pk,
        week_starting=today - dt.timedelta(days=today.weekday()),
        content="Observed three lessons.",
        hours=12,
    )
    html = home(client, ex)
    assert count(html, "new-logs") == 1
    assert reverse("exchanges:placement_detail", args=[placement.pk]) in queue(html, "new-logs")


def test_it_asks_the_home_school_for_the_return_duty_once_the_placement_is_complete(client, ex):
    placement = active(ex, starts=-90, ends=-1)
    services.submit_report(ex.actor("teacher"), placement.pk, kind="completion", content="x")
    services.submit_report(ex.actor("tongzhou"), placement.pk, kind="completion", content="y")
    services.complete_placement(ex.actor("tongzhou"), placement.pk, hours_credited=40)
    assert "Record the return duty at home" in queue(home(client, ex), "returns")
    duty = services.add_return_duty(
        ex.actor("school_admin"), placement.pk, kind="open_lesson", due_on=timezone.localdate()
    )
    assert 'data-testid="clear-returns"' in home(client, ex)
    services.complete_return_duty(
        ex.actor("school_admin"), duty.pk, done_on=timezone.localdate(), evidence="Lesson given."
    )
    assert "close the exchange" in queue(home(client, ex), "returns")


def test_it_asks_the_host_for_its_completion_report_when_the_placement_ends(client, ex):
    from xietong.accounts.models import Role
    from xietong.conftest import make_user

    ex.cast.users["tongzhou_school"] = make_user(
        "tongzhou_school", Role.INSTITUTION_ADMIN, institution=ex.cast.tongzhou_school
    )
    placement = active(ex, starts=-90, ends=3)
    html = home(client, ex, "tongzhou_school")
    panel = queue(html, "host-reports")
    ends = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    assert f"Completion report due {ends}" in panel
    assert reverse("exchanges:placement_detail", args=[placement.pk]) in panel
    assert count(html, "to-recommend") is None  # Tina is not the host's teacher


def test_it_shows_counts_and_the_first_five_rows_with_a_link_to_the_rest(client, ex):
    from xietong.conftest import make_staff

    for i in range(7):
        staff = make_staff(f"教师{i}", ex.cast.sanhe_school, 20 + i)
        services.create_application(
            ex.actor("school_admin"),
            ex.program.pk,
            choices=[ex.offer.pk],
            applicant=staff.pk,
            submit=True,
        )
    html = home(client, ex)
    assert count(html, "to-recommend") == 7
    assert queue(html, "to-recommend").count('class="list-group-item xt-item') == 5
    assert "2 more in the list" in html


def test_it_answers_in_a_bounded_number_of_queries(client, ex, django_assert_max_num_queries):
    active(ex)
    client.force_login(ex.cast.users["school_admin"])
    # One per queue (agreement approvals, progress reports, shared resources to review and
    # returned, training programs to complete and today's sessions) and one
    # for the navigation's review entry.
    with django_assert_max_num_queries(29):
        assert client.get(reverse("workbench:home")).status_code == 200
    assert Placement.objects.count() == 1
