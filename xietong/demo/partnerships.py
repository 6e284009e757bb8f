"""Every partnership named in the source documents, loaded through the partnership services.

Sources: ``article`` is the People's Daily report on the Action Plan, ``facts`` is
``facts.md`` (both in ``/work/shared/source/``). The comment above each row says where
the partnership is named and what of it is reported rather than assumed.

* 建三 and 援四 (facts table): each Xiong'an school with its supporting Beijing school, an
  aid program of that round, managed by 北京市;
* the four Tianjin–Xiong'an pairs (article, facts): cooperative schooling managed by
  天津市, 天津一中 ↔ 雄县第一高级中学 since 2019-01, the others since 2024-05;
* 北京交通大学唐山研究院 (article, facts): a co-built institute opened 2019-07 (its labs are
  the registry's);
* the 通州–北三县 cooperative schooling (facts): 北京实验学校三河校区 and 潞河中学三河校区,
  opened 2021;
* the 12 basic-education communities and 3 alliances Tongzhou and Langfang agreed (facts):
  the communities are not named in the sources — twelve are made as four stages × the
  three northern counties; the alliances are vocational, special and preschool education;
* university alliances of the three types the plan names (article);
* 三河市赵河沟小学's paired assistance (article: improved through Beijing and Tianjin
  resources). Its partner is not named: 北京学校 (Tongzhou, the sub-centre's flagship
  twelve-year school, nearest to 三河) is assumed.

Yearly terms (commitments, quotas, people to dispatch, budgets) are illustrative, as are
the people dispatched: the article reports that Beijing and Tianjin dispatch management
teams to Xiong'an but names no one, so the named registry's invented staff are used.

Loading is idempotent: a partnership is found by its name; what is missing of it (terms,
dispatched people, activation) is added, nothing else is changed, so a second load writes
no audit event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from xietong.accounts.access import Actor
from xietong.demo import named
from xietong.partnerships import services
from xietong.partnerships.choices import (
    AidRound,
    AllianceType,
    MemberRole,
    PartnershipKind,
    PartnershipStatus,
)
from xietong.partnerships.models import Dispatch, Partnership, PartnershipTerm

K = PartnershipKind
LEAD, MEMBER, SUPPORTED = MemberRole.LEAD, MemberRole.MEMBER, MemberRole.SUPPORTED
PLAN_SIGNED = dt.date(2023, 10, 8)  # facts: the plan was signed on 2023-10-08


@dataclass(frozen=True)
class NamedTerm:
    school_year: int
    commitments: str
    quota: int | None = None
    dispatch_planned: int | None = None
    budget_yuan: Decimal | None = None


@dataclass(frozen=True)
class NamedDispatch:
    staff: str  # key in named.STAFF
    host: str  # key in named.INSTITUTIONS
    post: str
    starts_on: dt.date
    ends_on: dt.date | None = None


@dataclass(frozen=True)
class NamedPartnership:
    name: str
    kind: str
    region: str  # the managing region's code
    starts_on: dt.date
    members: tuple[tuple[str, str], ...]  # (named institution key, role)
    alliance_type: str = ""
    aid_round: str = ""
    institute: str = ""
    description: str = ""
    terms: tuple[NamedTerm, ...] = ()
    dispatches: tuple[NamedDispatch, ...] = field(default=())


def _two_years(commitments: str, **extra: object) -> tuple[NamedTerm, ...]:
    """The terms of the school years 2024–2025 and 2025–2026 (illustrative)."""
    return tuple(NamedTerm(year, commitments, **extra) for year in (2024, 2025))  # type: ignore[arg-type]


AID_TERMS = "派驻管理团队和骨干教师；每学期联合教研不少于4次；受援校教师赴京跟岗学习。"
ROUND = {"建三": AidRound.BUILD_THREE, "援四": AidRound.AID_FOUR}
SINCE = {"建三": dt.date(2023, 9, 1), "援四": dt.date(2018, 3, 1)}


def _aid(row: named.AidSchool) -> NamedPartnership:
    # facts: the 建三 / 援四 table (opened 2023-09; aided since 2018-03, day assumed the 1st)
    school, supporter = named.BY_KEY[row.school], named.BY_KEY[row.supporter]
    dispatches: tuple[NamedDispatch, ...] = ()
    if row.school == "bj4_xa":
        # article: 京津通过派驻优秀管理团队 (the person is invented: see the module doc)
        dispatches = (NamedDispatch("bj4_mentor", "bj4_xa", "教学副校长", dt.date(2023, 9, 1)),)
    return NamedPartnership(
        name=f"{row.programme}：{supporter.name}—{school.name}",
        kind=K.AID,
        aid_round=ROUND[row.programme],
        region="110000",
        starts_on=SINCE[row.programme],
        members=((row.supporter, LEAD), (row.school, SUPPORTED)),
        description=f"北京市“{row.programme}”学校：{supporter.name}支持{school.name}。",
        terms=_two_years(AID_TERMS, dispatch_planned=6, budget_yuan=Decimal("1500000")),
        dispatches=dispatches,
    )


# facts: 天津一中 ↔ 雄县第一高级中学 since 2019-01 (day assumed the 1st); the other three
# pairings were reported in 2024-05
TIANJIN_SINCE = {"tj1": dt.date(2019, 1, 1)}


def _tianjin(tj: str, xa: str) -> NamedPartnership:
    a, b = named.BY_KEY[tj], named.BY_KEY[xa]
    return NamedPartnership(
        name=f"{a.name}—{b.name}合作办学",
        kind=K.COOPERATIVE,
        region="120000",
        starts_on=TIANJIN_SINCE.get(tj, dt.date(2024, 5, 1)),
        members=((tj, LEAD), (xa, SUPPORTED)),
        terms=_two_years("共享课程资源；教师互派交流；每学年联合教研活动不少于6次。", quota=10),
    )


STAGES = (("学前教育", "preschool"), ("小学", "primary"), ("初中", "junior"), ("高中", "senior"))
COUNTIES = (("三河", "sh_jtj"), ("大厂", "dc_jyj"), ("香河", "xh_jyj"))


def _communities() -> list[NamedPartnership]:
    # facts: 12 basic-education communities of Tongzhou and Langfang (北三县); their names
    # and members are not reported: four stages × three counties, the bureaus as members,
    # from the plan's signing
    return [
        NamedPartnership(
            name=f"通州—{county}{stage}教育共同体",
            kind=K.RESEARCH_COMMUNITY,
            region="110112",
            starts_on=PLAN_SIGNED,
            members=(("tz_jw", LEAD), (bureau, MEMBER)),
            terms=_two_years(f"{stage}学段联合教研、同步课堂和干部教师跟岗。"),
        )
        for stage, _code in STAGES
        for county, bureau in COUNTIES
    ]


def _alliances() -> list[NamedPartnership]:
    # facts: 3 alliances of Tongzhou and Langfang: vocational, special and preschool education
    members = (("tz_jw", LEAD), ("sh_jtj", MEMBER), ("dc_jyj", MEMBER), ("xh_jyj", MEMBER))
    return [
        NamedPartnership(
            name=f"通州—北三县{field_name}联盟",
            kind=K.SCHOOL_ALLIANCE,
            region="110112",
            starts_on=PLAN_SIGNED,
            members=members,
            terms=_two_years(f"{field_name}资源共享、师资共训和联合活动。"),
        )
        for field_name in ("职业教育", "特殊教育", "学前教育")
    ]


def _university_alliances() -> list[NamedPartnership]:
    # article: 组建京津冀高水平大学、应用（技术）型高校、师范院校等不同类型的高校联盟; the
    # members are the named universities of each type (and the three applied universities
    # the registry adds for the second), from the plan's signing
    rows = (
        ("京津冀高水平大学联盟", AllianceType.HIGH_LEVEL, ("bjtu", "hbu")),
        ("京津冀应用（技术）型高校联盟", AllianceType.APPLIED, ("buu", "tute", "hebust")),
        ("京津冀师范院校联盟", AllianceType.NORMAL, ("cnu", "tjnu")),
    )
    return [
        NamedPartnership(
            name=name,
            kind=K.UNIVERSITY_ALLIANCE,
            alliance_type=kind,
            region="110000",
            starts_on=PLAN_SIGNED,
            members=tuple((key, LEAD if i == 0 else MEMBER) for i, key in enumerate(keys)),
            terms=_two_years("高校干部、教师异地挂职交流；联合培养与科研合作。", quota=20),
        )
        for name, kind, keys in rows
    ]


PARTNERSHIPS: list[NamedPartnership] = [
    *(_aid(row) for row in named.AID_SCHOOLS),
    *(_tianjin(tj, xa) for tj, xa in named.TIANJIN_PAIRS),
    # article + facts: the Tangshan institute of 北京交通大学, opened 2019-07 (day assumed)
    NamedPartnership(
        name="北京交通大学唐山研究院",
        kind=K.INSTITUTE,
        institute="bjtu_ts",
        region="130000",
        starts_on=dt.date(2019, 7, 1),
        members=(("bjtu", LEAD), ("bjtu_ts", MEMBER)),
        description="交通运输、新材料、新能源等领域的多个实验室正式运行。",
        terms=_two_years("实验室联合攻关；研究生联合培养。", budget_yuan=Decimal("5000000")),
    ),
    # facts: 北三县 campuses opened 2021 (day assumed 09-01); 潞河中学三河校区 has 2,700 places
    NamedPartnership(
        name="北京实验学校—北京实验学校三河校区合作办学",
        kind=K.COOPERATIVE,
        region="110112",
        starts_on=dt.date(2021, 9, 1),
        members=(("bjsy", LEAD), ("bjsy_sh", SUPPORTED)),
        terms=_two_years("统一课程与教学管理；教师轮岗交流。"),
    ),
    NamedPartnership(
        name="北京市潞河中学—潞河中学三河校区合作办学",
        kind=K.COOPERATIVE,
        region="110112",
        starts_on=dt.date(2021, 9, 1),
        members=(("luhe", LEAD), ("luhe_sh", SUPPORTED)),
        terms=_two_years("统一课程与教学管理；教师轮岗交流。", quota=2700),
    ),
    *_communities(),
    *_alliances(),
    *_university_alliances(),
    # article: 三河市赵河沟小学 … 通过借助京津优质教育资源; partner and start assumed (module doc)
    NamedPartnership(
        name="北京学校—三河市赵河沟小学结对帮扶",
        kind=K.PAIRED,
        region="131082",
        starts_on=dt.date(2023, 9, 1),
        members=(("bj_school", LEAD), ("zhg", SUPPORTED)),
        description="农村学校借助北京优质教育资源提升办学质量。",
        terms=(
            NamedTerm(2023, "同步课堂每周2节；教师赴京跟岗每学期2人。", quota=4),
            NamedTerm(
                2024,
                "同步课堂每周3节；派驻指导副校长1人；教师赴京跟岗每学期3人。",
                quota=6,
                dispatch_planned=1,
                budget_yuan=Decimal("200000"),
            ),
        ),
        dispatches=(
            NamedDispatch(
                "bj_school_mentor",
                "zhg",
                "驻校指导副校长",
                dt.date(2024, 9, 1),
                dt.date(2025, 7, 15),
            ),
        ),
    ),
]


@dataclass
class PartnershipsResult:
    created: int = 0
    terms: int = 0
    dispatches: int = 0
    activated: int = 0
    unchanged: int = 0
    agreements: int = 0

    def summary(self) -> str:
        return (
            f"Partnerships: {self.created} created ({self.terms} yearly terms, "
            f"{self.dispatches} dispatched people, {self.activated} activated), "
            f"{self.unchanged} unchanged; {self.agreements} agreements written"
        )


def _load_one(actor: Actor, row: NamedPartnership, result: PartnershipsResult) -> None:
    p = Partnership.objects.filter(name=row.name).first()
    touched = False
    if p is None:
        p = services.create_partnership(
            actor,
            services.PartnershipIn(
                kind=row.kind,
                name=row.name,
                region=row.region,
                starts_on=row.starts_on,
                alliance_type=row.alliance_type,
                aid_round=row.aid_round,
                institute=named.institution(row.institute).pk if row.institute else None,
                description=row.description,
                members=[
                    services.MemberIn(named.institution(key).pk, role) for key, role in row.members
                ],
            ),
        )
        result.created += 1
        touched = True
    years = set(PartnershipTerm.objects.filter(partnership=p).values_list("school_year", flat=True))
    for t in row.terms:
        if t.school_year not in years:
            services.set_term(
                actor,
                p.pk,
                services.TermIn(
                    t.school_year, t.commitments, t.quota, t.dispatch_planned, t.budget_yuan
                ),
            )
            result.terms += 1
            touched = True
    for d in row.dispatches:
        staff = named.staff(d.staff)
        if not Dispatch.objects.filter(partnership=p, staff=staff, starts_on=d.starts_on).exists():
            services.add_dispatch(
                actor,
                p.pk,
                services.DispatchIn(
                    staff.pk, named.institution(d.host).pk, d.post, d.starts_on, d.ends_on
                ),
            )
            result.dispatches += 1
            touched = True
    if p.status == PartnershipStatus.DRAFT:
        services.activate(actor, p.pk)
        # Activated when it started, not when the demo was loaded (the story's order).
        Partnership.objects.filter(pk=p.pk).update(activated_at=_at(p.starts_on))
        result.activated += 1
        touched = True
    if not touched:
        result.unchanged += 1


@transaction.atomic
def load_partnerships(actor: Actor | None = None) -> PartnershipsResult:
    """Create what is missing of the partnerships above (the named registry must be loaded)."""
    actor = actor or named.demo_actor()
    result = PartnershipsResult()
    for row in PARTNERSHIPS:
        _load_one(actor, row, result)
    result.agreements = load_agreements(actor)
    return result


# --- agreements (decision 0013) ---------------------------------------------------------------
# Illustrative texts: the sources name the partnerships, not their agreements. Each gets
# version 1 approved by both sides and version 2 written by the lead side, approved by it
# and waiting for the other (the approval inbox of the other side's admin shows it).


@dataclass(frozen=True)
class NamedAgreement:
    members: tuple[str, str]  # the lead's and the other side's keys in the named registry
    title: str
    starts_on: dt.date
    clauses: tuple[tuple[str, str], ...]
    changed: tuple[tuple[str, str], ...]  # version 2's clauses
    note: str


AGREEMENTS = (
    NamedAgreement(
        ("bj_school", "zhg"),
        "北京学校与三河市赵河沟小学结对帮扶协议",
        dt.date(2023, 9, 1),
        (
            (
                "一、合作目标",
                "北京学校发挥优质教育资源优势，帮助赵河沟小学提升课堂教学与学校管理水平。",
            ),
            ("二、合作内容", "开设同步课堂每周2节；赵河沟小学教师每学期2人赴京跟岗学习。"),
            ("三、合作期限", "自2023年9月1日起，为期三年。"),
        ),
        (
            (
                "一、合作目标",
                "北京学校发挥优质教育资源优势，帮助赵河沟小学提升课堂教学与学校管理水平。",
            ),
            (
                "二、合作内容",
                "开设同步课堂每周3节；派驻指导副校长1人；赵河沟小学教师每学期3人赴京跟岗学习。",
            ),
            ("三、合作期限", "自2023年9月1日起，为期三年。"),
            ("四、经费保障", "帮扶经费每学年20万元，由北京学校统筹使用。"),
        ),
        "2024学年起增加同步课堂与派驻人员，新增经费条款。",
    ),
    NamedAgreement(
        ("bj4", "bj4_xa"),
        "北京四中支持北京四中雄安校区办学协议",
        dt.date(2023, 9, 1),
        (
            ("一、办学模式", "北京四中派驻管理团队，统一课程体系与教学管理。"),
            ("二、教师培养", "每学期联合教研不少于4次；雄安校区教师赴京跟岗学习。"),
        ),
        (
            ("一、办学模式", "北京四中派驻管理团队和骨干教师，统一课程体系与教学管理。"),
            ("二、教师培养", "每学期联合教研不少于6次；雄安校区教师赴京跟岗学习。"),
        ),
        "增派骨干教师，联合教研增至每学期6次。",
    ),
    NamedAgreement(
        ("luhe", "luhe_sh"),
        "潞河中学三河校区合作办学协议",
        dt.date(2021, 9, 1),
        (
            ("一、合作方式", "潞河中学统一课程与教学管理，选派管理干部担任校区负责人。"),
            ("二、教师交流", "两校区教师轮岗交流，每学年不少于10人。"),
        ),
        (
            ("一、合作方式", "潞河中学统一课程与教学管理，选派管理干部担任校区负责人。"),
            ("二、教师交流", "两校区教师轮岗交流，每学年不少于15人。"),
        ),
        "教师轮岗交流人数提高到每学年15人。",
    ),
)


def _party_admin(key: str) -> Actor:
    """An admin of the named institution ``key``: its demo sign-in, else a demo signatory
    (``<key>_admin``, an institution admin, no password: it signs in nowhere)."""
    from django.utils import timezone

    from xietong.accounts import audit
    from xietong.accounts.access import actor_for
    from xietong.accounts.models import Role, RoleAssignment, User

    inst = named.institution(key)
    ra = (
        RoleAssignment.objects.filter(role=Role.INSTITUTION_ADMIN, institution=inst)
        .select_related("user")
        .order_by("id")
        .first()
    )
    if ra is not None:
        return actor_for(ra.user)
    user = User(username=f"{key}_admin", display_name=f"{inst.name} 协议签署人")
    user.set_unusable_password()
    user.password_changed_at = timezone.now()
    user.save()
    RoleAssignment.objects.create(user=user, role=Role.INSTITUTION_ADMIN, institution=inst)
    audit.record(
        named.demo_actor(),
        "user.create",
        target=user,
        after={"username": user.username, "role": Role.INSTITUTION_ADMIN, "institution": inst.pk},
    )
    return actor_for(user)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A moment of ``day`` in the platform's time zone, for dating what the demo writes."""
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _date_agreement(v1: Any, v2: Any, starts_on: dt.date) -> None:
    """Date the versions as the story has them: the first written and approved by both
    parties in the weeks before it came into force, the revision written last week and
    approved so far by the lead only (the other party's approval waits)."""
    from django.utils import timezone

    from xietong.partnerships.models import Agreement, AgreementVersion, VersionApproval

    written = _at(starts_on - dt.timedelta(days=21))
    approved = _at(starts_on - dt.timedelta(days=10), 15)
    Agreement.objects.filter(pk=v1.agreement_id).update(created_at=written)
    AgreementVersion.objects.filter(pk=v1.pk).update(created_at=written, approved_at=approved)
    for k, approval in enumerate(VersionApproval.objects.filter(version=v1).order_by("pk")):
        VersionApproval.objects.filter(pk=approval.pk).update(
            approved_at=approved - dt.timedelta(days=3 * (1 - min(k, 1)))
        )
    revised = timezone.now() - dt.timedelta(days=8)
    AgreementVersion.objects.filter(pk=v2.pk).update(created_at=revised)
    VersionApproval.objects.filter(version=v2).update(approved_at=revised + dt.timedelta(hours=2))


def _clauses(rows: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"heading": h, "text": t} for h, t in rows]


def load_agreements(actor: Actor | None = None) -> int:
    """Give the partnerships above their agreements (missing ones only); how many written."""
    from xietong.partnerships.agreements import services as agreements
    from xietong.partnerships.models import Agreement

    actor = actor or named.demo_actor()
    written = 0
    for spec in AGREEMENTS:
        lead, other = (named.institution(k) for k in spec.members)
        p = (
            Partnership.objects.filter(members__institution=lead)
            .filter(members__institution=other)
            .order_by("id")
            .first()
        )
        if p is None or Agreement.objects.filter(partnership=p, title=spec.title).exists():
            continue
        first = agreements.VersionIn(spec.title, spec.starts_on, None, _clauses(spec.clauses), "")
        v1 = agreements.create_agreement(actor, p.pk, first)
        lead_admin, other_admin = (_party_admin(k) for k in spec.members)
        agreements.approve(
            lead_admin, v1.pk, members=[m.pk for m in p.members.filter(institution=lead)]
        )
        agreements.approve(
            other_admin, v1.pk, members=[m.pk for m in p.members.filter(institution=other)]
        )
        second = agreements.VersionIn(
            spec.title, spec.starts_on, None, _clauses(spec.changed), spec.note
        )
        v2 = agreements.new_version(lead_admin, v1.agreement_id, second)
        agreements.approve(
            lead_admin, v2.pk, members=[m.pk for m in p.members.filter(institution=lead)]
        )
        _date_agreement(v1, v2, spec.starts_on)
        written += 1
    return written
