"""Teacher training of the demo: the three providers' programs from 2023 to 2025.

Sources: ``article`` is the People's Daily report on the Action Plan, ``facts`` is
``facts.md`` (both in ``/work/shared/source/``).

* the providers are those of the article (依托北京教育学院、首都师范大学、天津师范大学开展
  师资培训); 北京教育学院 runs programs at its base in 北京四中雄安校区 (facts: opened
  2024-02) from 2024-02 on, and before that in Beijing;
* the programs are for the teachers the plan helps first: 雄安新区, 北三县 (三河, 大厂,
  香河) and the rural counties (县) of 张家口 and 承德 (article, facts); some are open to
  the whole region, their places still going mostly to those counties; some share their
  places out by county (quotas given by ``hebei``);
* each program has its sessions (dates, times, place or link, trainer), hours and credit
  type, capacity and application window; its teachers' attendance per session; most
  complete and are credited the hours, a few miss too many sessions; a teacher or two
  withdraws and the first on the waitlist takes the place; certificates are issued on
  completion and one is revoked with a reason;
* 孙晓雪 (the README's ``teacher``) and 王雨晴 (``sanhe_teacher``) complete several
  programs, so their training record shows hours of each kind.

Titles, trainers, places, dates and figures are illustrative.

How it is written, and by whom: every step goes through :mod:`xietong.training.services`
as the people who take it — a program is kept by its provider's admin (``bie_admin`` for
北京教育学院, a demo signatory for the universities), quotas are given by ``hebei``, the
named teachers enroll themselves and the other teachers are enrolled by the authority of
their province on their behalf — so validation, places counted by the database, the
audit log, the notifications and the certificates' signatures are those of real use. The
services stamp each step with "now" (and check the application window against today):
a program is created with its real opening and a closing of today, and its steps'
timestamps are then moved to the story's dates with a direct update, as the resources
and exchanges demos do (the audit log keeps the true time of the load). A certificate's
number and signature cover its completion date, so once dated it is signed again with
:mod:`xietong.training.signing` over the same fields the service signs.

Which teachers enroll is a seeded random choice (:data:`SEED`) among those the program
is for, weighted toward the counties above. Loading is idempotent: a program that exists
(provider and title) is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from xietong.accounts import audit
from xietong.accounts.access import Actor, actor_for
from xietong.accounts.models import User
from xietong.core import bulk
from xietong.core.delimited import unpack
from xietong.demo import named
from xietong.demo.partnerships import _party_admin as party_admin
from xietong.demo.resources import _next_notice as next_notice
from xietong.demo.resources import _stamp_notices as stamp_notices
from xietong.demo.resources import at
from xietong.institutions.choices import TEACHING_POSITIONS
from xietong.institutions.models import Staff
from xietong.regions.models import Region, RegionGroup
from xietong.training import signing
from xietong.training.choices import CreditType, EnrollmentStatus, Mode
from xietong.training.models import Attendance, Certificate, Enrollment, Program
from xietong.training.services import attendance, certificates, enrollment, programs

SEED = 20240226  # the base at 北京四中雄安校区 (facts: opened 2024-02)
BASE_OPENED = dt.date(2024, 2, 1)
BASE_PLACE = "北京四中雄安校区 北京教育学院雄安培训基地"
# The counties the plan helps first: weight of their teachers in a program open to more.
FOCUS_WEIGHT = 8
C, M = CreditType, Mode


def rural_focus() -> list[Region]:
    """雄安新区, 北三县 and the rural counties (县) of 张家口 and 承德."""
    groups = RegionGroup.objects.filter(key__in=("xiongan", "beisanxian"))
    members = [r for g in groups for r in g.members.all()]
    rural = Region.objects.filter(
        Q(path__startswith="130000/130700/") | Q(path__startswith="130000/130800/"),
        level=Region.Level.COUNTY,
        name__endswith="县",
    )
    return sorted({*members, *rural}, key=lambda r: r.code)


@dataclass(frozen=True)
class Meeting:
    day: dt.date
    start: tuple[int, int]
    end: tuple[int, int]
    topic: str
    trainer: str


@dataclass(frozen=True)
class Spec:
    provider: str  # key in named.INSTITUTIONS
    title: str
    description: str
    opens: dt.date
    closes: dt.date
    hours: int
    credit_type: str
    capacity: int
    mode: str
    stages: tuple[str, ...]
    meetings: tuple[Meeting, ...]
    place: str = ""
    link: str = ""
    groups: tuple[str, ...] = ()  # region group keys (empty: the whole region)
    regions: tuple[str, ...] = ()  # region codes
    quotas: tuple[tuple[str, int], ...] = ()  # (county code, places), given by ``hebei``
    fee: int = 0
    enrolled: int = 0  # how many teachers apply (past the capacity: a waitlist)
    missing: int = 1  # how many miss too many sessions to complete
    withdraw: int = 0  # how many enrolled teachers give their place up
    pinned: tuple[str, ...] = ()  # named staff (README sign-ins) who enroll themselves
    revoke: str = ""  # one certificate revoked with this reason


def _m(day: str, topic: str, trainer: str, start: str = "09:00", end: str = "12:00") -> Meeting:
    def hm(t: str) -> tuple[int, int]:
        h, m = t.split(":")
        return int(h), int(m)

    return Meeting(dt.date.fromisoformat(day), hm(start), hm(end), topic, trainer)


SECONDARY = ("junior", "senior")
SCHOOL = ("primary", "junior", "senior")

PROGRAMS: list[Spec] = [
    Spec(
        "bie",
        "雄安新区中小学骨干教师高级研修班（2023年春季）",
        "面向雄安新区三县中小学骨干教师：新课标解读、课堂观察与校本教研的组织。",
        dt.date(2023, 3, 1),
        dt.date(2023, 3, 24),
        24,
        C.CENTRALISED,
        18,
        M.OFFLINE,
        SCHOOL,
        (
            _m("2023-04-08", "义务教育新课程标准解读", "北京教育学院 李文华 教授"),
            _m("2023-04-15", "课堂观察与诊断", "北京教育学院 周明 副教授"),
            _m("2023-04-22", "校本教研的组织与实施", "北京教育学院 王海燕 研究员"),
        ),
        place="北京教育学院 德胜门校区 教学楼 301",
        groups=("xiongan",),
        quotas=(("130629", 6), ("130632", 6), ("130638", 6)),
        enrolled=17,
        pinned=("bj80_rd_teacher",),
    ),
    Spec(
        "bie",
        "北三县乡村教师课堂教学能力提升培训",
        "面向三河、大厂、香河的乡村学校教师：教学设计、作业设计与课堂评价。",
        dt.date(2023, 9, 25),
        dt.date(2023, 10, 20),
        18,
        C.CENTRALISED,
        14,
        M.BLENDED,
        ("primary", "junior"),
        (
            _m("2023-11-04", "单元教学设计", "北京教育学院 赵静 副教授"),
            _m("2023-11-11", "作业设计与减负提质", "北京教育学院 孙立 讲师"),
            _m("2023-11-18", "课堂评价与反馈", "北京教育学院 赵静 副教授"),
        ),
        place="三河市教师发展中心",
        link="https://training.example.edu.cn/bie/beisanxian-2023",
        groups=("beisanxian",),
        enrolled=16,
        withdraw=1,
        pinned=("zhg_teacher",),
    ),
    Spec(
        "bie",
        "雄安培训基地开班研修：新课标下的大单元教学",
        "北京教育学院雄安培训基地首期研修，面向雄安新区初高中教师。",
        dt.date(2024, 2, 26),
        dt.date(2024, 3, 15),
        32,
        C.CENTRALISED,
        20,
        M.OFFLINE,
        SECONDARY,
        (
            _m("2024-03-23", "大单元教学的设计逻辑", "北京教育学院 李文华 教授"),
            _m("2024-03-23", "大单元教学课例分析", "北京四中 刘晓东 特级教师", "14:00", "17:00"),
            _m("2024-03-30", "学科实践活动设计", "北京教育学院 周明 副教授"),
            _m("2024-03-30", "分组研课与展示", "北京教育学院 周明 副教授", "14:00", "17:00"),
        ),
        place=BASE_PLACE,
        groups=("xiongan",),
        enrolled=18,
        missing=2,
        pinned=("bj80_rd_teacher",),
    ),
    Spec(
        "bie",
        "雄安新区初中语文教师跟岗研修",
        "在北京教育学院雄安培训基地集中研修，随后到北京四中雄安校区跟岗听评课。",
        dt.date(2024, 9, 9),
        dt.date(2024, 9, 27),
        40,
        C.SHADOWING,
        16,
        M.OFFLINE,
        ("junior",),
        (
            _m("2024-10-12", "整本书阅读教学", "北京教育学院 王海燕 研究员"),
            _m("2024-10-19", "跟岗听课：初二语文", "北京四中 陈静 高级教师", "08:00", "16:00"),
            _m("2024-10-26", "跟岗评课与反思", "北京四中 陈静 高级教师", "08:00", "16:00"),
            _m("2024-11-02", "写作教学研讨", "北京教育学院 王海燕 研究员"),
            _m("2024-11-09", "成果展示与总结", "北京教育学院 李文华 教授"),
        ),
        place=BASE_PLACE,
        groups=("xiongan",),
        enrolled=12,
        pinned=("bj80_rd_teacher",),
    ),
    Spec(
        "bie",
        "雄安新区班主任专业能力提升研修",
        "班级管理、家校沟通与学生心理支持；名额按县分配。",
        dt.date(2025, 3, 3),
        dt.date(2025, 3, 21),
        24,
        C.CENTRALISED,
        15,
        M.OFFLINE,
        SCHOOL,
        (
            _m("2025-04-12", "班集体建设", "北京教育学院 孙立 讲师"),
            _m("2025-04-19", "家校沟通的方法", "北京教育学院 赵静 副教授"),
            _m("2025-04-26", "学生心理危机的识别与支持", "北京教育学院 周明 副教授"),
        ),
        place=BASE_PLACE,
        groups=("xiongan",),
        quotas=(("130629", 5), ("130632", 5), ("130638", 5)),
        enrolled=14,
        withdraw=1,
    ),
    Spec(
        "cnu",
        "张家口、承德乡村学校数学教师暑期培训",
        "首都师范大学数学科学学院承办，面向张家口、承德的乡村中小学数学教师。",
        dt.date(2023, 5, 15),
        dt.date(2023, 6, 16),
        30,
        C.CENTRALISED,
        20,
        M.OFFLINE,
        SCHOOL,
        (
            _m("2023-07-17", "数学核心素养与教学", "首都师范大学 张华 教授", "09:00", "16:00"),
            _m("2023-07-18", "概念教学的设计", "首都师范大学 刘洋 副教授", "09:00", "16:00"),
            _m("2023-07-19", "问题解决教学", "首都师范大学 张华 教授", "09:00", "16:00"),
            _m("2023-07-20", "课例研讨与汇报", "首都师范大学 刘洋 副教授", "09:00", "16:00"),
        ),
        place="首都师范大学 本部校区 教师教育学院 报告厅",
        groups=("huanjing",),
        enrolled=19,
        missing=1,
        revoke="证书信息有误：学员所在学校填写错误，已撤销，更正后重新核发。",
    ),
    Spec(
        "cnu",
        "京津冀中小学教师信息技术应用能力提升（线上）",
        "线上直播与录播结合：数字资源的检索、课件制作与智慧课堂。面向京津冀全体中小学教师。",
        dt.date(2024, 4, 1),
        dt.date(2024, 4, 26),
        20,
        C.ONLINE,
        30,
        M.ONLINE,
        SCHOOL,
        (
            _m("2024-05-11", "国家中小学智慧教育平台的使用", "首都师范大学 王磊 副教授"),
            _m("2024-05-18", "微课与课件制作", "首都师范大学 王磊 副教授"),
            _m("2024-05-25", "智慧课堂的教学设计", "首都师范大学 陈晨 讲师"),
            _m("2024-06-01", "人工智能工具与教学", "首都师范大学 陈晨 讲师"),
        ),
        link="https://training.example.edu.cn/cnu/it-2024",
        enrolled=28,
        missing=2,
        pinned=("zhg_teacher", "bj80_rd_teacher"),
    ),
    Spec(
        "cnu",
        "承德、张家口乡村教师英语教学研修",
        "线上学习与集中研修结合，面向张家口、承德乡村中小学英语教师。",
        dt.date(2025, 5, 12),
        dt.date(2025, 6, 13),
        24,
        C.CENTRALISED,
        16,
        M.BLENDED,
        SCHOOL,
        (
            _m("2025-07-07", "英语学习活动观", "首都师范大学 李娜 教授", "09:00", "16:00"),
            _m("2025-07-08", "读写结合教学", "首都师范大学 李娜 教授", "09:00", "16:00"),
            _m("2025-07-09", "单元整体教学与展示", "首都师范大学 赵敏 副教授", "09:00", "16:00"),
        ),
        place="承德市教育局 教师培训中心",
        link="https://training.example.edu.cn/cnu/english-2025",
        groups=("huanjing",),
        enrolled=14,
    ),
    Spec(
        "tjnu",
        "京津冀学前教育教师保教能力提升研修",
        "天津师范大学教育学部承办：游戏活动的观察与支持、幼小衔接。",
        dt.date(2023, 10, 9),
        dt.date(2023, 10, 27),
        20,
        C.CENTRALISED,
        16,
        M.OFFLINE,
        ("preschool",),
        (
            _m("2023-11-11", "幼儿游戏的观察与记录", "天津师范大学 高洁 教授"),
            _m("2023-11-18", "幼小科学衔接", "天津师范大学 马丽 副教授"),
            _m("2023-11-25", "园本教研", "天津师范大学 高洁 教授"),
        ),
        place="天津师范大学 八里台校区 学前教育实训楼",
        enrolled=12,
    ),
    Spec(
        "tjnu",
        "北三县教师心理健康教育专题培训",
        "学生心理健康的识别、班级心理辅导与教师自我调适。",
        dt.date(2024, 3, 18),
        dt.date(2024, 4, 12),
        16,
        C.CENTRALISED,
        16,
        M.BLENDED,
        SCHOOL,
        (
            _m("2024-04-20", "学生心理健康的识别", "天津师范大学 孟强 教授"),
            _m("2024-04-27", "班级心理辅导活动设计", "天津师范大学 孟强 教授"),
        ),
        place="大厂回族自治县教师进修学校",
        link="https://training.example.edu.cn/tjnu/xinli-2024",
        groups=("beisanxian",),
        enrolled=14,
        pinned=("zhg_teacher",),
    ),
    Spec(
        "tjnu",
        "雄安新区、北三县青年教师教学基本功研修（线上）",
        "面向入职五年内的青年教师：教学语言、板书、教学设计与说课。",
        dt.date(2025, 9, 15),
        dt.date(2025, 10, 10),
        16,
        C.ONLINE,
        24,
        M.ONLINE,
        SCHOOL,
        (
            _m("2025-10-18", "教学语言与课堂组织", "天津师范大学 吴刚 副教授", "19:00", "21:00"),
            _m("2025-10-25", "教学设计与说课", "天津师范大学 吴刚 副教授", "19:00", "21:00"),
            _m("2025-11-01", "板书与多媒体", "天津师范大学 杨帆 讲师", "19:00", "21:00"),
            _m("2025-11-08", "课例点评", "天津师范大学 杨帆 讲师", "19:00", "21:00"),
        ),
        link="https://training.example.edu.cn/tjnu/qingnian-2025",
        groups=("xiongan", "beisanxian"),
        enrolled=22,
        missing=2,
        pinned=("zhg_teacher",),
    ),
]


@dataclass
class TrainingResult:
    created: int = 0
    unchanged: int = 0
    enrollments: int = 0
    completed: int = 0
    not_completed: int = 0
    withdrawn: int = 0
    promoted: int = 0
    certificates: int = 0
    revoked: int = 0
    seconds: float = 0.0
    skipped: bool = False
    by_provider: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        if self.skipped:
            return "Teacher training: none (no synthetic population to enroll)."
        if not self.created:
            return f"Teacher training: {self.unchanged} programs already loaded, nothing to do."
        providers = ", ".join(f"{k} {n}" for k, n in self.by_provider.items())
        return (
            f"Teacher training: {self.created} programs ({providers}), {self.unchanged} "
            f"unchanged; {self.enrollments} enrollments, {self.completed} completed, "
            f"{self.not_completed} not completed, {self.withdrawn} withdrawn, "
            f"{self.promoted} promoted from the waitlist; {self.certificates} certificates "
            f"({self.revoked} revoked) in {self.seconds:.1f} s"
        )


# --- who ----------------------------------------------------------------------------------


def keeper(provider: str) -> Actor:
    """The provider's admin: ``bie_admin`` for 北京教育学院, else a demo signatory."""
    if provider == "bie":
        return actor_for(User.objects.get(username="bie_admin"))
    return party_admin(provider)


PROVINCE_SIGNIN = {"110000": "beijing", "120000": "tianjin", "130000": "hebei"}


@dataclass(frozen=True)
class Candidate:
    staff_id: int
    path: str
    stages: frozenset[str]


def _candidates() -> list[Candidate]:
    rows = (
        Staff.objects.filter(position__in=TEACHING_POSITIONS, institution__region__isnull=False)
        .order_by("pk")
        .values_list("pk", "institution__region_path", "stages", "institution__stages")
    )
    return [
        Candidate(pk, path, frozenset(unpack(own) or unpack(inst))) for pk, path, own, inst in rows
    ]


def _paths(spec: Spec) -> list[str]:
    """The region paths a program is for (empty: all)."""
    regions = list(Region.objects.filter(code__in=spec.regions).values_list("path", flat=True))
    for g in RegionGroup.objects.filter(key__in=spec.groups).prefetch_related("members"):
        regions += [m.path for m in g.members.all()]
    return regions


def _pick(spec: Spec, pool: list[Candidate], focus: list[str], rng: random.Random) -> list[int]:
    """The teachers who apply: seeded, weighted toward the focus counties, within each
    quota's places (a county's teachers beyond them would wait in vain)."""
    paths = _paths(spec)
    quota_paths = {
        p: n
        for code, n in spec.quotas
        for p in Region.objects.filter(code=code).values_list("path", flat=True)
    }
    stages = set(spec.stages)
    pinned = {named.staff(k).pk for k in spec.pinned}
    fit = [
        c
        for c in pool
        if c.staff_id not in pinned
        and (not stages or c.stages & stages)
        and (not paths or any(c.path.startswith(p) for p in paths))
        and (not quota_paths or any(c.path.startswith(p) for p in quota_paths))
    ]

    def key(c: Candidate) -> float:
        weight = FOCUS_WEIGHT if any(c.path.startswith(p) for p in focus) else 1
        return rng.random() ** (1 / weight)

    fit.sort(key=key, reverse=True)
    left = dict(quota_paths)
    for path in Staff.objects.filter(pk__in=pinned).values_list(
        "institution__region_path", flat=True
    ):
        for p in left:
            left[p] -= path.startswith(p)
    chosen: list[int] = []
    want = spec.enrolled - len(pinned)
    for c in fit:
        if len(chosen) >= want:
            break
        if quota_paths:
            p = next(p for p in quota_paths if c.path.startswith(p))
            if left[p] <= 0:
                continue
            left[p] -= 1
        chosen.append(c.staff_id)
    return chosen


# --- one program ----------------------------------------------------------------------------


def _when(day: dt.date, hm: tuple[int, int]) -> dt.datetime:
    return at(day, hm[0], hm[1])


def _spread(first: dt.date, last: dt.date, i: int, n: int) -> dt.datetime:
    """The i-th of n moments from ``first`` to ``last`` (office hours), in order."""
    span = max(1, (last - first).days) * 8 * 60
    minutes = span * i // max(1, n)
    day = first + dt.timedelta(days=minutes // (8 * 60))
    rest = minutes % (8 * 60)
    return at(day, 9 + rest // 60, rest % 60)


def _one(spec: Spec, pool: list[Candidate], focus: list[str], result: TrainingResult) -> None:
    provider = named.institution(spec.provider)
    if Program.objects.filter(provider=provider, title=spec.title).exists():
        result.unchanged += 1
        return
    today = timezone.localdate()
    rng = random.Random(f"{SEED}:{spec.title}")
    actor = keeper(spec.provider)
    first_notice = next_notice()
    program = programs.create_program(
        actor,
        programs.ProgramIn(
            title=spec.title,
            description=spec.description,
            stages=list(spec.stages),
            regions=list(spec.regions),
            region_groups=list(spec.groups),
            hours=spec.hours,
            credit_type=spec.credit_type,
            capacity=spec.capacity,
            mode=spec.mode,
            fee_yuan=spec.fee,
            # The window is checked against today: closed at the story's date afterwards.
            applications_open=spec.opens,
            applications_close=today,
            provider_id=provider.pk,
        ),
    )
    pk = program.pk
    for m in spec.meetings:
        programs.add_session(
            actor,
            pk,
            programs.SessionIn(
                starts_at=_when(m.day, m.start),
                ends_at=_when(m.day, m.end),
                place=spec.place if spec.mode != M.ONLINE else "",
                link=spec.link if spec.mode != M.OFFLINE else "",
                trainer=m.trainer,
                topic=m.topic,
            ),
        )
    hebei = actor_for(User.objects.get(username="hebei"))
    programs.open_program(actor, pk)
    # An authority reads a program once it is open: it shares the places out then.
    for code, places in spec.quotas:
        programs.allocate_quota(hebei, pk, code, places)

    # Applications, in the window's order: the named teachers among the first.
    people = [(named.staff(k).pk, True) for k in spec.pinned]
    people += [(s, False) for s in _pick(spec, pool, focus, rng)]
    rng.shuffle(people)
    by_province = {
        code: actor_for(User.objects.get(username=name)) for code, name in PROVINCE_SIGNIN.items()
    }
    paths = dict(
        Staff.objects.filter(pk__in=[s for s, _ in people]).values_list(
            "pk", "institution__region_path"
        )
    )
    rows: list[Enrollment] = []
    for staff_id, own in people:
        if own:
            account = Staff.objects.select_related("user").get(pk=staff_id).user
            assert account is not None, "the README's teachers sign in"
            who = actor_for(account)
            rows.append(enrollment.enroll(who, pk))
        else:
            who = by_province[paths[staff_id][:6]]
            rows.append(enrollment.enroll(who, pk, staff_id))
    stamp_notices(first_notice, at(spec.opens, 9))
    for i, row in enumerate(rows):
        moment = _spread(spec.opens, spec.closes, i, len(rows))
        Enrollment.objects.filter(pk=row.pk).update(
            enrolled_at=moment if row.status == EnrollmentStatus.ENROLLED else None,
            waitlisted_at=moment if row.status == EnrollmentStatus.WAITLISTED else None,
        )
    result.enrollments += len(rows)

    # A teacher or two gives the place up before the window closes; the waitlist moves.
    enrolled = [r for r in rows if r.status == EnrollmentStatus.ENROLLED]
    named_ids = {named.staff(k).pk for k in spec.pinned}
    leaving = [r for r in enrolled if r.staff_id not in named_ids][: spec.withdraw]
    for n, row in enumerate(leaving):
        first_notice = next_notice()
        who = by_province[row.region_path[:6]]
        before = timezone.now()
        enrollment.withdraw(who, row.pk)
        gone = at(spec.closes - dt.timedelta(days=2), 15, 10 * n)
        Enrollment.objects.filter(pk=row.pk).update(withdrawn_at=gone)
        promoted = Enrollment.objects.filter(
            program_id=pk, status=EnrollmentStatus.ENROLLED, enrolled_at__gte=before
        )
        result.promoted += promoted.update(enrolled_at=gone + dt.timedelta(minutes=1))
        stamp_notices(first_notice, gone + dt.timedelta(minutes=1))
        result.withdrawn += 1
    programs.close_program(actor, pk)

    # Attendance per session: all there, but for those who miss most sessions.
    roster = list(
        Enrollment.objects.filter(program_id=pk, status=EnrollmentStatus.ENROLLED)
        .order_by("pk")
        .values_list("pk", "staff_id")
    )
    others = [e for e, s in roster if s not in named_ids]
    absent = set(rng.sample(others, min(spec.missing, len(others))))
    sessions = list(program.sessions.order_by("starts_at"))
    for i, session in enumerate(sessions):
        away = absent if i % 2 == 0 or i == len(sessions) - 1 else set()
        attendance.record_roster(
            actor, session.pk, [e for e, _s in roster if e not in away], sorted(away)
        )
        Attendance.objects.filter(session=session).update(recorded_at=session.ends_at)

    first_notice = next_notice()
    counts = attendance.complete_program(actor, pk)
    done = at(spec.meetings[-1].day + dt.timedelta(days=3), 16)
    stamp_notices(first_notice, done)
    result.completed += counts["completed"]
    result.not_completed += counts["not_completed"]
    result.certificates += counts["certificates"]
    _date(program, spec, done)
    if spec.revoke:
        cert = (
            Certificate.objects.filter(enrollment__program_id=pk)
            .exclude(enrollment__staff_id__in=named_ids)
            .order_by("pk")
            .first()
        )
        if cert is not None:
            certificates.revoke(actor, cert.pk, spec.revoke)
            Certificate.objects.filter(pk=cert.pk).update(revoked_at=done + dt.timedelta(days=21))
            result.revoked += 1
    result.created += 1
    result.by_provider[provider.name] = result.by_provider.get(provider.name, 0) + 1


def _date(program: Program, spec: Spec, done: dt.datetime) -> None:
    """Move the program's and its enrollments' stamps to the story's dates, then date and
    sign again its certificates (their number and signature cover the completion day)."""
    opened = at(spec.opens, 9)
    closed = at(spec.closes + dt.timedelta(days=1), 9)
    Program.objects.filter(pk=program.pk).update(
        applications_close=spec.closes,
        created_at=opened - dt.timedelta(days=10),
        opened_at=opened,
        closed_at=closed,
        completed_at=done,
        updated_at=done,
    )
    rows = Enrollment.objects.filter(program=program)
    rows.filter(status__in=(EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED)).update(
        completed_at=done
    )
    # The waitlist still waiting when the program ended was closed then.
    rows.filter(status=EnrollmentStatus.WITHDRAWN, enrolled_at__isnull=True).update(
        withdrawn_at=done
    )
    issued = done + dt.timedelta(minutes=5)
    for c in Certificate.objects.filter(enrollment__program=program).order_by("pk"):
        c.completed_on = done.date()
        c.number = signing.make_number(done.year, c.enrollment_id)
        c.signature = signing.sign(certificates.fields_of(c))
        c.save(update_fields=["completed_on", "number", "signature"])
    Certificate.objects.filter(enrollment__program=program).update(issued_at=issued)


# --- the story ---------------------------------------------------------------------------------


def demo_programs() -> QuerySet[Program]:
    """The programs of :data:`PROGRAMS` (by provider and title)."""
    q = Q(pk__in=[])
    for spec in PROGRAMS:
        q |= Q(provider__name=named.BY_KEY[spec.provider].name, title=spec.title)
    return Program.objects.filter(q)


def enrollments_by_county(limit: int = 5) -> list[tuple[str, int]]:
    rows = (
        Enrollment.objects.filter(program__in=demo_programs())
        .values("institution__region__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "institution__region__name")
        .values_list("institution__region__name", "n")
    )
    return list(rows[:limit])


@transaction.atomic
def load(specs: Sequence[Spec] = PROGRAMS) -> TrainingResult:
    """Create what is missing of the story (the named registry, the demo sign-ins and the
    population must be loaded); see the module docstring."""
    from xietong.demo import synthetic

    started = time.monotonic()
    result = TrainingResult()
    if synthetic.current_load() is None:
        # The teachers who enroll are the synthetic population's: none at scale 0.
        result.skipped = True
        return result
    if all(
        Program.objects.filter(provider=named.institution(s.provider), title=s.title).exists()
        for s in specs
    ):
        result.unchanged = len(specs)
        return result
    pool = _candidates()
    focus = [r.path for r in rural_focus()]
    for spec in specs:
        _one(spec, pool, focus, result)
    bulk.analyze([Program, Enrollment, Attendance, Certificate])
    result.seconds = time.monotonic() - started
    return result


def unload() -> int:
    """Delete the demo's training programs (with their sessions, quotas, enrollments,
    attendance and certificates) when the population they enroll is replaced
    (``xietong demo --replace``): enrollments refer to its staff, which the registry
    refuses to delete while referred to; :func:`load` writes them again for the new
    population. Returns the programs deleted."""
    ids = list(demo_programs().values_list("pk", flat=True))
    if not ids:
        return 0
    enrollments = Enrollment.objects.filter(program_id__in=ids)
    n = enrollments.count()
    certs, _ = Certificate.objects.filter(enrollment__program_id__in=ids).delete()
    Program.objects.filter(pk__in=ids).delete()
    audit.record(
        named.demo_actor(),
        "demo.training_delete",
        object_type="training.program",
        label="demo training programs",
        detail={"programs": len(ids), "enrollments": n, "certificates": certs},
    )
    return len(ids)
