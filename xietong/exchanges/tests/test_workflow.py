"""The whole exchange of Tina (李三河) from 三河 to Tongzhou No. 1, step by step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xietong.accounts.models import AuditEvent
from xietong.core.errors import Conflict, NotFound, PermissionDenied
from xietong.exchanges import selectors, services
from xietong.exchanges.choices import AppStatus, PlacementStatus, RunStatus
from xietong.exchanges.models import OfferSlot
from xietong.exchanges.tests.conftest import approve, close, notice_over, recommend
from xietong.notifications import selectors as notices
from xietong.notifications import services as notice_services
from xietong.notifications.models import Notification


def test_it_takes_a_sanhe_teacher_from_application_to_completion(
    ex, django_capture_on_commit_callbacks
):
    c = ex.cast
    teacher, school, sanhe, tongzhou = (
        ex.actor("teacher"),
        ex.actor("school_admin"),
        ex.actor("sanhe"),
        ex.actor("tongzhou"),
    )
    app = services.create_application(
        teacher, ex.program.pk, choices=[ex.offer.pk], statement="想学习通州的数学教研。"
    )
    assert app.status == AppStatus.DRAFT and app.home == c.sanhe_school
    services.submit_application(teacher, app.pk)
    approve(ex, app.pk)
    app.refresh_from_db()
    assert app.status == AppStatus.APPROVED and app.notice_ends_on is not None
    close(ex)

    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_matching_run(sanhe, ex.program.pk, "stable")
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.job.status == "succeeded" and run.job.percent == 100
    assert run.statistics["matched"] == 1 and run.statistics["rank_distribution"] == {"1": 1}
    # Before publication the teacher sees nothing of the result.
    assert list(selectors.my_results(teacher)) == []
    assert selectors.application_result(teacher, app.pk) is None

    services.publish_run(sanhe, run.pk)
    result = selectors.my_results(teacher).get()
    assert result.explanation["code"] == "stable"
    assert [s["code"] for s in result.explanation["steps"]] == ["admitted"]
    app.refresh_from_db()
    assert app.status == AppStatus.MATCHED and app.matched_rank == 1
    assert OfferSlot.objects.get(pk=app.matched_slot_id).taken == 1

    placement = services.confirm_application(teacher, app.pk)
    assert placement.host == c.tongzhou_school and placement.home == c.sanhe_school
    assert placement.mentor == c.beijing_teacher
    c.sanhe_teacher.refresh_from_db()
    assert c.sanhe_teacher.institution == c.sanhe_school  # the home post is kept

    services.start_placement(tongzhou, placement.pk)
    services.add_log(
        teacher, placement.pk, week_starting=dt.date(2024, 9, 2), content="听课 8 节", hours=30
    )
    services.submit_report(teacher, placement.pk, kind="midterm", content="期中小结")
    services.submit_report(teacher, placement.pk, kind="completion", content="结业报告")
    with pytest.raises(Conflict, match="Host"):
        services.complete_placement(tongzhou, placement.pk, hours_credited=120)
    services.submit_report(tongzhou, placement.pk, kind="completion", content="表现优秀")
    services.evaluate_placement(tongzhou, placement.pk, score=92, grade="优秀")
    services.complete_placement(tongzhou, placement.pk, hours_credited=120)

    with pytest.raises(Conflict, match="return duty"):
        services.complete_application(school, app.pk)
    duty = services.add_return_duty(
        school, placement.pk, kind="open_lesson", due_on=timezone.localdate()
    )
    with pytest.raises(Conflict, match="not done"):
        services.complete_application(school, app.pk)
    services.complete_return_duty(
        teacher, duty.pk, done_on=timezone.localdate(), evidence="全校公开课一节"
    )
    services.complete_application(school, app.pk)

    app.refresh_from_db()
    placement.refresh_from_db()
    assert app.status == AppStatus.COMPLETED
    assert placement.status == PlacementStatus.COMPLETED and placement.hours_credited == 120

    codes = list(
        Notification.objects.filter(recipient=c.users["teacher"])
        .order_by("pk")
        .values_list("code", flat=True)
    )
    assert codes == [
        "exchanges.application_submitted",
        "exchanges.application_recommended",
        "exchanges.application_approved",
        "exchanges.run_published_matched",
        "exchanges.application_confirmed",
        "exchanges.placement_started",
        "exchanges.placement_completed",
        "exchanges.duty_added",
        "exchanges.application_completed",
    ]
    received = Notification.objects.filter
    assert received(recipient=c.users["school_admin"], code__endswith="_submitted").exists()
    assert received(recipient=c.users["sanhe"], code__endswith="_recommended").exists()
    assert received(recipient=c.users["tongzhou"], code__endswith="_confirmed").exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "exchanges.program.create",
        "exchanges.offer.create",
        "exchanges.application.create",
        "exchanges.application.submitted",
        "exchanges.application.recommended",
        "exchanges.application.approved",
        "exchanges.run.start",
        "exchanges.run.publish",
        "exchanges.application.confirmed",
        "exchanges.placement.start",
        "exchanges.placement.complete",
        "exchanges.duty.done",
        "exchanges.application.completed",
    } <= actions


def test_it_lets_the_applicant_withdraw_until_confirmed_and_frees_the_place(ex):
    teacher = ex.actor("teacher")
    app = services.create_application(teacher, ex.program.pk, choices=[ex.offer.pk], submit=True)
    approve(ex, app.pk)
    slot = ex.offer.slots.get()
    services.assign_place(ex.actor("sanhe"), app.pk, slot.pk)
    slot.refresh_from_db()
    assert slot.taken == 1
    services.withdraw_application(teacher, app.pk)
    slot.refresh_from_db()
    assert slot.taken == 0
    app.refresh_from_db()
    assert app.status == AppStatus.WITHDRAWN


def test_it_refuses_to_withdraw_after_confirmation(ex):
    teacher = ex.actor("teacher")
    app = services.create_application(teacher, ex.program.pk, choices=[ex.offer.pk], submit=True)
    approve(ex, app.pk)
    services.assign_place(ex.actor("sanhe"), app.pk, ex.offer.slots.get().pk)
    services.confirm_application(teacher, app.pk)
    with pytest.raises(Conflict):
        services.withdraw_application(teacher, app.pk)


def test_it_rejects_with_a_reason_at_each_step_by_whoever_may_act(ex):
    teacher, school = ex.actor("teacher"), ex.actor("school_admin")
    app = services.create_application(teacher, ex.program.pk, choices=[ex.offer.pk], submit=True)
    with pytest.raises(PermissionDenied):
        services.reject_application(ex.actor("sanhe"), app.pk, "not yet")  # not its step
    with pytest.raises(Exception, match="reason"):
        services.reject_application(school, app.pk, "  ")
    services.reject_application(school, app.pk, "名额已满")
    app.refresh_from_db()
    assert app.status == AppStatus.REJECTED and app.reject_reason == "名额已满"
    n = Notification.objects.get(
        recipient=ex.cast.users["teacher"], code="exchanges.application_rejected"
    )
    assert n.params["reason"] == "名额已满" and n.target == app
    # After a rejection the teacher may apply again.
    again = services.create_application(teacher, ex.program.pk, choices=[ex.offer.pk])
    assert again.pk != app.pk


def test_it_refuses_approval_outside_the_authoritys_scope(ex):
    teacher = ex.actor("teacher")
    app = services.create_application(teacher, ex.program.pk, choices=[ex.offer.pk], submit=True)
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):  # an authority admin cannot recommend for a school
        services.recommend_application(
            ex.actor("sanhe"), app.pk, notice_starts_on=today, notice_ends_on=today
        )
    recommend(ex, app.pk)
    notice_over(app.pk)
    for outsider in ("hebei_viewer", "school_admin", "teacher"):  # they see it, may not approve
        with pytest.raises(PermissionDenied):
            services.approve_application(ex.actor(outsider), app.pk)
    for stranger in ("tongzhou", "beijing"):  # to them it does not exist
        with pytest.raises(NotFound):
            services.approve_application(ex.actor(stranger), app.pk)
    services.approve_application(ex.actor("sanhe"), app.pk)


def test_it_refuses_approval_while_the_public_notice_runs(ex):
    teacher = ex.actor("teacher")
    app = services.create_application(teacher, ex.program.pk, choices=[ex.offer.pk], submit=True)
    recommend(ex, app.pk)
    with pytest.raises(Conflict, match="public notice"):
        services.approve_application(ex.actor("sanhe"), app.pk)


def test_it_refuses_a_transition_from_the_wrong_state(ex):
    teacher = ex.actor("teacher")
    app = services.create_application(teacher, ex.program.pk, choices=[ex.offer.pk])
    with pytest.raises(Conflict, match="Draft"):
        services.approve_application(ex.actor("sanhe"), app.pk)
    with pytest.raises(Conflict):
        services.confirm_application(teacher, app.pk)


def test_it_lists_and_marks_notifications_read(ex):
    teacher = ex.actor("teacher")
    services.create_application(teacher, ex.program.pk, choices=[ex.offer.pk], submit=True)
    assert notices.unread_count(teacher) == 1
    assert notice_services.mark_read(teacher) == 1
    assert notices.unread_count(teacher) == 0
    assert notices.notifications_for(teacher).count() == 1
