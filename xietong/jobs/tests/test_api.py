"""Jobs over JSON: /api/jobs/{id}, the list of mine, retry and cancel."""

from __future__ import annotations

from typing import Any

from xietong.api_tests.conftest import assert_error
from xietong.jobs import services
from xietong.jobs.choices import JobStatus
from xietong.jobs.models import Job
from xietong.jobs.tests import kinds


def _job(cast: Any, kind: str = kinds.COUNT, username: str = "sanhe", run: bool = True) -> Job:
    job = services.enqueue(cast.actor(username), kind, {"n": 2}, dispatch=False)
    return services.run_now(job) if run else job


def test_it_shows_a_job_with_its_progress_and_what_i_may_do(api, cast):
    job = _job(cast, kinds.FLAKY)
    body = api.get(f"/api/jobs/{job.pk}", as_="sanhe").json()
    assert body["id"] == job.pk and body["kind"] == kinds.FLAKY and body["status"] == "failed"
    assert body["message"] == "Row 7 could not be read." and body["actions"] == ["retry"]
    assert body["attempts"] == 1 and body["target"] is None and body["result_file"] is None
    zh = api.get(f"/api/jobs/{job.pk}", as_="sanhe", lang="zh-hans").json()
    assert zh["status_label"] == "失败"


def test_it_answers_404_for_another_users_job_and_401_without_credentials(api, cast):
    job = _job(cast)
    assert_error(api.get(f"/api/jobs/{job.pk}", as_="tongzhou"), 404, "not_found")
    assert_error(api.post(f"/api/jobs/{job.pk}/retry", as_="tongzhou"), 404, "not_found")
    assert_error(api.get(f"/api/jobs/{job.pk}"), 401, "unauthenticated")
    assert_error(api.get("/api/jobs/99999999", as_="sanhe"), 404, "not_found")


def test_it_lists_only_my_jobs_filtered_by_status(api, cast):
    mine, failed = _job(cast), _job(cast, kinds.FLAKY)
    _job(cast, username="tongzhou")
    body = api.get("/api/jobs/", as_="sanhe").json()
    assert body["count"] == 2 and [j["id"] for j in body["items"]] == [failed.pk, mine.pk]
    only = api.get("/api/jobs/", {"status": "failed"}, as_="sanhe").json()
    assert [j["id"] for j in only["items"]] == [failed.pk]
    assert_error(api.get("/api/jobs/", {"status": "lost"}, as_="sanhe"), 422, "invalid")


def test_it_retries_a_failed_job_and_refuses_a_running_one(
    api, cast, django_capture_on_commit_callbacks
):
    failed = _job(cast, kinds.FLAKY)
    with django_capture_on_commit_callbacks(execute=True) as dispatched:
        response = api.post(f"/api/jobs/{failed.pk}/retry", as_="sanhe")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    assert any(c.__name__ == "dispatch" for c in dispatched)  # to the task backend on commit
    failed.refresh_from_db()
    assert failed.status == JobStatus.SUCCEEDED and failed.attempts == 2
    running = _job(cast, run=False)
    Job.objects.filter(pk=running.pk).update(status=JobStatus.RUNNING)
    body = assert_error(api.post(f"/api/jobs/{running.pk}/retry", as_="sanhe"), 409, "conflict")
    assert body["message"] == "This job is running (0%); retry it only once it has failed."


def test_it_cancels_a_queued_job(api, cast):
    job = _job(cast, run=False)
    body = api.post(f"/api/jobs/{job.pk}/cancel", as_="sanhe").json()
    assert body["status"] == "cancelled" and body["actions"] == ["retry"]
    assert_error(api.post(f"/api/jobs/{job.pk}/cancel", as_="sanhe"), 409, "conflict")
