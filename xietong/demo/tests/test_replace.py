"""``xietong demo`` on a database it has loaded (scale 0.001, seed 3, once for the module
and rolled back after): the first load's counts; the same load again does nothing; another
scale is refused unless ``--replace``. ``--replace`` after the demo has been worked on: a
partner recommendation and the draft partnership it registered refer to the population
being replaced; they are removed with it, and no reference is left dangling. A record the
demo did not make is refused by name, and the database is left as it was.

Inside a test the foreign keys are checked only at the end of the transaction, which a
test never reaches: ``connection.check_constraints()`` checks them on the spot."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from xietong.accounts.access import actor_for
from xietong.accounts.models import AuditEvent, User
from xietong.demo import named
from xietong.demo.models import DemoLoad
from xietong.exchanges.models import Program
from xietong.institutions.models import Institution
from xietong.partnerships.choices import MemberRole, PartnershipStatus
from xietong.partnerships.models import Member, Partnership
from xietong.partnerships.recommendation_models import Proposal, RecommendationRun
from xietong.partnerships.services import recommendations
from xietong.regions.models import Region

# one worker loads the shared demo of these tests (see scripts/run_tests.sh)
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_replace")]


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """``xietong demo --scale 0.001 --seed 3`` once for the module (its output), rolled
    back after; each test's own writes are rolled back after the test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield run("demo", "--scale", "0.001", "--seed", "3")
        transaction.set_rollback(True)


def test_it_loads_named_and_synthetic_data_and_prints_counts(loaded: str) -> None:
    out = loaded
    assert "Named entities: 46 created" in out
    assert "Partnerships: 33 created" in out
    assert "43 institutions and 1,400 staff" in out
    assert "河北省" in out and "Demo data ready in" in out
    load = DemoLoad.objects.get()
    assert (load.scale, load.seed) == (Decimal("0.001"), 3)


def test_it_does_nothing_the_second_time(loaded: str) -> None:
    events = AuditEvent.objects.count()
    out = run("demo", "--scale", "0.001", "--seed", "3")
    assert "already loaded, nothing to do" in out
    assert "0 created, 0 updated" in out
    assert AuditEvent.objects.count() == events


def test_it_tells_the_user_to_use_a_fresh_database_for_another_scale(loaded: str) -> None:
    with pytest.raises(CommandError, match=r"fresh database.*--replace"):
        run("demo", "--scale", "0.002", "--seed", "3")
    out = run("demo", "--scale", "0.002", "--seed", "3", "--replace")
    assert "Replaced the synthetic population at scale 0.001" in out


def synthetic_school(load: DemoLoad) -> Institution:
    """A Hebei school of the synthetic population in no partnership."""
    first, last = load.institution_ids[0]
    school = (
        Institution.objects.filter(id__gte=first, id__lte=last, region__code__startswith="13")
        .exclude(kind="authority")
        .exclude(pk__in=Member.objects.values("institution_id"))
        .order_by("pk")
        .first()
    )
    assert school is not None
    return school


def recommended_draft(school: Institution) -> Partnership:
    """A recommendation for the school's county, accepted by 三河市's demo authority."""
    run_row = RecommendationRun.objects.create(
        area=school.region.code,
        area_name=school.region.name,
        region=Region.objects.get(code="131082"),
        status="done",
    )
    proposal = Proposal.objects.create(
        run=run_row, school=school, partner=named.institution("bj_school")
    )
    return recommendations.accept_proposal(
        actor_for(User.objects.get(username="sanhe")), proposal.pk
    )


def test_it_replaces_a_population_the_demo_worked_on_and_leaves_no_dangling_reference(
    loaded: str,
) -> None:
    load = DemoLoad.objects.get()
    school = synthetic_school(load)
    draft = recommended_draft(school)
    out = run("demo", "--scale", "0.001", "--seed", "3", "--replace")
    assert "Replaced the synthetic population at scale 0.001, seed 3." in out
    assert "Removed 1 partner recommendations and 1 draft partnerships" in out
    connection.check_constraints()
    assert not Institution.objects.filter(pk=school.pk).exists()
    assert not Partnership.objects.filter(pk=draft.pk).exists()
    assert not RecommendationRun.objects.exists()
    assert AuditEvent.objects.filter(action="demo.recommendations_delete").count() == 1
    assert Program.objects.exists()  # the demo exchanges, loaded again


def test_it_refuses_by_name_to_replace_a_population_in_a_partnership_it_did_not_make(
    loaded: str,
) -> None:
    school = synthetic_school(DemoLoad.objects.get())
    kept = Partnership.objects.create(
        name="自建的结对",
        kind="paired",
        region=Region.objects.get(code="131082"),
        status=PartnershipStatus.ACTIVE,
        starts_on="2024-09-01",
    )
    Member.objects.create(
        partnership=kept, institution=school, role=MemberRole.SUPPORTED, joined_on="2024-09-01"
    )
    programs = Program.objects.count()
    with pytest.raises(CommandError, match="cannot be deleted"):
        run("demo", "--scale", "0.002", "--seed", "3", "--replace")
    assert Program.objects.count() == programs  # nothing was removed before the refusal
    assert DemoLoad.objects.get().scale == Decimal("0.001")
    connection.check_constraints()
