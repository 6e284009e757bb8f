"""Matching runs: instance building, deterministic ties, bad input, publication."""

from __future__ import annotations

import pytest
from django.utils import translation

from xietong.conftest import make_staff
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.exchanges import selectors, services
from xietong.exchanges.choices import AppStatus, RunStatus
from xietong.exchanges.models import Application, HostOffer, OfferSlot
from xietong.exchanges.tests.conftest import approve, close
from xietong.jobs.choices import JobStatus


def _applicants(ex, n):
    """n approved applicants at Sanhe Experimental, all ranking the one offer."""
    admin = ex.actor("school_admin")
    apps = []
    for i in range(n):
        s = make_staff(f"教师{i}", ex.cast.sanhe_school, 20 + i)
        app = services.create_application(
            admin, ex.program.pk, choices=[ex.offer.pk], applicant=s.pk, submit=True
        )
        approve(ex, app.pk)
        apps.append(app)
    return apps


def _run(ex, mode="stable", params=None):
    run = services.start_matching_run(ex.actor("sanhe"), ex.program.pk, mode, params, enqueue=False)
    return services.execute_matching_run(run.pk)


def test_it_breaks_ties_by_application_id_deterministically(ex):
    apps = _applicants(ex, 3)  # two places, three equal applicants
    close(ex)
    run = _run(ex)
    got = {r.application_id: r.slot_id for r in run.results.all()}
    assert [got[a.pk] is not None for a in apps] == [True, True, False]
    second = _run(ex)
    assert {r.application_id: r.slot_id for r in second.results.all()} == got
    loser = run.results.get(application=apps[2])
    (step,) = loser.explanation["steps"]
    assert step["code"] == "full" and step["choice"] == 1 and step["capacity"] == 2
    assert (step["cutoff"], step["rank"]) == (2, 3)  # the last admitted ranks 2nd, the loser 3rd
    assert run.statistics["matched_share"] == pytest.approx(2 / 3, abs=1e-3)
    assert run.statistics["rank_distribution"] == {"1": 2, "unmatched": 1}


def test_it_ranks_backbone_teachers_first(ex):
    apps = _applicants(ex, 3)
    apps[2].applicant.honours = ",backbone,"
    apps[2].applicant.save()
    close(ex)
    run = _run(ex, params={"ranking": ["backbone_first"]})
    assert run.results.get(application=apps[2]).slot_id is not None
    assert run.results.get(application=apps[1]).slot_id is None


def test_it_runs_min_cost_mode(ex):
    _applicants(ex, 2)
    close(ex)
    run = _run(ex, "min_cost")
    assert run.status == RunStatus.DONE and run.statistics["matched"] == 2
    assert run.results.first().explanation["code"] == "min_cost_matched"


def test_it_leaves_an_applicant_without_fitting_choices_unmatched_with_a_reason(ex):
    (app,) = _applicants(ex, 1)
    app.applicant.subjects = ",英语,"
    app.applicant.save()
    close(ex)
    run = _run(ex)
    res = run.results.get()
    assert res.slot_id is None and res.explanation == {"code": "no_fitting_slot"}


def test_it_refuses_a_run_without_offers(ex):
    _applicants(ex, 1)
    close(ex)
    Application.objects.update(status=AppStatus.APPROVED)
    HostOffer.objects.filter(pk=ex.offer.pk).update(
        program=services.repeat_program(ex.actor("sanhe"), ex.program.pk, with_offers=False)
    )
    with pytest.raises(InvalidInput, match="no host offers"):
        services.start_matching_run(ex.actor("sanhe"), ex.program.pk, "stable")


def test_it_refuses_a_run_with_only_zero_capacity_slots(ex):
    _applicants(ex, 1)
    close(ex)
    OfferSlot.objects.update(capacity=0)
    with pytest.raises(InvalidInput, match="no places"):
        services.start_matching_run(ex.actor("sanhe"), ex.program.pk, "stable")


def test_it_refuses_a_run_without_approved_applications(ex):
    close(ex)
    with pytest.raises(InvalidInput, match="no approved"):
        services.start_matching_run(ex.actor("sanhe"), ex.program.pk, "stable")


def test_it_refuses_runs_of_programs_you_do_not_manage(ex):
    _applicants(ex, 1)
    close(ex)
    for outsider in ("tongzhou", "beijing", "school_admin", "teacher"):
        with pytest.raises(PermissionDenied):
            services.start_matching_run(ex.actor(outsider), ex.program.pk, "stable")


def test_it_refuses_bad_parameters_and_an_open_program(ex):
    _applicants(ex, 1)
    with pytest.raises(Conflict, match="Close"):
        services.start_matching_run(ex.actor("sanhe"), ex.program.pk, "stable")
    close(ex)
    with pytest.raises(InvalidInput, match="ranking"):
        services.start_matching_run(
            ex.actor("sanhe"), ex.program.pk, "stable", {"ranking": ["height"]}
        )
    with pytest.raises(InvalidInput):
        services.start_matching_run(ex.actor("sanhe"), ex.program.pk, "fastest")


def test_it_hides_results_until_published_and_publishes_once(ex):
    apps = _applicants(ex, 3)
    close(ex)
    run = _run(ex)
    sanhe = ex.actor("sanhe")
    assert selectors.run_results(sanhe, run.pk).count() == 3
    with pytest.raises(NotFound):  # a run is read by the program's authorities only
        selectors.run_results(ex.actor("teacher"), run.pk)
    services.publish_run(sanhe, run.pk)
    assert OfferSlot.objects.get().taken == 2
    statuses = list(Application.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [AppStatus.MATCHED, AppStatus.MATCHED, AppStatus.APPROVED]
    with pytest.raises(Conflict):
        services.publish_run(sanhe, run.pk)
    assert apps


def test_it_records_a_failed_run_with_its_reason(ex):
    _applicants(ex, 1)
    close(ex)
    run = services.start_matching_run(ex.actor("sanhe"), ex.program.pk, "stable", enqueue=False)
    OfferSlot.objects.update(capacity=0)
    run = services.execute_matching_run(run.pk)
    assert run.state == RunStatus.FAILED and run.status == RunStatus.QUEUED  # no results
    assert run.job.status == JobStatus.FAILED and not run.results.exists()
    assert "no places" in run.job.message
    with translation.override("zh-hans"):  # stored as a code, rendered for each reader
        assert run.job.message == "该项目的所有岗位都已满或没有名额。"
