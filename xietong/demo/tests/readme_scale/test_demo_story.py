"""The README's demo (its default scale) tells a plausible story of exchanges: people are
sent once, not term after term; some runs leave applicants without a place, whose reasons
can be read; the open programs offer several hosts to choose from."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from xietong.core.terms import SchoolTerm
from xietong.exchanges.choices import ProgramStatus, RunStatus
from xietong.exchanges.models import Application, MatchResult, Placement, Program

# one worker loads the shared demo of these tests (see scripts/run_tests.sh)
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("readme_scale")]


def test_nobody_is_placed_in_two_terms_running(demo: None) -> None:
    terms_of: dict[int, list[SchoolTerm]] = {}
    for applicant, key in Placement.objects.values_list(
        "application__applicant_id", "application__program__term_key"
    ):
        terms_of.setdefault(applicant, []).append(SchoolTerm.from_key(key))
    assert len(terms_of) > 40
    for terms in terms_of.values():
        ordered = sorted(terms)
        assert all(b != a.next() for a, b in itertools.pairwise(ordered)), ordered


def test_some_published_runs_leave_applicants_unmatched_with_a_reason(demo: None) -> None:
    unmatched = MatchResult.objects.filter(slot__isnull=True, run__status=RunStatus.PUBLISHED)
    assert unmatched.values("run").distinct().count() >= 1
    assert all(r.explanation.get("code") for r in unmatched)


def test_an_open_program_offers_several_hosts_to_choose_from(demo: None) -> None:
    open_programs = Program.objects.filter(status=ProgramStatus.OPEN)
    assert any(p.max_choices >= 3 and p.offers.count() >= 3 for p in open_programs)


def test_notifications_are_dated_at_the_step_they_tell_of_and_old_ones_are_read(
    demo: None,
) -> None:
    from django.utils import timezone

    from xietong.notifications.models import Notification

    confirmed = Notification.objects.filter(code="exchanges.application_confirmed")
    assert confirmed.exists()
    for n in confirmed:
        assert n.created_at == Application.objects.get(pk=n.target_id).confirmed_at
    month_ago = timezone.now() - dt.timedelta(days=30)
    started = Notification.objects.filter(code="exchanges.placement_started")
    assert started.filter(created_at__lt=month_ago).exists()
    assert not started.filter(created_at__lt=month_ago, read_at__isnull=True).exists()
    assert not Notification.objects.filter(created_at__gt=timezone.now()).exists()
