"""A real browser follows a job: the partial polls every 2 s, the bar moves, a finished job
reloads the page with its result, and a lapsed one shows the worker-stopped message with a
retry button. Pages are shot to ``test-artifacts/jobs/``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from xietong.accounts.access import actor_for
from xietong.conftest import make_user
from xietong.core.compile_messages import compile_all
from xietong.jobs import services
from xietong.jobs.choices import JobStatus
from xietong.jobs.models import Job
from xietong.jobs.tests import kinds
from xietong.tests_browser.test_exchange_journey import Person
from xietong.tests_browser.test_journey import CHROMIUM, _empty_the_audit_log_for_the_flush

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
compile_all()

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "jobs"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="needs Debian's chromium"),
]


@pytest.fixture
def owner(transactional_db: Any, django_db_serialized_rollback: Any) -> Iterator[Any]:
    yield make_user("runner")
    _empty_the_audit_log_for_the_flush()


def _shot(person: Person, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    person.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_it_follows_a_job_until_it_finishes_and_offers_a_retry_when_its_worker_stops(
    live_server: Any, owner: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    job = services.enqueue(actor_for(owner), kinds.COUNT, {"n": 4}, dispatch=False)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        done=1,
        total=4,
        message_code="Counting",
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        attempts=1,
    )
    person = Person(browser, live_server.url, "runner")
    page = person.go(f"/jobs/{job.pk}/")
    status = page.get_by_test_id("job-status")
    expect(status).to_have_attribute("data-status", "running")
    expect(page.locator("[role=progressbar]")).to_have_attribute("aria-valuenow", "25")
    _shot(person, "01-running-zh")

    Job.objects.filter(pk=job.pk).update(done=3, heartbeat_at=timezone.now())
    expect(page.locator("[role=progressbar]")).to_have_attribute(
        "aria-valuenow", "75", timeout=8_000
    )  # polled, not reloaded
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, done=4, result={"counted": 4}, finished_at=timezone.now()
    )
    expect(page.get_by_test_id("job-result")).to_contain_text('"counted": 4', timeout=8_000)
    expect(status).to_have_attribute("data-status", "succeeded")
    _shot(person, "02-succeeded-zh")

    lost = services.enqueue(actor_for(owner), kinds.FLAKY, dispatch=False)
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    Job.objects.filter(pk=lost.pk).update(
        status=JobStatus.RUNNING, started_at=long_ago, heartbeat_at=long_ago, attempts=1
    )
    person.english()
    page = person.go(f"/jobs/{lost.pk}/")
    expect(page.get_by_test_id("job-message")).to_contain_text("The worker stopped")
    expect(page.get_by_test_id("job-retry")).to_be_visible()
    _shot(person, "03-worker-stopped-en")
    page.get_by_test_id("job-retry").click()  # inline task backend: attempt 2 succeeds
    expect(page.get_by_test_id("job-status")).to_have_attribute("data-status", "succeeded")
    person.go("/jobs/")
    expect(page.get_by_test_id("job-table")).to_contain_text("Flaky")
    _shot(person, "04-my-jobs-en")
