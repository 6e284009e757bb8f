"""The auditor's workbench: today's events, and the audit chain's state from the last
verification, which runs as a background job."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from xietong.accounts import audit
from xietong.accounts.models import AuditEvent
from xietong.accounts.tasks import VERIFY_JOB
from xietong.jobs.models import Job
from xietong.workbench.tests.conftest import count, english


def home(client, cast) -> str:
    client.force_login(cast.users["auditor"])
    english(client)
    return client.get(reverse("workbench:home")).content.decode()


def test_it_counts_todays_events_and_links_to_the_audit_log(client, cast):
    with transaction.atomic():
        audit.record(cast.actor("sanhe"), "test.today")
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    expected = AuditEvent.objects.filter(at__gte=midnight).count()
    html = home(client, cast)
    assert count(html, "events-today") == expected
    assert f'href="{reverse("accounts:audit")}"' in html


def test_it_says_the_chain_has_not_been_verified_before_the_first_verification(client, cast):
    assert "The chain has not been verified here yet." in home(client, cast)


def test_it_verifies_the_chain_as_a_job_and_shows_the_result(
    client, cast, django_capture_on_commit_callbacks
):
    with transaction.atomic():
        audit.record(cast.actor("sanhe"), "test.event")
    client.force_login(cast.users["auditor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:audit_verify"))
    job = Job.objects.get(kind=VERIFY_JOB)
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["ok"] is True
    html = home(client, cast)
    assert "Intact at the last verification" in html
    assert f"{job.result['checked']} events checked" in html


def test_it_shows_a_broken_chain_from_the_last_verification(
    client, cast, django_capture_on_commit_callbacks
):
    with transaction.atomic():
        audit.record(cast.actor("sanhe"), "test.event")
    AuditEvent.objects.create(action="forged", prev_hash="f" * 64, hash="e" * 64)
    client.force_login(cast.users["auditor"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:audit_verify"))
    html = home(client, cast)
    assert "Broken at the last verification" in html
    assert "link to the previous event is broken" in html


def test_it_refuses_a_second_verification_while_one_is_under_way(client, cast):
    Job.objects.create(kind=VERIFY_JOB, status="running", heartbeat_at=timezone.now())
    client.force_login(cast.users["auditor"])
    english(client)
    response = client.post(reverse("accounts:audit_verify"), follow=True)
    assert "already under way" in response.content.decode()
    assert Job.objects.filter(kind=VERIFY_JOB).count() == 1


def test_it_lets_only_the_auditor_verify_the_chain(client, cast):
    client.force_login(cast.users["secadmin"])
    assert client.post(reverse("accounts:audit_verify")).status_code == 403
    assert not Job.objects.filter(kind=VERIFY_JOB).exists()


def test_it_shows_a_verification_started_by_another_auditor(client, cast):
    from xietong.accounts.models import Role
    from xietong.conftest import make_user

    other = make_user("auditor2", Role.AUDITOR)
    Job.objects.create(
        kind=VERIFY_JOB,
        owner=other,
        status="succeeded",
        result={"ok": True, "checked": 7, "problems": []},
        finished_at=timezone.now() - dt.timedelta(hours=1),
    )
    assert "7 events checked" in home(client, cast)


def test_it_answers_in_a_bounded_number_of_queries(client, cast, django_assert_max_num_queries):
    client.force_login(cast.users["auditor"])
    with django_assert_max_num_queries(11):
        assert client.get(reverse("workbench:home")).status_code == 200
