"""The exchange pages: each role sees its pages, others are refused, bad input changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from xietong.conftest import make_staff
from xietong.core.compile_messages import compile_all
from xietong.exchanges import services
from xietong.exchanges.choices import AppStatus, ProgramStatus, RunStatus
from xietong.exchanges.models import (
    Application,
    HostOffer,
    MatchingRun,
    OfferSlot,
    Placement,
    Program,
)
from xietong.exchanges.tests.conftest import (
    Ex,
    approve,
    close,
    notice_over,
    program_data,
    recommend,
)
from xietong.notifications.models import Notification

compile_all()

pytestmark = pytest.mark.urls("xietong.urls")


def login(client: Any, ex: Ex, username: str) -> Any:
    """Sign in; pages in English so the messages are asserted by their msgids."""
    client.force_login(ex.cast.users[username])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def html(response: Any) -> str:
    return response.content.decode()


def url(name: str, *args: Any) -> str:
    return reverse(f"exchanges:{name}", args=args)


def apply_form(ex: Ex, *choices: Any, action: str = "submit", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"statement": "我想学习副中心的数学教学。", "action": action}
    for i, c in enumerate(choices, 1):
        data[f"choice_{i}"] = str(c)
    data.update(extra)
    return data


def second_offer(ex: Ex, capacity: int = 1, name: str = "Tongzhou No. 2") -> HostOffer:
    from xietong.conftest import make_institution

    school = make_institution(name, "110112")
    return services.create_offer(
        ex.actor("tongzhou"),
        ex.program.pk,
        host=school.pk,
        slots=[{"stage": "primary", "subject": "数学", "capacity": capacity}],
    )


def applied(ex: Ex) -> Application:
    return services.create_application(
        ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk], statement="s", submit=True
    )


# --- programs ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["sanhe", "teacher", "school_admin", "hebei_viewer"])
def test_it_lists_programs_to_every_business_role(client: Any, ex: Ex, username: str) -> None:
    page = html(login(client, ex, username).get(url("program_list")))
    assert ex.program.title in page


@pytest.mark.parametrize("username", ["auditor", "secadmin", "nobody"])
def test_it_refuses_the_program_list_to_roles_without_the_registry(
    client: Any, ex: Ex, username: str
) -> None:
    assert login(client, ex, username).get(url("program_list")).status_code == 403


def test_it_filters_programs_by_kind_term_status_and_area(client: Any, ex: Ex) -> None:
    c = login(client, ex, "sanhe")
    assert ex.program.title in html(c.get(url("program_list"), {"kind": "shadowing", "term": 1}))
    assert ex.program.title not in html(c.get(url("program_list"), {"kind": "secondment"}))
    assert ex.program.title not in html(c.get(url("program_list"), {"status": "draft"}))
    assert ex.program.title in html(c.get(url("program_list"), {"area": "131082"}))
    assert ex.program.title not in html(c.get(url("program_list"), {"area": "110000"}))
    response = c.get(url("program_list"), {"area": "999999"})
    assert response.status_code == 200 and "999999" in html(response)


def test_it_shows_a_program_with_eligibility_offers_and_counts(client: Any, ex: Ex) -> None:
    applied(ex)
    page = html(login(client, ex, "sanhe").get(url("program_detail", ex.program.pk)))
    assert "Tongzhou No. 1" in page and "王北京" in page  # the offer and its mentor
    assert "0 / 2" in page  # taken / places
    assert 'data-testid="status-counts"' in page
    assert url("program_edit", ex.program.pk) in page
    assert url("program_repeat", ex.program.pk) in page


def test_it_names_the_institutions_of_a_program_s_areas_not_their_ids(client: Any, ex: Ex) -> None:
    c = ex.cast
    sanhe = ex.actor("sanhe")
    services.update_program(
        sanhe,
        ex.program.pk,
        {"sending_institutions": [c.sanhe_school.pk], "sending_areas": ["beisanxian"]},
    )
    page = html(login(client, ex, "sanhe").get(url("program_detail", ex.program.pk)))
    areas = page[page.index("Sending area") : page.index("Host area")]
    assert "Sanhe Experimental" in areas and "北三县" in areas
    assert f">{c.sanhe_school.pk}<" not in areas


def test_it_creates_a_program_and_shows_service_errors_inline(client: Any, ex: Ex) -> None:
    c = login(client, ex, "sanhe")
    assert c.get(url("program_create")).status_code == 200
    data = {
        "title": "三河挂职",
        "kind": "secondment",
        "organiser": str(ex.sanhe_bureau.pk),
        "region": "131082",
        "school_term": "2024-2026-1",
        "starts_on": "2025-09-01",
        "ends_on": "2026-01-15",
        "opens_at": "2025-06-01T08:00",
        "closes_at": "2025-06-20T18:00",
        "max_choices": "3",
        "sending_areas": ["beisanxian"],
    }
    before = Program.objects.count()
    response = c.post(url("program_create"), data)
    assert response.status_code == 200
    assert "2024-2025" in html(response) and "is-invalid" in html(response)
    assert Program.objects.count() == before
    data["school_term"] = "2025-2026-1"
    response = c.post(url("program_create"), data)
    assert response.status_code == 302
    program = Program.objects.get(title="三河挂职")
    assert program.areas.filter(group__key="beisanxian").exists()


def test_it_refuses_program_forms_to_those_who_do_not_manage(client: Any, ex: Ex) -> None:
    assert login(client, ex, "teacher").get(url("program_create")).status_code == 403
    assert login(client, ex, "tongzhou").get(url("program_edit", ex.program.pk)).status_code == 403


def test_it_changes_status_and_repeats_a_program_next_term(client: Any, ex: Ex) -> None:
    c = login(client, ex, "sanhe")
    c.post(url("program_status", ex.program.pk), {"status": "closed"})
    ex.program.refresh_from_db()
    assert ex.program.status == ProgramStatus.CLOSED
    response = c.post(url("program_repeat", ex.program.pk))
    copy = Program.objects.get(repeated_from=ex.program)
    assert response["Location"] == url("program_detail", copy.pk)
    assert (copy.school_year, copy.term, copy.status) == ("2024-2025", 2, ProgramStatus.DRAFT)
    assert copy.offers.count() == 1


# --- offers ---------------------------------------------------------------------------------


def test_it_adds_an_offer_with_slots_and_a_mentor_for_the_host(client: Any, ex: Ex) -> None:
    c = login(client, ex, "tongzhou")
    school = ex.cast.tongzhou_school
    page = html(c.get(url("offer_create", ex.program.pk), {"host": school.pk}))
    assert f"/pickers/staff/?institution={school.pk}" in page  # mentors: the host's staff
    options = html(c.get("/pickers/staff/", {"institution": school.pk}))
    assert "王北京" in options
    response = c.post(
        url("offer_create", ex.program.pk),
        {
            "host": str(school.pk),
            "mentor": str(ex.cast.beijing_teacher.pk),
            "stage_0": "primary",
            "subject_0": "语文",
            "capacity_0": "3",
            "stage_1": "junior",
            "subject_1": "英语",
            "capacity_1": "1",
        },
    )
    assert response.status_code == 302
    offer = HostOffer.objects.exclude(pk=ex.offer.pk).get()
    assert sorted(offer.slots.values_list("subject", "capacity")) == [("13", 3), ("41", 1)]


def test_it_shows_slot_errors_inline_and_writes_no_offer(client: Any, ex: Ex) -> None:
    c = login(client, ex, "tongzhou")
    response = c.post(
        url("offer_create", ex.program.pk),
        {"host": str(ex.cast.tongzhou_school.pk), "stage_0": "primary", "capacity_0": "3"},
    )
    assert response.status_code == 200
    assert "Give exactly one subject." in html(response)
    assert HostOffer.objects.count() == 1


def test_it_refuses_an_offer_outside_the_host_scope(client: Any, ex: Ex) -> None:
    c = login(client, ex, "sanhe")
    response = c.post(
        url("offer_create", ex.program.pk),
        {
            "host": str(ex.cast.sanhe_school.pk),
            "stage_0": "primary",
            "subject_0": "数学",
            "capacity_0": "1",
        },
    )
    assert "outside the program" in html(response)
    assert HostOffer.objects.count() == 1


def test_it_edits_capacities_but_not_below_places_taken(client: Any, ex: Ex) -> None:
    c = login(client, ex, "tongzhou")
    slot = ex.offer.slots.get()
    OfferSlot.objects.filter(pk=slot.pk).update(taken=2)
    edit = url("offer_edit", ex.offer.pk)
    assert c.get(edit).status_code == 200
    response = c.post(edit, {"mentor": "", f"capacity_{slot.pk}": "1", "requirements": "x"})
    assert "already taken" in html(response)
    slot.refresh_from_db()
    assert slot.capacity == 2
    c.post(edit, {"mentor": "", f"capacity_{slot.pk}": "4", "requirements": "x"})
    slot.refresh_from_db()
    assert slot.capacity == 4
    assert login(client, ex, "teacher").get(edit).status_code == 403


# --- applying ------------------------------------------------------------------------------


def test_it_lets_a_teacher_apply_with_ranked_choices(client: Any, ex: Ex) -> None:
    other = second_offer(ex)
    c = login(client, ex, "teacher")
    page = html(c.get(url("apply", ex.program.pk)))
    assert "choice_1" in page and "choice_2" in page and "choice_3" not in page  # N = 2
    response = c.post(url("apply", ex.program.pk), apply_form(ex, other.pk, ex.offer.pk))
    app = Application.objects.get()
    assert response["Location"] == url("application_detail", app.pk)
    assert app.status == AppStatus.SUBMITTED
    assert list(app.choices.values_list("offer_id", flat=True)) == [other.pk, ex.offer.pk]


def test_it_saves_a_draft_and_changes_its_choices_before_submitting(client: Any, ex: Ex) -> None:
    other = second_offer(ex)
    c = login(client, ex, "teacher")
    c.post(url("apply", ex.program.pk), apply_form(ex, ex.offer.pk, action="draft"))
    app = Application.objects.get()
    assert app.status == AppStatus.DRAFT
    assert c.get(url("application_edit", app.pk)).status_code == 200
    c.post(
        url("application_edit", app.pk),
        {"choice_1": str(other.pk), "choice_2": str(ex.offer.pk), "action": "submit"},
    )
    app.refresh_from_db()
    assert app.status == AppStatus.SUBMITTED
    assert list(app.choices.values_list("offer_id", flat=True)) == [other.pk, ex.offer.pk]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("repeated", "The same offer is chosen twice."),
        ("too_many", "At most 2 choices"),
        ("full", "is full"),
        ("window", "are accepted from"),
    ],
)
def test_it_shows_apply_errors_inline_and_writes_nothing(
    client: Any, ex: Ex, case: str, message: str
) -> None:
    choices: list[Any] = [ex.offer.pk]
    extra: dict[str, Any] = {}
    if case == "repeated":
        choices = [ex.offer.pk, ex.offer.pk]
    elif case == "too_many":  # N = 2; a crafted request sends a third select
        choices = [ex.offer.pk, second_offer(ex).pk]
        extra = {"choice_3": str(second_offer(ex, name="Tongzhou No. 3").pk)}
    elif case == "full":
        OfferSlot.objects.filter(offer=ex.offer).update(taken=2)
    elif case == "window":
        Program.objects.filter(pk=ex.program.pk).update(
            closes_at=timezone.now() - dt.timedelta(hours=1),
            opens_at=timezone.now() - dt.timedelta(days=3),
        )
    c = login(client, ex, "teacher")
    response = c.post(url("apply", ex.program.pk), apply_form(ex, *choices, **extra))
    assert response.status_code == 422
    assert message in html(response)
    assert not Application.objects.exists()


def test_it_lists_eligibility_problems_before_and_after_submitting(client: Any, ex: Ex) -> None:
    Program.objects.filter(pk=ex.program.pk).update(elig_titles=",senior,", min_years=20)
    c = login(client, ex, "teacher")
    page = html(c.get(url("apply", ex.program.pk)))
    assert 'data-testid="eligibility-problems"' in page
    assert "Professional title" in page and "Years at the institution" in page
    response = c.post(url("apply", ex.program.pk), apply_form(ex, ex.offer.pk))
    assert response.status_code == 422
    page = html(response)
    assert 'data-testid="eligibility-errors"' in page and "Professional title" in page
    assert not Application.objects.exists()


def test_it_refuses_the_apply_form_to_a_viewer_without_a_staff_record(client: Any, ex: Ex) -> None:
    assert login(client, ex, "hebei_viewer").get(url("apply", ex.program.pk)).status_code == 403


def test_it_lists_my_applications_with_status_and_timeline(client: Any, ex: Ex) -> None:
    app = applied(ex)
    c = login(client, ex, "teacher")
    page = html(c.get(url("my_applications")))
    assert ex.program.title in page and "Submitted" in page
    page = html(c.get(url("application_detail", app.pk)))
    assert 'data-testid="timeline"' in page and "Tongzhou No. 1" in page
    assert login(client, ex, "sanhe").get(url("my_applications")).status_code == 403
    assert login(client, ex, "nobody").get(url("application_detail", app.pk)).status_code == 404


# --- reviews -----------------------------------------------------------------------------


def test_it_queues_submitted_applications_for_the_school_and_recommends(
    client: Any, ex: Ex
) -> None:
    app = applied(ex)
    c = login(client, ex, "school_admin")
    assert "李三河" in html(c.get(url("review")))
    today = timezone.localdate()
    bad = c.post(
        url("application_recommend", app.pk),
        {"notice_starts_on": today.isoformat(), "notice_ends_on": "2000-01-01"},
    )
    assert bad.status_code == 422 and "cannot end before it starts" in html(bad)
    app.refresh_from_db()
    assert app.status == AppStatus.SUBMITTED
    c.post(
        url("application_recommend", app.pk),
        {
            "notice_starts_on": today.isoformat(),
            "notice_ends_on": services.earliest_notice_end(today).isoformat(),
        },
    )
    app.refresh_from_db()
    assert app.status == AppStatus.RECOMMENDED
    notice_over(app.pk)
    assert "李三河" in html(login(client, ex, "sanhe").get(url("review")))


def test_it_refuses_an_approval_outside_the_authority_scope(client: Any, ex: Ex) -> None:
    app = applied(ex)
    recommend(ex, app.pk)
    notice_over(app.pk)
    # The Hebei viewer sees the application but may not decide; Tongzhou does not even see it.
    assert (
        login(client, ex, "hebei_viewer").post(url("application_approve", app.pk)).status_code
        == 403
    )
    assert login(client, ex, "tongzhou").post(url("application_approve", app.pk)).status_code == 404
    app.refresh_from_db()
    assert app.status == AppStatus.RECOMMENDED
    c = login(client, ex, "sanhe")
    assert c.get(url("application_approve", app.pk)).status_code == 200
    c.post(url("application_approve", app.pk))
    app.refresh_from_db()
    assert app.status == AppStatus.APPROVED


def test_it_rejects_with_a_reason_and_requires_one(client: Any, ex: Ex) -> None:
    app = applied(ex)
    c = login(client, ex, "school_admin")
    response = c.post(url("application_reject", app.pk), {"reason": ""})
    assert response.status_code == 422
    app.refresh_from_db()
    assert app.status == AppStatus.SUBMITTED
    c.post(url("application_reject", app.pk), {"reason": "名额已满"})
    app.refresh_from_db()
    assert (app.status, app.reject_reason) == (AppStatus.REJECTED, "名额已满")
    page = html(login(client, ex, "teacher").get(url("application_detail", app.pk)))
    assert "名额已满" in page


@pytest.mark.parametrize("username", ["teacher", "hebei_viewer", "nobody"])
def test_it_refuses_the_review_queue_to_non_admins(client: Any, ex: Ex, username: str) -> None:
    assert login(client, ex, username).get(url("review")).status_code == 403


# --- matching, result, placement ------------------------------------------------------------


def _run(client: Any, ex: Ex, on_commit: Any) -> MatchingRun:
    app = applied(ex)
    approve(ex, app.pk)
    close(ex)
    c = login(client, ex, "sanhe")
    with on_commit(execute=True):  # the task is enqueued on commit (inline in tests)
        response = c.post(
            url("program_runs", ex.program.pk), {"mode": "stable", "ranking": "score"}
        )
    run = MatchingRun.objects.get()
    assert response["Location"] == url("run_detail", run.pk)
    return run


def test_it_starts_a_run_shows_results_and_publishes_them(
    client: Any, ex: Ex, django_capture_on_commit_callbacks: Any
) -> None:
    run = _run(client, ex, django_capture_on_commit_callbacks)
    c = login(client, ex, "sanhe")
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.parameters["ranking"] == [
        "score_desc",
        "years_desc",
    ]
    page = html(c.get(url("run_detail", run.pk)))
    assert "李三河" in page and "chart-data" in page and "echarts.min.js" in page
    # The page follows the run's job through the jobs partial; a finished job reloads it.
    assert f'id="job-{run.job_id}"' in page and "every 2s" not in page
    status = c.get(f"/jobs/{run.job_id}/status/?reload=1", HTTP_HX_REQUEST="true")
    assert status["HX-Refresh"] == "true"
    # Before publication the teacher sees no result.
    app = Application.objects.get()
    assert 'data-testid="match-result"' not in html(
        login(client, ex, "teacher").get(url("application_detail", app.pk))
    )
    c = login(client, ex, "sanhe")
    c.post(url("run_publish", run.pk))
    app.refresh_from_db()
    assert app.status == AppStatus.MATCHED
    page = html(login(client, ex, "teacher").get(url("application_detail", app.pk)))
    assert 'data-testid="match-result"' in page and 'data-testid="explanation"' in page


def test_it_refuses_a_run_without_approved_applications_inline(client: Any, ex: Ex) -> None:
    close(ex)
    response = login(client, ex, "sanhe").post(
        url("program_runs", ex.program.pk), {"mode": "stable", "ranking": "backbone"}
    )
    assert response.status_code == 422 and "no approved applications" in html(response)
    assert not MatchingRun.objects.exists()


def test_it_refuses_runs_to_teachers_and_schools(client: Any, ex: Ex) -> None:
    for username in ("teacher", "school_admin"):
        c = login(client, ex, username)
        assert c.get(url("program_runs", ex.program.pk)).status_code == 403


def test_it_takes_a_placement_through_logs_reports_duty_and_completion(
    client: Any, ex: Ex, django_capture_on_commit_callbacks: Any
) -> None:
    run = _run(client, ex, django_capture_on_commit_callbacks)
    login(client, ex, "sanhe").post(url("run_publish", run.pk))
    app = Application.objects.get()
    teacher = login(client, ex, "teacher")
    teacher.post(url("application_confirm", app.pk))
    p = Placement.objects.get()
    # The teacher cannot start it; the host can.
    assert 'data-testid="start-placement"' not in html(teacher.get(url("placement_detail", p.pk)))
    host = login(client, ex, "tongzhou")
    host.post(url("placement_start", p.pk))
    teacher = login(client, ex, "teacher")
    bad = teacher.post(
        url("placement_log", p.pk), {"week_starting": "2030-01-07", "hours": 8, "content": "x"}
    )
    assert bad.status_code == 422 and "outside the placement" in html(bad)
    teacher.post(
        url("placement_log", p.pk),
        {"week_starting": "2024-09-02", "hours": 12, "content": "听课 6 节"},
    )
    teacher.post(url("placement_report", p.pk), {"kind": "completion", "content": "收获很大"})
    host = login(client, ex, "tongzhou")
    early = host.post(url("placement_complete", p.pk), {"hours_credited": 40})
    assert early.status_code == 422  # the host's completion report is missing
    host.post(url("placement_report", p.pk), {"kind": "completion", "content": "表现优秀"})
    host.post(url("placement_evaluate", p.pk), {"score": "92", "grade": "优秀"})
    host.post(url("placement_complete", p.pk), {"hours_credited": 40})
    p.refresh_from_db()
    assert (p.status, p.hours_credited, p.grade) == ("completed", 40, "优秀")
    home = login(client, ex, "school_admin")
    home.post(url("duty_add", p.pk), {"kind": "open_lesson", "due_on": "2025-03-01"})
    duty = p.duties.get()
    home.post(
        url("duty_done", p.pk, duty.pk),
        {"done_on": timezone.localdate().isoformat(), "evidence": "全校公开课"},
    )
    home.post(url("application_complete", app.pk))
    app.refresh_from_db()
    assert app.status == AppStatus.COMPLETED
    assert "Completed" in html(login(client, ex, "teacher").get(url("my_applications")))
    assert login(client, ex, "nobody").get(url("placement_detail", p.pk)).status_code == 404


# --- coverage and notifications --------------------------------------------------------------


def test_it_shows_coverage_with_flags_and_reciprocity(client: Any, ex: Ex) -> None:
    c = login(client, ex, "sanhe")
    response = c.get(url("coverage"), {"school_year": "2024-2025", "area": "131082"})
    page = html(response)
    assert "Sanhe Experimental" in page and 'data-testid="coverage-table"' in page
    assert "Below 10% rotated" in page
    response = c.get(
        url("coverage"),
        {"school_year": "2024-2025", "a": ex.cast.sanhe_school.pk, "b": ex.cast.tongzhou_school.pk},
    )
    assert 'data-testid="reciprocity"' in html(response)
    bad = c.get(url("coverage"), {"school_year": "2024"})
    assert "two consecutive years" in html(bad)
    assert login(client, ex, "teacher").get(url("coverage")).status_code == 403


def test_it_notifies_the_home_admin_of_a_submission_with_a_link_to_the_application(
    client: Any, ex: Ex
) -> None:
    app = applied(ex)
    c = login(client, ex, "school_admin")
    assert 'data-testid="unread-count"' in html(c.get(reverse("notifications:badge")))
    n = Notification.objects.get(recipient=ex.cast.users["school_admin"])
    assert n.code == "exchanges.application_submitted" and n.target == app
    page = html(c.get(reverse("notifications:list")))
    assert "李三河" in page and reverse("notifications:open", args=[n.pk]) in page
    opened = c.post(reverse("notifications:open", args=[n.pk]))
    assert opened.status_code == 302 and opened["Location"] == url("application_detail", app.pk)
    n.refresh_from_db()
    assert n.read_at is not None
    assert 'data-testid="unread-count"' not in html(c.get(reverse("notifications:badge")))


def test_it_sends_the_old_notification_addresses_to_the_notifications_app(
    client: Any, ex: Ex
) -> None:
    applied(ex)
    c = login(client, ex, "school_admin")
    listed = c.get(url("notifications"), {"page": "2"})
    assert listed.status_code == 301
    assert listed["Location"] == reverse("notifications:list") + "?page=2"
    assert c.get(url("notifications_badge"))["Location"] == reverse("notifications:badge")
    marked = c.post(url("notifications_read"), follow=True)
    assert marked.redirect_chain[0] == (reverse("notifications:read"), 308)
    assert (
        not Notification.objects.filter(read_at__isnull=True)
        .filter(recipient=ex.cast.users["school_admin"])
        .exists()
    )


def test_it_puts_the_bell_in_the_top_bar(client: Any, ex: Ex) -> None:
    page = html(login(client, ex, "teacher").get(url("program_list")))
    assert 'data-testid="bell"' in page and reverse("notifications:badge") in page


# --- bounded queries ------------------------------------------------------------------------


def _many_programs(ex: Ex, n: int) -> None:
    for i in range(n):
        p = services.create_program(
            ex.actor("sanhe"), program_data(ex.sanhe_bureau, title=f"项目{i}")
        )
        services.set_program_status(ex.actor("sanhe"), p.pk, ProgramStatus.OPEN)


def _many_applications(ex: Ex, n: int) -> None:
    for i in range(n):
        staff = make_staff(f"教师{i}", ex.cast.sanhe_school, 100 + i, position="teacher")
        services.create_application(
            ex.actor("school_admin"),
            ex.program.pk,
            choices=[ex.offer.pk],
            applicant=staff.pk,
            submit=True,
        )


@pytest.mark.parametrize("page_size", [20, 100])
def test_it_lists_programs_in_a_bounded_number_of_queries(
    client: Any, ex: Ex, django_assert_max_num_queries: Any, page_size: int
) -> None:
    _many_programs(ex, 100)
    c = login(client, ex, "sanhe")
    with django_assert_max_num_queries(12):
        page = html(c.get(url("program_list"), {"page_size": page_size}))
    assert page.count("/exchanges/") >= page_size


@pytest.mark.parametrize("page_size", [20, 100])
def test_it_lists_the_review_queue_in_a_bounded_number_of_queries(
    client: Any, ex: Ex, django_assert_max_num_queries: Any, page_size: int
) -> None:
    _many_applications(ex, 100)
    c = login(client, ex, "school_admin")
    with django_assert_max_num_queries(14):
        page = html(c.get(url("review"), {"page_size": page_size}))
    assert page.count("/recommend/") == page_size


def test_it_lets_a_school_admin_apply_on_a_teachers_behalf(ex, client):
    from django.urls import reverse

    from xietong.exchanges.models import Application

    client.force_login(ex.cast.users["school_admin"])
    url = reverse("exchanges:apply", args=[ex.program.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="applicant"' in page.content.decode()
    missing = client.post(url, {"choice_1": ex.offer.pk, "action": "submit"})
    assert missing.status_code == 422 and not Application.objects.exists()
    done = client.post(
        url,
        {"applicant": ex.cast.sanhe_teacher.pk, "choice_1": ex.offer.pk, "action": "submit"},
    )
    assert done.status_code == 302
    app = Application.objects.get()
    assert app.applicant == ex.cast.sanhe_teacher and app.status == "submitted"
    assert app.created_by_id == ex.cast.users["school_admin"].pk


def test_it_does_not_let_an_admin_apply_for_staff_outside_their_school(ex, client):
    from django.urls import reverse

    from xietong.exchanges.models import Application

    client.force_login(ex.cast.users["school_admin"])
    url = reverse("exchanges:apply", args=[ex.program.pk])
    forged = client.post(
        url,
        {"applicant": ex.cast.beijing_teacher.pk, "choice_1": ex.offer.pk, "action": "submit"},
    )
    assert forged.status_code == 422
    assert not Application.objects.exists()


def test_it_offers_the_program_manager_a_reject_button_on_an_approved_application(ex, client):
    from django.urls import reverse

    from xietong.exchanges.tests.conftest import approve

    app = services.create_application(
        ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk], submit=True
    )
    approve(ex, app.pk)
    detail = reverse("exchanges:application_detail", args=[app.pk])
    client.force_login(ex.cast.users["sanhe"])
    assert 'data-testid="reject"' in client.get(detail).content.decode()
    client.force_login(ex.cast.users["teacher"])
    assert 'data-testid="reject"' not in client.get(detail).content.decode()
