"""Placements whose end date has passed end (the daily job) and their reports are asked for.

``xietong jobs tick`` queues the daily job ``exchanges.end_placements``; it moves each
active placement past its end date to ``ended`` through the transition helper (audited as
the scheduler's move, stamped ``ended_at``) and notifies the teacher and the host — its
administrators and the mentor — each unless they have written their completion report.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from xietong.accounts.models import AuditEvent, Role
from xietong.conftest import make_user
from xietong.exchanges import services
from xietong.exchanges.choices import AppStatus, PlacementStatus
from xietong.exchanges.models import Placement
from xietong.exchanges.tasks import END_PLACEMENTS_JOB
from xietong.exchanges.tests.conftest import Ex, approve
from xietong.jobs import schedule
from xietong.jobs.choices import JobStatus
from xietong.jobs.models import Job
from xietong.notifications import selectors as notices
from xietong.notifications.models import Notification

TEACHER_ASKED = "exchanges.placement_ended_teacher"
HOST_ASKED = "exchanges.placement_ended_host"


@pytest.fixture
def host_admin(ex: Ex) -> Any:
    return make_user("tz1_admin", Role.INSTITUTION_ADMIN, institution=ex.cast.tongzhou_school)


@pytest.fixture
def mentor_user(ex: Ex) -> Any:
    user = make_user("wang_mentor", Role.STAFF)
    ex.cast.beijing_teacher.user = user
    ex.cast.beijing_teacher.save(update_fields=["user"])
    return user


def _active(ex: Ex) -> Placement:
    """Tina's placement at Tongzhou No. 1, started; it ends on the program's end date."""
    teacher = ex.actor("teacher")
    app = services.create_application(teacher, ex.program.pk, choices=[ex.offer.pk], submit=True)
    approve(ex, app.pk)
    services.assign_place(ex.actor("sanhe"), app.pk, ex.offer.slots.get().pk)
    placement = services.confirm_application(teacher, app.pk)
    services.start_placement(ex.actor("tongzhou"), placement.pk)
    return Placement.objects.get(pk=placement.pk)


def _ends(p: Placement, on: dt.date) -> None:
    Placement.objects.filter(pk=p.pk).update(ends_on=on)


def test_it_ends_a_placement_the_day_after_its_end_date_and_asks_both_sides(
    ex: Ex, host_admin: Any, mentor_user: Any
) -> None:
    p = _active(ex)
    today = timezone.localdate()
    _ends(p, today)
    assert services.end_due_placements(today)["ended"] == 0  # its last day is still its own
    result = services.end_due_placements(today + dt.timedelta(days=1))
    assert result == {"due": 1, "ended": 1, "notified": 3}
    p.refresh_from_db()
    assert p.status == PlacementStatus.ENDED and p.ended_at is not None
    assert p.started_at is not None and p.started_at <= p.ended_at
    assert p.application.status == AppStatus.IN_PROGRESS
    event = AuditEvent.objects.get(action="exchanges.placement.ended", object_id=str(p.pk))
    assert event.before == {"status": "active"} and event.after == {"status": "ended"}
    assert event.actor_name == "scheduler"
    teacher = ex.cast.users["teacher"]
    assert set(
        Notification.objects.filter(code=TEACHER_ASKED).values_list("recipient", flat=True)
    ) == {teacher.pk}
    assert set(
        Notification.objects.filter(code=HOST_ASKED).values_list("recipient", flat=True)
    ) == {
        host_admin.pk,
        mentor_user.pk,
    }
    # A second run ends nothing and asks nobody again.
    assert services.end_due_placements(today + dt.timedelta(days=1)) == {
        "due": 0,
        "ended": 0,
        "notified": 0,
    }
    assert Notification.objects.filter(code__in=[TEACHER_ASKED, HOST_ASKED]).count() == 3


def test_it_asks_in_the_readers_language_with_a_link_to_the_placement(
    ex: Ex, host_admin: Any
) -> None:
    p = _active(ex)
    services.end_due_placements()
    end = p.ends_on.isoformat()
    mine = Notification.objects.get(code=TEACHER_ASKED)
    with translation.override("zh-hans"):
        shown = notices.render(mine)
        assert shown.text == f"您在Tongzhou No. 1的挂职/跟岗已于 {end} 到期，请提交个人总结报告。"
        assert shown.link == f"/exchanges/placements/{p.pk}/"
    with translation.override("en"):
        host = notices.render(Notification.objects.get(code=HOST_ASKED))
        assert host.text == (
            f"The placement of 李三河 at Tongzhou No. 1 ended on {end}: please write the "
            "host's completion report."
        )


def test_it_does_not_ask_a_side_that_has_written_its_completion_report(
    ex: Ex, host_admin: Any
) -> None:
    p = _active(ex)
    services.submit_report(ex.actor("teacher"), p.pk, kind="completion", content="总结")
    assert services.end_due_placements()["ended"] == 1
    assert not Notification.objects.filter(code=TEACHER_ASKED).exists()
    assert Notification.objects.filter(code=HOST_ASKED, recipient=host_admin).exists()


def test_it_leaves_planned_completed_and_running_placements_alone(ex: Ex) -> None:
    p = _active(ex)
    _ends(p, timezone.localdate() + dt.timedelta(days=30))
    assert services.end_due_placements() == {"due": 0, "ended": 0, "notified": 0}
    p.refresh_from_db()
    assert p.status == PlacementStatus.ACTIVE and p.ended_at is None


def test_an_ended_placement_takes_logs_and_reports_and_is_completed_by_the_host(ex: Ex) -> None:
    p = _active(ex)
    services.end_due_placements()
    teacher, host = ex.actor("teacher"), ex.actor("tongzhou")
    services.add_log(
        teacher, p.pk, week_starting=p.ends_on - dt.timedelta(days=4), content="最后一周"
    )
    services.submit_report(teacher, p.pk, kind="completion", content="总结")
    services.submit_report(host, p.pk, kind="completion", content="鉴定")
    ended_at = Placement.objects.get(pk=p.pk).ended_at
    done = services.complete_placement(host, p.pk, hours_credited=120)
    assert done.status == PlacementStatus.COMPLETED and done.ended_at == ended_at
    assert done.ended_at <= done.completed_at


def test_completing_before_the_end_date_records_the_end_then(ex: Ex) -> None:
    p = _active(ex)
    _ends(p, timezone.localdate() + dt.timedelta(days=30))
    teacher, host = ex.actor("teacher"), ex.actor("tongzhou")
    services.submit_report(teacher, p.pk, kind="completion", content="总结")
    services.submit_report(host, p.pk, kind="completion", content="鉴定")
    done = services.complete_placement(host, p.pk, hours_credited=120)
    assert done.ended_at is not None and done.ended_at <= done.completed_at
    assert services.end_due_placements(timezone.localdate() + dt.timedelta(days=60))["due"] == 0


# --- through the job ---------------------------------------------------------------------------


def test_the_daily_tick_queues_the_job_once_a_day_and_the_job_ends_placements(
    ex: Ex, host_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    p = _active(ex)
    morning = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(0, 5)))
    with django_capture_on_commit_callbacks(execute=True):
        first = schedule.tick(morning)
    (job,) = [j for j in first.queued if j.kind == END_PLACEMENTS_JOB]
    job.refresh_from_db()
    assert job.owner is None and job.period == morning.date().isoformat()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result == {"due": 1, "ended": 1, "notified": 2}
    assert Placement.objects.get(pk=p.pk).status == PlacementStatus.ENDED
    # Later the same day: nothing new is queued; the next day: the next job.
    assert schedule.tick(morning + dt.timedelta(hours=12)).queued == []
    with django_capture_on_commit_callbacks(execute=True):
        tomorrow = schedule.tick(morning + dt.timedelta(days=1))
    assert END_PLACEMENTS_JOB in [j.kind for j in tomorrow.queued]
    assert Job.objects.filter(kind=END_PLACEMENTS_JOB).count() == 2


def test_the_tick_command_runs_the_daily_job_where_there_is_no_worker(ex: Ex) -> None:
    p = _active(ex)
    out = io.StringIO()
    call_command("jobs", "tick", "--run", stdout=out)
    text = out.getvalue()
    assert f"{END_PLACEMENTS_JOB}\t{timezone.localdate().isoformat()}\tsucceeded" in text
    assert "'ended': 1" in text
    assert Placement.objects.get(pk=p.pk).status == PlacementStatus.ENDED
    again = io.StringIO()
    call_command("jobs", "tick", "--run", stdout=again)
    assert "No scheduled job is due." in again.getvalue()


def test_an_ended_placement_stays_in_the_report_queues_and_the_list_filter_until_reported(
    client: Any, ex: Ex, host_admin: Any
) -> None:
    from xietong.api_tests.conftest import Api
    from xietong.exchanges import agenda, selectors

    p = _active(ex)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    _ends(p, yesterday - dt.timedelta(days=1))
    services.end_due_placements(yesterday)
    assert Placement.objects.get(pk=p.pk).status == PlacementStatus.ENDED
    sanhe, host = ex.actor("sanhe"), ex.cast.actor("tz1_admin")
    overdue_items = agenda.reports_overdue(sanhe).items
    assert [i.url for i in overdue_items] == [f"/exchanges/placements/{p.pk}/"]
    assert agenda.host_reports_due(host).count == 1
    overdue = selectors.PlacementFilters(reports="overdue")
    assert list(selectors.placements_for(sanhe, overdue)) == [Placement.objects.get(pk=p.pk)]
    client.force_login(ex.cast.users["sanhe"])
    page = client.get("/exchanges/placements/", {"reports": "overdue"})
    assert [x.pk for x in page.context["page"].object_list] == [p.pk]
    api = Api(ex.cast)
    listed = api.get("/api/exchanges/placements", {"reports": "overdue"}, as_="sanhe").json()
    assert [x["id"] for x in listed["items"]] == [p.pk]
    assert api.get("/api/exchanges/placements", {"reports": "soon"}, as_="sanhe").status_code == 422

    for who in (host, ex.actor("teacher")):
        services.submit_report(who, p.pk, kind="completion", content="跟岗总结。")
    assert agenda.reports_overdue(sanhe).count == 0
    assert agenda.host_reports_due(host).count == 0
    assert not selectors.placements_for(sanhe, overdue).exists()
