"""The named partnerships of the demo: every one the sources name, valid by its kind's
rules, active, with its members, terms and dispatched people; loaded twice, unchanged."""

from __future__ import annotations

import datetime as dt

import pytest

from xietong import access
from xietong.accounts.models import AuditEvent
from xietong.demo import named
from xietong.demo import partnerships as demo
from xietong.demo.users import ensure_demo_users
from xietong.partnerships.access import member_admin_of
from xietong.partnerships.choices import (
    AidRound,
    AllianceType,
    MemberRole,
    PartnershipKind,
    PartnershipStatus,
)
from xietong.partnerships.models import Dispatch, Partnership
from xietong.partnerships.selectors import PartnershipFilters, partnerships_for

pytestmark = pytest.mark.django_db
K = PartnershipKind


@pytest.fixture
def loaded() -> demo.PartnershipsResult:
    ensure_demo_users()
    return demo.load_partnerships()


def members_of(p: Partnership) -> dict[str, str]:
    return {m.institution.name: m.role for m in p.members.select_related("institution")}


def test_it_loads_every_named_partnership_active_with_terms(loaded):
    assert loaded.created == len(demo.PARTNERSHIPS) == Partnership.objects.count()
    assert not Partnership.objects.exclude(status=PartnershipStatus.ACTIVE).exists()
    for p in Partnership.objects.all():
        assert p.members.count() >= 2
        assert p.terms.exists(), p.name


def test_it_loads_jian_san_and_yuan_si_with_their_beijing_schools(loaded):
    rounds = Partnership.objects.filter(kind=K.AID)
    assert rounds.filter(aid_round=AidRound.BUILD_THREE).count() == 3
    assert rounds.filter(aid_round=AidRound.AID_FOUR).count() == 4
    p = rounds.get(name__contains="北京四中雄安校区")
    assert members_of(p) == {
        "北京市第四中学": MemberRole.LEAD,
        "北京四中雄安校区": MemberRole.SUPPORTED,
    }
    assert p.starts_on == dt.date(2023, 9, 1)
    d = Dispatch.objects.get(partnership=p)
    assert (d.host.name, d.post) == ("北京四中雄安校区", "教学副校长")


def test_it_pairs_tianjin_no_1_with_xiongxian_no_1_since_january_2019(loaded):
    p = Partnership.objects.get(name__startswith="天津市第一中学")
    assert p.kind == K.COOPERATIVE and p.starts_on == dt.date(2019, 1, 1)
    assert members_of(p)["雄县第一高级中学"] == MemberRole.SUPPORTED
    assert Partnership.objects.filter(kind=K.COOPERATIVE, region__code="120000").count() == 4


def test_it_records_the_tangshan_institute_with_the_registrys_labs(loaded):
    p = Partnership.objects.get(kind=K.INSTITUTE)
    assert p.institute is not None and p.institute.name == "北京交通大学唐山研究院"
    assert p.institute.labs.count() == 3


def test_it_loads_the_tongzhou_langfang_communities_and_alliances(loaded):
    assert (
        Partnership.objects.filter(kind=K.RESEARCH_COMMUNITY, region__code="110112").count() == 12
    )
    alliances = Partnership.objects.filter(kind=K.SCHOOL_ALLIANCE, region__code="110112")
    assert alliances.count() == 3
    for a in alliances:
        assert set(members_of(a)) == {
            "北京市通州区教育委员会",
            "三河市教育和体育局",
            "大厂回族自治县教育局",
            "香河县教育局",
        }
    names = set(Partnership.objects.filter(kind=K.COOPERATIVE).values_list("name", flat=True))
    assert {
        "北京实验学校—北京实验学校三河校区合作办学",
        "北京市潞河中学—潞河中学三河校区合作办学",
    } <= names


def test_it_loads_university_alliances_of_the_three_types(loaded):
    types = Partnership.objects.filter(kind=K.UNIVERSITY_ALLIANCE).values_list(
        "alliance_type", flat=True
    )
    assert sorted(types) == sorted(AllianceType.values)


def test_the_sanhe_school_and_its_beijing_partner_both_see_their_paired_assistance(loaded):
    from xietong.accounts.access import actor_for
    from xietong.accounts.models import User

    p = Partnership.objects.get(kind=K.PAIRED, members__institution__name="三河市赵河沟小学")
    assert members_of(p) == {"北京学校": MemberRole.LEAD, "三河市赵河沟小学": MemberRole.SUPPORTED}
    assert Dispatch.objects.filter(partnership=p, host__name="三河市赵河沟小学").exists()
    for username, school in (("sanhe_school", "三河市赵河沟小学"), ("beijing_school", "北京学校")):
        actor = actor_for(User.objects.get(username=username))
        mine = partnerships_for(actor, PartnershipFilters(kind=K.PAIRED))
        assert list(mine) == [p]
        assert [m.institution.name for m in member_admin_of(actor, p)] == [school]
    sanhe = actor_for(User.objects.get(username="sanhe"))
    assert "edit" in access.actions(sanhe, p)
    assert named.institution("zhg").pk in p.members.values_list("institution_id", flat=True)


def test_it_changes_nothing_when_loaded_twice(loaded):
    events = AuditEvent.objects.count()
    again = demo.load_partnerships()
    assert (again.created, again.terms, again.dispatches, again.activated) == (0, 0, 0, 0)
    assert again.unchanged == len(demo.PARTNERSHIPS)
    assert AuditEvent.objects.count() == events
