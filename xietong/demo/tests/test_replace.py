"""``xietong demo --replace`` after the demo has been worked on: the staff tallies, a
partner recommendation and the draft partnership it registered refer to the population
being replaced; they are removed with it, and no reference is left dangling. A record the
demo did not make is refused by name, and the database is left as it was.

Inside a test the foreign keys are checked only at the end of the transaction, which a
test never reaches: ``connection.check_constraints()`` checks them on the spot."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from xietong.accounts.access import actor_for
from xietong.accounts.models import AuditEvent, User
from xietong.demo import named, synthetic
from xietong.demo.models import DemoLoad
from xietong.exchanges.models import Program
from xietong.institutions import tallies
from xietong.institutions.models import Institution, StaffTally
from xietong.partnerships.choices import MemberRole, PartnershipStatus
from xietong.partnerships.models import Member, Partnership
from xietong.partnerships.recommendation_models import Proposal, RecommendationRun
from xietong.partnerships.services import recommendations
from xietong.regions.models import Region

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


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


def test_it_replaces_a_population_the_demo_worked_on_and_leaves_no_dangling_reference():
    run("demo", "--scale", "0.001", "--seed", "3")
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


def test_it_deletes_the_staff_tallies_of_the_population_it_replaces():
    synthetic.load(Decimal("0.001"), seed=7)
    tallies.rebuild()  # as the command does after a load
    old = DemoLoad.objects.get().institution_ids
    first, last = old[0]
    assert StaffTally.objects.filter(institution_id__gte=first, institution_id__lte=last)
    synthetic.load(Decimal("0.002"), seed=7, replace=True)
    connection.check_constraints()
    assert not StaffTally.objects.filter(institution_id__gte=first, institution_id__lte=last)


def test_it_refuses_by_name_to_replace_a_population_in_a_partnership_it_did_not_make():
    run("demo", "--scale", "0.001", "--seed", "3")
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
