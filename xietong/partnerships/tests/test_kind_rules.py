"""Each kind's rules: a partnership that breaks one is refused with its own message, and
nothing is written — no partnership, no member, no audit event."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from xietong.accounts.models import AuditEvent
from xietong.conftest import Cast, make_institution
from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.partnerships import services
from xietong.partnerships.choices import MemberRole, PartnershipKind, PartnershipStatus
from xietong.partnerships.models import Dispatch, Member, Partnership, PartnershipTerm

K = PartnershipKind
LEAD, MEMBER, SUPPORTED = MemberRole.LEAD, MemberRole.MEMBER, MemberRole.SUPPORTED
START = dt.date(2023, 9, 1)


def data(kind: str, members: list[tuple[Any, str]], **over: Any) -> services.PartnershipIn:
    values: dict[str, Any] = {
        "kind": kind,
        "name": "测试合作",
        "region": "131082",
        "starts_on": START,
        "members": [services.MemberIn(inst.pk, role) for inst, role in members],
    }
    values.update(over)
    return services.PartnershipIn(**values)


def refused(cast: Cast, payload: services.PartnershipIn, user: str = "sanhe") -> InvalidInput:
    counts = (Partnership.objects.count(), Member.objects.count(), AuditEvent.objects.count())
    with translation.override("en"), pytest.raises(InvalidInput) as e:
        services.create_partnership(cast.actor(user), payload)
    assert (
        Partnership.objects.count(),
        Member.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
    return e.value


def pair(cast: Cast) -> list[tuple[Any, str]]:
    return [(cast.tongzhou_school, LEAD), (cast.sanhe_school, SUPPORTED)]


def test_it_registers_a_paired_assistance_with_both_sides_as_a_draft(cast):
    p = services.create_partnership(cast.actor("sanhe"), data(K.PAIRED, pair(cast)))
    assert p.status == PartnershipStatus.DRAFT
    assert sorted(p.members.values_list("role", flat=True)) == [LEAD, SUPPORTED]
    assert AuditEvent.objects.filter(action="partnerships.partnership.create").count() == 1


def test_it_refuses_a_partnership_with_one_member(cast):
    e = refused(cast, data(K.RESEARCH_COMMUNITY, [(cast.sanhe_school, LEAD)]))
    assert e.fields["members"] == ["A partnership has at least two members."]


def test_it_refuses_the_same_institution_twice(cast):
    members = [(cast.sanhe_school, LEAD), (cast.sanhe_school, MEMBER)]
    e = refused(cast, data(K.RESEARCH_COMMUNITY, members))
    assert "named twice" in e.fields["members"][0]


def test_it_refuses_a_paired_assistance_with_three_sides_or_none_supported(cast):
    three = [*pair(cast), (cast.xiongxian_school, SUPPORTED)]
    msg = "A paired assistance has exactly two sides, one of them supported."
    assert refused(cast, data(K.PAIRED, three)).fields["members"] == [msg]
    none = [(cast.tongzhou_school, LEAD), (cast.sanhe_school, MEMBER)]
    assert refused(cast, data(K.PAIRED, none)).fields["members"] == [msg]


def test_it_refuses_a_university_alliance_with_a_school_among_its_members(cast):
    uni = make_institution("首都师范大学", "110108", kind="university", stages=",undergrad,")
    e = refused(
        cast,
        data(
            K.UNIVERSITY_ALLIANCE,
            [(uni, LEAD), (cast.sanhe_school, MEMBER)],
            alliance_type="normal",
        ),
    )
    assert e.fields["members"] == [
        "A university alliance has universities only as members; Sanhe Experimental is not one."
    ]


def test_it_refuses_a_university_alliance_without_its_type(cast):
    a = make_institution("首都师范大学", "110108", kind="university")
    b = make_institution("河北师范大学", "130100", kind="university")
    e = refused(cast, data(K.UNIVERSITY_ALLIANCE, [(a, LEAD), (b, MEMBER)]))
    assert "alliance_type" in e.fields


def test_it_refuses_an_aid_program_without_its_round(cast):
    e = refused(cast, data(K.AID, pair(cast)))
    assert e.fields["aid_round"] == [
        "Choose the round of the aid program: build three or aid four."
    ]


def test_it_refuses_a_round_or_an_alliance_type_on_another_kind(cast):
    assert "aid_round" in refused(cast, data(K.PAIRED, pair(cast), aid_round="aid_four")).fields
    e = refused(cast, data(K.PAIRED, pair(cast), alliance_type="normal"))
    assert "alliance_type" in e.fields


def test_it_refuses_a_branch_campus_the_registry_does_not_know_as_a_branch(cast):
    members = [(cast.sanhe_school, LEAD), (cast.xiongxian_school, MEMBER)]
    e = refused(cast, data(K.BRANCH, members))
    assert "Neither Sanhe Experimental nor Xiongxian No. 1" in e.fields["members"][0]


def test_it_registers_a_branch_campus_with_its_registered_parent(cast):
    members = [(cast.sanhe_school, LEAD), (cast.sanhe_branch, MEMBER)]
    p = services.create_partnership(cast.actor("sanhe"), data(K.BRANCH, members))
    assert p.members.count() == 2


def test_it_refuses_a_second_overlapping_entrustment_of_a_school(cast):
    sanhe = cast.actor("sanhe")
    first = data(K.ENTRUSTMENT, pair(cast), ends_on=dt.date(2026, 8, 31), name="托管一")
    services.create_partnership(sanhe, first)
    second = data(
        K.ENTRUSTMENT,
        [(cast.xiongxian_school, LEAD), (cast.sanhe_school, SUPPORTED)],
        starts_on=dt.date(2025, 9, 1),
        name="托管二",
    )
    e = refused(cast, second)
    assert e.fields["members"] == [
        "Sanhe Experimental is already entrusted under “托管一” in an overlapping period; "
        "a school is entrusted once at a time."
    ]


def test_it_allows_an_entrustment_after_the_last_one_has_ended(cast):
    sanhe = cast.actor("sanhe")
    services.create_partnership(
        sanhe, data(K.ENTRUSTMENT, pair(cast), ends_on=dt.date(2025, 8, 31), name="托管一")
    )
    later = data(
        K.ENTRUSTMENT,
        [(cast.xiongxian_school, LEAD), (cast.sanhe_school, SUPPORTED)],
        starts_on=dt.date(2025, 9, 1),
        name="托管二",
    )
    assert services.create_partnership(sanhe, later).members.count() == 2


def test_it_refuses_an_entrustment_without_an_entrusted_school(cast):
    members = [(cast.tongzhou_school, LEAD), (cast.sanhe_school, MEMBER)]
    e = refused(cast, data(K.ENTRUSTMENT, members))
    assert "supported side" in e.fields["members"][0]


def test_it_refuses_a_co_built_institute_that_names_no_institute(cast):
    e = refused(cast, data(K.INSTITUTE, pair(cast)))
    assert e.fields["institute"] == ["Name the institute a co-built institute builds."]


def test_it_refuses_a_co_built_institute_whose_institute_is_a_school(cast):
    e = refused(cast, data(K.INSTITUTE, pair(cast), institute=cast.sanhe_school.pk))
    assert e.fields["institute"] == [
        "Sanhe Experimental is not registered as a research institute."
    ]


def test_it_refuses_dates_out_of_order(cast):
    e = refused(cast, data(K.PAIRED, pair(cast), ends_on=dt.date(2023, 1, 1)))
    assert e.fields["ends_on"] == ["The partnership cannot end before it starts."]
    early = data(K.PAIRED, [])
    early = services.PartnershipIn(
        **{
            **early.__dict__,
            "members": [
                services.MemberIn(cast.tongzhou_school.pk, LEAD, joined_on=dt.date(2023, 1, 1)),
                services.MemberIn(cast.sanhe_school.pk, SUPPORTED),
            ],
        }
    )
    e = refused(cast, early)
    assert e.fields["members"] == [
        "Tongzhou No. 1 cannot join before the partnership starts (2023-09-01)."
    ]


def test_it_refuses_to_register_in_a_region_outside_the_actors_scope(cast):
    counts = Partnership.objects.count()
    with translation.override("en"), pytest.raises(PermissionDenied) as e:
        services.create_partnership(
            cast.actor("sanhe"), data(K.PAIRED, pair(cast), region="110112")
        )
    assert str(e.value.message) == (
        "You may register partnerships only in a region you administer: 通州区 is not."
    )
    assert Partnership.objects.count() == counts


def test_it_refuses_a_school_admin_registering_a_partnership(cast):
    with pytest.raises(PermissionDenied):
        services.create_partnership(cast.actor("school_admin"), data(K.PAIRED, pair(cast)))


@pytest.fixture
def active(cast: Cast) -> Partnership:
    sanhe = cast.actor("sanhe")
    p = services.create_partnership(sanhe, data(K.PAIRED, pair(cast), ends_on=dt.date(2026, 8, 31)))
    return services.activate(sanhe, p.pk)


def test_it_refuses_removing_a_side_of_a_paired_assistance(cast, active):
    member = active.members.get(role=LEAD)
    with translation.override("en"), pytest.raises(InvalidInput) as e:
        services.remove_member(cast.actor("sanhe"), active.pk, member.pk)
    assert e.value.fields["members"] == ["A partnership has at least two members."]
    assert active.members.count() == 2


def test_it_refuses_a_yearly_term_outside_the_period(cast, active):
    with translation.override("en"), pytest.raises(InvalidInput) as e:
        services.set_term(cast.actor("sanhe"), active.pk, services.TermIn(school_year=2027))
    assert e.value.fields["school_year"] == [
        "The school year 2027–2028 lies outside the partnership's period."
    ]
    assert not PartnershipTerm.objects.exists()


def test_it_sets_a_yearly_term_once_per_school_year_and_changes_it_after(cast, active):
    sanhe = cast.actor("sanhe")
    services.set_term(sanhe, active.pk, services.TermIn(2024, "互派教师", quota=4))
    services.set_term(
        sanhe, active.pk, services.TermIn(2024, "互派教师", quota=6, budget_yuan="120000")
    )
    term = PartnershipTerm.objects.get()
    assert (term.quota, str(term.budget_yuan)) == (6, "120000.00")


def dispatch(cast: Cast, **over: Any) -> services.DispatchIn:
    values: dict[str, Any] = {
        "staff": cast.beijing_teacher.pk,
        "host": cast.sanhe_school.pk,
        "post": "执行校长",
        "starts_on": dt.date(2024, 9, 1),
        "ends_on": dt.date(2025, 7, 15),
    }
    values.update(over)
    return services.DispatchIn(**values)


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        (
            {"staff": "xiongan"},
            "staff",
            "赵雄安 is not on the staff of a member of this partnership.",
        ),
        ({"host": "xiongxian"}, "host", "The host must be a member of this partnership."),
        (
            {"starts_on": dt.date(2023, 1, 1)},
            "starts_on",
            "The dispatch must start within the partnership's period.",
        ),
        (
            {"ends_on": dt.date(2027, 1, 1)},
            "ends_on",
            "The dispatch must end by the end of the partnership (2026-08-31).",
        ),
        ({"post": " "}, "post", "Give the post the person holds at the host."),
    ],
)
def test_it_refuses_a_dispatch_that_breaks_a_rule(cast, active, over, field, message):
    if over.get("staff") == "xiongan":
        over = {"staff": cast.xiongan_teacher.pk}
    if over.get("host") == "xiongxian":
        over = {"host": cast.xiongxian_school.pk}
    with translation.override("en"), pytest.raises(InvalidInput) as e:
        services.add_dispatch(cast.actor("sanhe"), active.pk, dispatch(cast, **over))
    assert e.value.fields[field] == [message]
    assert not Dispatch.objects.exists()


def test_it_records_a_dispatched_principal_at_the_supported_school(cast, active):
    d = services.add_dispatch(cast.actor("sanhe"), active.pk, dispatch(cast))
    assert (d.staff.name, d.host.name, d.post) == ("王北京", "Sanhe Experimental", "执行校长")


def test_it_tells_the_members_admins_when_a_partnership_becomes_active_and_ends(cast, active):
    from xietong.notifications.models import Notification
    from xietong.notifications.selectors import render

    admin = cast.users["school_admin"]
    note = Notification.objects.get(recipient=admin, code="partnerships.activated")
    with translation.override("zh-hans"):
        shown = render(note)
    assert shown.text == "合作项目“测试合作”已生效。"
    assert shown.link == f"/partnerships/{active.pk}/"
    services.end(cast.actor("sanhe"), active.pk)
    assert Notification.objects.filter(recipient=admin, code="partnerships.ended").exists()
    assert Partnership.objects.get(pk=active.pk).ended_at is not None
