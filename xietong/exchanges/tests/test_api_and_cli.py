"""The JSON API and the ``match`` command over the same services."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from xietong.conftest import make_staff
from xietong.exchanges import services
from xietong.exchanges.choices import AppStatus, RunStatus
from xietong.exchanges.models import Application, MatchingRun
from xietong.exchanges.tests.conftest import approve, close

pytestmark = pytest.mark.urls("xietong.exchanges.tests.urls")


def client_for(ex, username):
    c = Client(headers={"Accept-Language": "en"})
    c.force_login(ex.cast.users[username])
    return c


def _many_applications(ex, n):
    for i in range(n):
        s = make_staff(f"接口{i}", ex.cast.sanhe_school, 100 + i)
        services.create_application(
            ex.actor("school_admin"), ex.program.pk, choices=[ex.offer.pk], applicant=s.pk
        )


def test_it_applies_and_moves_through_the_workflow_over_json(ex):
    teacher = client_for(ex, "teacher")
    r = teacher.post(
        f"/api/exchanges/programs/{ex.program.pk}/applications",
        {"choices": [ex.offer.pk], "statement": "我想去", "submit": True},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    app = r.json()
    assert app["status"] == "submitted" and app["choices"][0]["host"] == "Tongzhou No. 1"
    r = client_for(ex, "sanhe").post(f"/api/exchanges/applications/{app['id']}/approve")
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = client_for(ex, "tongzhou").post(
        f"/api/exchanges/applications/{app['id']}/reject",
        {"reason": "no"},
        content_type="application/json",
    )
    assert r.status_code == 404 and r.json()["code"] == "not_found"  # not in its scope


def test_it_answers_bad_input_with_specific_json(ex):
    teacher = client_for(ex, "teacher")
    r = teacher.post(
        f"/api/exchanges/programs/{ex.program.pk}/applications",
        {"choices": [ex.offer.pk, ex.offer.pk]},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert r.json()["fields"]["choices"] == ["The same offer is chosen twice."]
    r = teacher.post(
        f"/api/exchanges/programs/{ex.program.pk}/applications",
        {"choices": "x", "colour": 1},
        content_type="application/json",
    )
    assert r.status_code == 422 and set(r.json()["fields"]) >= {"choices", "colour"}


@pytest.mark.parametrize(
    "username,url",
    [
        ("sanhe", "/api/exchanges/applications"),
        ("sanhe", "/api/exchanges/programs"),
        ("school_admin", "/api/exchanges/applications"),
        ("teacher", "/api/exchanges/notifications"),
        ("tongzhou", "/api/exchanges/placements"),
    ],
)
def test_it_lists_with_a_bounded_number_of_queries(
    ex, username, url, django_assert_max_num_queries
):
    client = client_for(ex, username)
    _many_applications(ex, 3)
    client.get(url)  # warm up the session and the actor
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    _many_applications_more = 12
    for i in range(_many_applications_more):
        s = make_staff(f"更多{i}", ex.cast.sanhe_school, 200 + i)
        services.create_application(
            ex.actor("school_admin"), ex.program.pk, choices=[ex.offer.pk], applicant=s.pk
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_it_runs_and_publishes_over_json(ex, django_capture_on_commit_callbacks):
    app = services.create_application(
        ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk], submit=True
    )
    approve(ex, app.pk)
    close(ex)
    sanhe = client_for(ex, "sanhe")
    with django_capture_on_commit_callbacks(execute=True):
        r = sanhe.post(
            f"/api/exchanges/programs/{ex.program.pk}/runs",
            {"mode": "stable"},
            content_type="application/json",
        )
    assert r.status_code == 202, r.content
    run_id = r.json()["id"]
    r = sanhe.get(f"/api/exchanges/runs/{run_id}")
    assert r.json()["status"] == "done" and r.json()["progress"] == 100
    teacher = client_for(ex, "teacher")
    assert teacher.get(f"/api/exchanges/applications/{app.pk}/result").json() is None
    assert teacher.get(f"/api/exchanges/runs/{run_id}").status_code == 404
    assert sanhe.post(f"/api/exchanges/runs/{run_id}/publish").json()["status"] == "published"
    mine = teacher.get("/api/exchanges/my/results").json()
    assert mine[0]["host"] == "Tongzhou No. 1" and mine[0]["rank"] == 1
    r = teacher.post(
        f"/api/exchanges/applications/{app.pk}/confirm", {}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["host"]["name"] == "Tongzhou No. 1"


def test_it_matches_from_the_command_line(ex):
    app = services.create_application(
        ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk], submit=True
    )
    approve(ex, app.pk)
    close(ex)
    out = io.StringIO()
    call_command("match", str(ex.program.pk), "--publish", stdout=out, stderr=io.StringIO())
    assert '"matched": 1' in out.getvalue()
    assert MatchingRun.objects.get().status == RunStatus.PUBLISHED
    assert Application.objects.get().status == AppStatus.MATCHED


def test_it_refuses_bad_command_line_input_clearly(ex):
    with pytest.raises(CommandError, match="No exchange program"):
        call_command("match", "999999", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Close the applications"):
        call_command("match", str(ex.program.pk), stdout=io.StringIO(), stderr=io.StringIO())
    close(ex)
    with pytest.raises(CommandError, match="no approved"):
        call_command("match", str(ex.program.pk), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="authority administrator"):
        call_command("match", str(ex.program.pk), "--as-user", "teacher", stdout=io.StringIO())
