"""The demo's synthetic partnerships make the live network follow the reported outcomes:
at the demo's scale the N ↔ M counts at 2023-10, 2024-05 and 2025-11 equal the scaled
targets (named partnerships counted too), with activities across 2023–2025."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from xietong.demo import network as demo_network
from xietong.partnerships.models import Activity, Partnership
from xietong.partnerships.network import cooperation_counts

# one worker loads the shared demo of these tests (see scripts/run_tests.sh)
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_network")]
SCALE = "0.02"


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[list[tuple[int, int]]]:
    """The named partnerships' own counts, then the demo at its README scale."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", "--scale", "0", stdout=StringIO(), stderr=StringIO())
        named = [(c.bjtj, c.hebei) for c in map(cooperation_counts, demo_network.DATES)]
        call_command("demo", "--scale", SCALE, stdout=StringIO(), stderr=StringIO())
        yield named
        transaction.set_rollback(True)


def test_the_targets_are_the_reported_figures_at_full_scale():
    named = [(10, 10)] * 3
    assert demo_network.targets(1, named) == [(202, 273), (246, 370), (314, 496)]


def test_the_targets_at_a_small_scale_have_a_floor_and_never_fall_below_the_named():
    assert demo_network.targets("0.02", [(0, 0)] * 3) == [(20, 27), (25, 37), (31, 50)]
    # Named schools above the floor stand; synthetic ones once added stay (2025: 40 + 25).
    assert demo_network.targets("0.02", [(25, 10), (25, 12), (25, 40)]) == [
        (25, 27),
        (25, 37),
        (31, 65),
    ]


def test_the_demo_counts_equal_the_targets_at_the_three_dates(demo):
    wanted = demo_network.targets(Decimal(SCALE), demo)
    reached = [(c.bjtj, c.hebei) for c in map(cooperation_counts, demo_network.DATES)]
    assert reached == wanted
    assert reached[0] < reached[1] < reached[2]


def test_the_synthetic_partnerships_have_activities_in_every_year(demo):
    synthetic = Partnership.objects.filter(description=demo_network.NOTE)
    assert synthetic.count() >= 30
    years = set(
        Activity.objects.filter(partnership__in=synthetic).values_list(
            "occurred_on__year", flat=True
        )
    )
    assert years == set(range(2023, timezone.localdate().year + 1))
    assert not Activity.objects.filter(
        partnership__in=synthetic, institutions__isnull=True
    ).exists()


def test_loading_the_demo_again_adds_no_partnership(demo):
    before = Partnership.objects.count()
    assert demo_network.load().status == "already_loaded"
    assert Partnership.objects.count() == before


def test_synthetic_schools_pair_with_schools_of_their_own_band(demo):
    pairs = [
        [m.institution for m in p.members.all()]
        for p in Partnership.objects.filter(description=demo_network.NOTE).prefetch_related(
            "members__institution"
        )
    ]
    same = sum(demo_network.band(a) == demo_network.band(b) for a, b in pairs)
    assert same / len(pairs) >= 0.9


def test_the_named_partnerships_log_activities_of_their_kind(demo):
    named = Partnership.objects.exclude(description=demo_network.NOTE).filter(
        status="active", recommended=False
    )
    logged = Activity.objects.filter(partnership__in=named)
    assert logged.values("partnership").distinct().count() >= named.count() - 2
    assert not logged.filter(occurred_on__lt=demo_network.RECORDS_FROM).exists()
    for partnership_kind, kind in logged.values_list("partnership__kind", "kind").distinct():
        assert kind in demo_network.ACTIVITY_KINDS[partnership_kind]


def test_some_partnerships_fall_quiet_and_the_rest_log_up_to_today(demo):
    last = Activity.objects.order_by("-occurred_on").values_list("occurred_on", flat=True)[0]
    assert (timezone.localdate() - last).days < 60
    quiet = Partnership.objects.filter(status="active").exclude(
        activities__occurred_on__gte=timezone.localdate().replace(month=1, day=1)
    )
    assert 0 < quiet.count() < Partnership.objects.filter(status="active").count() / 3


def test_named_partnerships_and_agreements_are_dated_as_the_story_goes(demo):
    from xietong.partnerships.models import AgreementVersion

    for p in Partnership.objects.exclude(description=demo_network.NOTE).filter(
        status="active", recommended=False
    ):
        assert timezone.localdate(p.activated_at) == p.starts_on
    for v in AgreementVersion.objects.filter(number=1):
        assert v.created_at < v.approved_at
        assert timezone.localdate(v.approved_at) <= v.starts_on
        assert all(a.approved_at <= v.approved_at for a in v.approvals.all())
    for v in AgreementVersion.objects.filter(number=2):
        assert (timezone.now() - v.created_at).days < 30
