"""The flows of use: numbers per provider and user side, the partnership share, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from xietong.conftest import Cast
from xietong.core.errors import InvalidInput, NotFound, PermissionDenied
from xietong.partnerships.choices import MemberRole, PartnershipStatus
from xietong.partnerships.models import Member
from xietong.partnerships.tests.conftest import make_partnership
from xietong.resources import flows
from xietong.resources.flows import FlowFilters, ProviderFilters
from xietong.resources.tests import flow_world
from xietong.resources.tests.flow_world import AUTUMN, SPRING, FlowWorld

pytestmark = pytest.mark.django_db

AUTUMN_TERM = "2025-2026-1"
SPRING_TERM = "2025-2026-2"


@pytest.fixture
def fw(world: Cast, monkeypatch: pytest.MonkeyPatch) -> FlowWorld:
    return flow_world.build(world, monkeypatch)


def table(result: flows.Flows) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    return {
        (r.provider, r.user): (r.uses, r.lesson_uses, r.teachers, r.schools) for r in result.rows
    }


def paired(fw: FlowWorld, **extra: object) -> None:
    make_partnership(
        "通州一中—三河实验结对帮扶",
        "131082",
        [
            (fw.cast.tongzhou_school, MemberRole.LEAD),
            (fw.cast.sanhe_school, MemberRole.SUPPORTED),
        ],
        **extra,
    )


def test_it_counts_the_flows_from_cities_to_counties(fw: FlowWorld) -> None:
    result = flows.flows(fw.cast.actor("hebei_viewer"), FlowFilters(term=AUTUMN_TERM))
    assert table(result) == {
        ("北京市", "廊坊市三河市"): (3, 2, 1, 1),
        ("北京市", "廊坊市大厂回族自治县"): (1, 0, 1, 1),
        ("北京市", "保定市雄县"): (1, 1, 1, 1),
        ("天津市", "廊坊市三河市"): (1, 1, 1, 1),
        ("天津市", "保定市雄县"): (1, 1, 1, 1),
    }
    assert (result.totals["uses"], result.totals["lesson_uses"]) == (7, 5)
    assert (result.totals["teachers"], result.totals["schools"]) == (3, 3)
    assert result.rows[0].uses == 3  # the largest flow first


def test_it_groups_the_users_into_region_groups(fw: FlowWorld) -> None:
    result = flows.flows(fw.cast.actor("hebei_viewer"), FlowFilters(term=AUTUMN_TERM, by="group"))
    assert table(result) == {
        ("北京市", "北三县"): (4, 2, 2, 2),
        ("北京市", "雄安新区"): (1, 1, 1, 1),
        ("天津市", "北三县"): (1, 1, 1, 1),
        ("天津市", "雄安新区"): (1, 1, 1, 1),
    }
    names = {n.id: (n.name, n.side, n.value) for n in result.nodes}
    assert names["p:110000/"] == ("北京市", "provider", 5)
    assert names["u:beisanxian"] == ("北三县", "user", 5)


def test_it_names_institutions_and_spans_a_range_of_terms(fw: FlowWorld) -> None:
    c = fw.cast
    result = flows.flows(
        c.actor("hebei_viewer"),
        FlowFilters(term=AUTUMN_TERM, last=SPRING_TERM, by="institution"),
    )
    rows = table(result)
    assert rows[("Tongzhou No. 1", "Sanhe Experimental")] == (4, 3, 1, 1)
    assert rows[("Tongzhou No. 1", "Xiongxian No. 1")] == (2, 1, 1, 1)
    assert [(s.term.code, s.uses) for s in result.shares] == [(AUTUMN_TERM, 7), (SPRING_TERM, 2)]


def test_it_narrows_the_users_to_one_region_group(fw: FlowWorld) -> None:
    result = flows.flows(
        fw.cast.actor("hebei_viewer"), FlowFilters(term=AUTUMN_TERM, group="xiongan")
    )
    assert table(result) == {
        ("北京市", "保定市雄县"): (1, 1, 1, 1),
        ("天津市", "保定市雄县"): (1, 1, 1, 1),
    }
    assert result.group_label == "雄安新区"


def test_it_opens_on_the_latest_term_with_uses(fw: FlowWorld) -> None:
    result = flows.flows(fw.cast.actor("hebei_viewer"), FlowFilters())
    assert result.span.first.code == SPRING_TERM and result.totals["uses"] == 2


def test_it_counts_the_uses_along_an_active_partnership(fw: FlowWorld) -> None:
    viewer = fw.cast.actor("hebei_viewer")
    before = flows.flows(viewer, FlowFilters(term=AUTUMN_TERM))
    assert before.totals["along"] == 0 and before.share == 0.0
    paired(fw)
    after = flows.flows(viewer, FlowFilters(term=AUTUMN_TERM, last=SPRING_TERM))
    # Tina's three uses of Tongzhou's course in autumn, her lab lesson in spring; the
    # Dachang campus and Xiong'an are no members, Tianjin is no partner.
    assert [(s.uses, s.along, s.share) for s in after.shares] == [(7, 3, 42.9), (2, 1, 50.0)]
    assert {(r.provider, r.user): r.along for r in after.rows}[("北京市", "廊坊市三河市")] == 4


def test_it_leaves_out_ended_partnerships_and_days_outside_membership(fw: FlowWorld) -> None:
    viewer = fw.cast.actor("hebei_viewer")
    paired(fw, status=PartnershipStatus.ENDED, ends_on=dt.date(2026, 7, 1))
    assert flows.flows(viewer, FlowFilters(term=AUTUMN_TERM)).totals["along"] == 0
    paired(fw)  # an active one, but Sanhe joins after the autumn uses
    Member.objects.filter(
        partnership__status=PartnershipStatus.ACTIVE, institution=fw.cast.sanhe_school
    ).update(joined_on=AUTUMN + dt.timedelta(days=1))
    autumn = flows.flows(viewer, FlowFilters(term=AUTUMN_TERM))
    assert autumn.totals["along"] == 1  # only the lesson a week later
    spring = flows.flows(viewer, FlowFilters(term=SPRING_TERM))
    assert spring.totals["along"] == 1
    Member.objects.filter(institution=fw.cast.tongzhou_school).update(left_on=AUTUMN)
    assert flows.flows(viewer, FlowFilters(term=SPRING_TERM)).totals["along"] == 0
    assert SPRING > AUTUMN


def test_a_county_authority_sees_the_flows_into_its_county_only(fw: FlowWorld) -> None:
    result = flows.flows(fw.cast.actor("sanhe"), FlowFilters(term=AUTUMN_TERM))
    assert table(result) == {
        ("北京市", "廊坊市三河市"): (3, 2, 1, 1),
        ("天津市", "廊坊市三河市"): (1, 1, 1, 1),
    }


def test_a_provider_admin_sees_its_own_resources_flows(fw: FlowWorld) -> None:
    result = flows.flows(fw.cast.actor("tongzhou_admin"), FlowFilters(term=AUTUMN_TERM))
    assert {r.provider for r in result.rows} == {"北京市"}
    assert result.totals["uses"] == 5
    tianjin = flows.flows(fw.cast.actor("tianjin_admin"), FlowFilters(term=AUTUMN_TERM))
    assert table(tianjin) == {
        ("天津市", "廊坊市三河市"): (1, 1, 1, 1),
        ("天津市", "保定市雄县"): (1, 1, 1, 1),
    }


def test_it_refuses_teachers_and_people_without_a_role(fw: FlowWorld) -> None:
    for who in ("teacher", "nobody", "auditor"):
        with pytest.raises(PermissionDenied):
            flows.flows(fw.cast.actor(who), FlowFilters(term=AUTUMN_TERM))


@pytest.mark.parametrize(
    ("filters", "field", "words"),
    [
        (FlowFilters(term="2025-2027-1"), "term", "two consecutive years"),
        (FlowFilters(term="2025-2026-3"), "term", "two terms"),
        (FlowFilters(term="yesterday"), "term", "is not a school term"),
        (FlowFilters(term=SPRING_TERM, last=AUTUMN_TERM), "last", "comes before"),
        (FlowFilters(term="2000-2001-1", last=SPRING_TERM), "last", "at most 20 terms"),
        (FlowFilters(term=AUTUMN_TERM, by="county"), "by", "not a way to group"),
        (FlowFilters(term=AUTUMN_TERM, group="atlantis"), "group", "not a region group"),
    ],
)
def test_it_refuses_bad_filters_with_a_message_of_their_own(
    fw: FlowWorld, filters: FlowFilters, field: str, words: str
) -> None:
    with translation.override("en"), pytest.raises(InvalidInput) as e:
        flows.flows(fw.cast.actor("hebei_viewer"), filters)
    assert words in e.value.fields[field][0]


def test_the_flows_take_the_same_queries_for_more_uses(fw: FlowWorld) -> None:
    def count(by: str) -> int:
        with CaptureQueriesContext(connection) as q:
            flows.flows(fw.cast.actor("hebei_viewer"), FlowFilters(term=AUTUMN_TERM, by=by))
        return len(q)

    before = {by: count(by) for by in ("institution", "region", "group")}
    for who in ("teacher", "xa_teacher", "branch_teacher"):
        for _i in range(3):
            flow_world.use(fw.cast, who, fw.tj_course, "lesson", AUTUMN)
    after = {by: count(by) for by in ("institution", "region", "group")}
    assert before == after and max(after.values()) <= 8


def test_the_provider_view_shows_its_resources_terms_and_schools(fw: FlowWorld) -> None:
    c = fw.cast
    paired(fw)
    view = flows.provider_view(c.actor("tongzhou_admin"), c.tongzhou_school.pk, ProviderFilters())
    assert [(t["term"].code, t["uses"], t["lesson_uses"], t["along"]) for t in view.terms] == [
        (SPRING_TERM, 2, 1, 1),
        (AUTUMN_TERM, 5, 3, 3),
    ]
    by_title = {x["resource"].title: (x["uses"], x["lesson_uses"]) for x in view.resources}
    assert by_title == {fw.course.title: (6, 3), fw.lab_course.title: (1, 1)}
    assert [(s["institution__name"], s["uses"]) for s in view.schools] == [
        ("Sanhe Experimental", 4),
        ("Xiongxian No. 1", 2),
        ("Sanhe Experimental Dachang campus", 1),
    ]
    assert view.totals["uses"] == 7 and view.totals["resources"] == 2
    autumn = flows.provider_view(
        c.actor("beijing"), c.tongzhou_school.pk, ProviderFilters(term=AUTUMN_TERM)
    )
    assert autumn.totals["uses"] == 5 and len(autumn.terms) == 2


def test_the_provider_view_is_for_its_keepers_and_authorities_over_it(fw: FlowWorld) -> None:
    c = fw.cast
    for who in ("sanhe", "tianjin_admin", "school_admin"):
        with pytest.raises(NotFound):
            flows.provider_view(c.actor(who), c.tongzhou_school.pk, ProviderFilters())
    with pytest.raises(PermissionDenied):
        flows.provider_view(c.actor("teacher"), c.tongzhou_school.pk, ProviderFilters())
