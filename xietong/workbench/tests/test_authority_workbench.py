"""The authority's workbench: approvals due, runs to publish, overdue reports, and its own
region in numbers with a trend per term; a viewer sees the numbers, not the queues."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from xietong.core.termfields import current_term
from xietong.exchanges.choices import ProgramStatus
from xietong.exchanges.models import MatchingRun, Program
from xietong.exchanges.tests import conftest as exchanges_fixtures
from xietong.workbench.tests.conftest import active, apply, count, english, queue


def home(client, ex, username: str = "sanhe") -> str:
    client.force_login(ex.cast.users[username])
    english(client)
    return client.get(reverse("workbench:home")).content.decode()


def recommend(ex, app_id: int, *, notice_ended: bool) -> None:
    """The school recommends today; the notice runs, or has run its course as time would."""
    exchanges_fixtures.recommend(ex, app_id)
    if notice_ended:
        exchanges_fixtures.notice_over(app_id)


def test_it_lists_an_approval_due_once_the_public_notice_has_ended(client, ex):
    app = apply(ex)
    recommend(ex, app.pk, notice_ended=True)
    html = home(client, ex)
    panel = queue(html, "approvals")
    assert count(html, "approvals") == 1
    assert reverse("exchanges:application_approve", args=[app.pk]) in panel


def test_it_counts_applications_still_in_their_notice_without_listing_them(client, ex):
    app = apply(ex)
    recommend(ex, app.pk, notice_ended=False)
    html = home(client, ex)
    assert count(html, "approvals") == 0
    assert "1 more is still in its public notice." in queue(html, "approvals")


def test_it_lists_a_finished_run_to_publish_for_the_programs_manager_only(client, ex):
    Program.objects.filter(pk=ex.program.pk).update(status=ProgramStatus.MATCHING)
    run = MatchingRun.objects.create(program=ex.program, mode="stable", status="done")
    panel = queue(home(client, ex), "runs")
    assert reverse("exchanges:run_detail", args=[run.pk]) in panel
    assert count(home(client, ex, "beijing"), "runs") is None


def test_it_lists_placements_of_its_region_whose_completion_report_is_overdue(client, ex):
    placement = active(ex, starts=-90, ends=-2)
    html = home(client, ex)
    assert count(html, "overdue") == 1
    assert reverse("exchanges:placement_detail", args=[placement.pk]) in queue(html, "overdue")
    assert count(home(client, ex, "tongzhou"), "overdue") == 1  # the host's authority too
    assert count(home(client, ex, "beijing"), "overdue") == 1  # Tongzhou lies in Beijing


def test_it_counts_the_institutions_staff_and_active_placements_of_its_own_region(client, ex):
    active(ex)
    html = home(client, ex)
    assert count(html, "region-institutions") == 2  # Sanhe Experimental and the bureau
    assert count(html, "region-staff") == 1
    assert count(html, "region-placements") == 1
    assert "?area=131082" in html
    hebei = home(client, ex, "hebei_viewer")
    assert count(hebei, "region-institutions") == 4  # with Dachang campus and Xiongxian No. 1
    assert count(hebei, "region-staff") == 3


def test_it_shows_teachers_sent_and_hosted_per_term(client, ex):
    term = current_term()
    Program.objects.filter(pk=ex.program.pk).update(school_year=term.year_label, term=term.term)
    active(ex)
    html = home(client, ex)
    with translation.override("en"):
        assert term.label() in html
    trend = html[html.index('data-testid="trend"') :]
    assert '<span class="xt-num">1</span>' in trend
    beijing = home(client, ex, "beijing")
    assert "Teachers hosted" in beijing


def test_it_shows_a_viewer_the_numbers_but_no_action_queues(client, ex):
    app = apply(ex)
    recommend(ex, app.pk, notice_ended=True)
    html = home(client, ex, "hebei_viewer")
    assert 'data-testid="section-authority"' in html
    assert 'data-testid="viewer-note"' in html
    assert "queue-approvals" not in html and "clear-approvals" not in html


def test_it_answers_in_a_bounded_number_of_queries(client, ex, django_assert_max_num_queries):
    active(ex, starts=-90, ends=-2)
    client.force_login(ex.cast.users["sanhe"])
    # One per queue (partnerships, progress reports, shared resources to review, training
    # programs to complete) and one for the navigation's review entry.
    with django_assert_max_num_queries(26):
        assert client.get(reverse("workbench:home")).status_code == 200
