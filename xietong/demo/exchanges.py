"""Exchange programs of the demo: shadowing, secondment, matching runs and placements.

Everything is written through :mod:`xietong.exchanges.services`, so validation, the audit
log and notifications apply, acting as the people whose step it is:

* the **organising authority** (:func:`xietong.demo.named.demo_actor`: authority admin of
  the three provinces) creates programs, approves, runs and publishes matching, and acts
  for the host schools (offers, host reports, evaluation, completion);
* the **home institution's admin** (an institution-admin grant of the sending school)
  recommends after the public notice (公示), records the return duty and closes the
  exchange;
* the **teacher** (a staff grant of the applicant) keeps the weekly logs, writes the
  teacher's reports and reports the return duty done.

The programs (titles are the natural keys with school year and term):

* 北三县 principals and backbone teachers shadowing in Beijing and Tianjin schools
  (facts: 38 schools with shadowing schemes, 300+ shadowed);
* Xiong'an schools (建三, 援四 and the Tianjin pairs) shadowing at their supporting
  schools in Beijing and Tianjin;
* 北京市第八十中学雄安容东分校 shadowing at 北京市第八十中学 every term, each term a
  ``repeat_program`` of the previous one, every eligible teacher of the branch taking part
  (article: "每学期组织教师赴京跟岗学习，实现教师跟岗全覆盖");
* the university cadre and teacher secondment (article: 京津冀高校干部、教师异地挂职交流计划)
  from Hebei universities (河北大学 …) to 北京交通大学, 首都师范大学 and 天津师范大学.

Terms are placed around today's date: the three terms before the current one are finished
(matching published, placements completed with reports, evaluation and return duty), the
current term's placements are in progress, and the next term's programs are open for
applications now. Loading is idempotent: a program that exists (title, school year, term)
is left alone, so a second load on the same day creates nothing and writes no audit event.
Which applicants take part is a deterministic choice (ordered by id) among the eligible
staff — named people first, then the synthetic population if one is loaded.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from xietong.accounts import audit
from xietong.accounts.access import Actor, Grant
from xietong.accounts.models import Role
from xietong.core.codes import SUBJECTS
from xietong.core.delimited import needle
from xietong.core.terms import SchoolTerm
from xietong.demo import named
from xietong.exchanges import services
from xietong.exchanges.access import area_q
from xietong.exchanges.choices import (
    AppStatus,
    AuthorSide,
    DutyKind,
    PlacementStatus,
    ProgramKind,
    ProgramStatus,
    ReportKind,
    RunMode,
    Side,
)
from xietong.exchanges.models import (
    Application,
    MatchingRun,
    Placement,
    PlacementLog,
    PlacementReport,
    Program,
)
from xietong.institutions.models import Institution, Staff
from xietong.jobs.models import Job
from xietong.notifications.models import Notification

TZ = ZoneInfo("Asia/Shanghai")
Term = SchoolTerm  # one calendar rule: xietong.core.terms

# How many applicants of the synthetic population each program takes per term (besides
# the named people): enough to make matching and coverage meaningful, small enough that
# the whole exchanges demo loads in seconds.
SYNTHETIC_PER_TERM = {"beisanxian": 6, "xiongan": 4, "rongdong": 0, "higher_ed": 2}
FINISHED_TERMS = 3
OPEN_SINCE_DAYS = 28  # the next term's programs opened for applications four weeks ago
OPEN_APPLICANTS = 12  # synthetic applicants to an open program: the review queues fill

LOG_TEXTS = (
    "随堂听课{n}节，参加学科组集体备课，整理听课笔记。",
    "在导师指导下完成一节汇报课，课后与导师逐环节复盘。",
    "参与年级教研活动和作业设计研讨，学习分层作业的做法。",
    "跟岗学校管理例会与班主任工作交流，记录可借鉴的制度。",
)


@dataclass(frozen=True)
class Series:
    """One program that runs term after term."""

    key: str
    title: str
    kind: str
    organiser: str  # key in named.INSTITUTIONS
    region: str
    hosts: tuple[str, ...]  # named keys of the host institutions
    named_applicants: tuple[str, ...]  # keys in named.STAFF
    weeks: int
    max_choices: int = 3
    sending_areas: tuple[str, ...] = ()
    sending_institutions: tuple[str, ...] = ()
    host_areas: tuple[str, ...] = ()
    elig_positions: tuple[str, ...] = ("teacher", "principal", "vice_principal")
    elig_stages: tuple[str, ...] = ()
    min_years: int | None = None
    repeated: bool = False  # each term a repeat_program of the previous one
    current: bool = True  # has a program in the current term
    open_next: bool = False  # has a program open for applications now
    exclude_sending: tuple[str, ...] = ()  # named institutions whose staff are not picked
    # The hosts offer one place fewer than asked for in their most wanted slot: each run
    # leaves someone unmatched, whose "why was I not matched" can be read.
    scarce: bool = False


SERIES: list[Series] = [
    # facts: 北三县 — 38 schools with shadowing schemes, 300+ principals and backbone
    # teachers shadowed in Beijing; 250 Hebei principals and teachers a year in Beijing/Tianjin
    Series(
        "beisanxian",
        "北三县中小学校长和骨干教师赴京津跟岗学习",
        ProgramKind.SHADOWING,
        organiser="hb_jyt",
        region="130000",
        hosts=("bj_school", "luhe", "dc_shijia", "bj4", "tj_sx", "tj1"),
        named_applicants=("zhg_principal", "zhg_teacher"),
        weeks=8,
        sending_areas=("beisanxian",),
        host_areas=("110000", "120000"),
        min_years=1,
        open_next=True,
        scarce=True,
    ),
    # facts: 建三 / 援四 supporting schools and the Tianjin pairs (2024-05)
    Series(
        "xiongan",
        "雄安新区学校教师赴京津支援学校跟岗研修",
        ProgramKind.SHADOWING,
        organiser="hb_jyt",
        region="130000",
        hosts=("dc_shijia", "zgc3", "bj4", "bj80", "tj1", "tj4", "tj_sx"),
        named_applicants=("bj4_xa_principal", "xa_shijia_principal", "xx1_principal"),
        weeks=6,
        sending_areas=("xiongan",),
        exclude_sending=("bj80_rd",),
    ),
    # article: 北京市第八十中学雄安容东分校每学期组织教师赴京跟岗学习，实现教师跟岗全覆盖
    Series(
        "rongdong",
        "北京市第八十中学雄安容东分校教师赴京跟岗学习",
        ProgramKind.SHADOWING,
        organiser="bj_jw",
        region="110000",
        hosts=("bj80",),
        named_applicants=(),  # every eligible teacher of the branch, see _applicants
        weeks=4,
        max_choices=1,
        sending_institutions=("bj80_rd",),
        repeated=True,
        open_next=True,
    ),
    # article: 实施京津冀高校干部、教师异地挂职交流计划
    Series(
        "higher_ed",
        "京津冀高校干部、教师异地挂职交流计划（河北高校赴京津）",
        ProgramKind.HIGHER_ED_SECONDMENT,
        organiser="bj_jw",
        region="110000",
        hosts=("bjtu", "cnu", "tjnu"),
        named_applicants=("hbu_cadre", "hbu_lecturer"),
        weeks=16,
        max_choices=2,
        sending_areas=("130000",),
        elig_positions=("teacher", "cadre"),
        elig_stages=("undergrad", "postgrad"),
    ),
]


@dataclass
class ExchangesResult:
    programs: int = 0
    skipped: int = 0
    offers: int = 0
    applications: int = 0
    runs: int = 0
    placements: int = 0
    completed: int = 0
    in_progress: int = 0
    ended: int = 0
    logs: int = 0
    seconds: float = 0.0
    lines: list[str] = field(default_factory=list)

    @property
    def created(self) -> int:
        return self.programs


# --- terms and dates --------------------------------------------------------------------------


def terms(today: dt.date) -> tuple[list[Term], Term, Term]:
    """(finished terms oldest first, the current term, the next term)."""
    cur = Term.containing(today)
    past: list[Term] = []
    t = cur
    for _ in range(FINISHED_TERMS):
        t = t.previous()
        past.insert(0, t)
    return past, cur, cur.next()


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


@dataclass(frozen=True)
class Schedule:
    """The dates of one program in one term, each step after the one before."""

    term: Term
    weeks: int

    @property
    def starts_on(self) -> dt.date:
        return self.term.starts_on + dt.timedelta(days=14)

    @property
    def ends_on(self) -> dt.date:
        return min(self.term.ends_on, self.starts_on + dt.timedelta(days=7 * self.weeks - 3))

    @property
    def opens_at(self) -> dt.datetime:
        return at(self.starts_on - dt.timedelta(days=80))

    @property
    def closes_at(self) -> dt.datetime:
        return at(self.starts_on - dt.timedelta(days=50), 17)

    @property
    def notice(self) -> tuple[dt.date, dt.date]:
        start = self.starts_on - dt.timedelta(days=45)
        return start, start + dt.timedelta(days=6)

    @property
    def approved_at(self) -> dt.datetime:
        return at(self.notice[1] + dt.timedelta(days=1), 10)

    @property
    def published_at(self) -> dt.datetime:
        return at(self.notice[1] + dt.timedelta(days=5), 15)

    @property
    def confirmed_at(self) -> dt.datetime:
        return at(self.notice[1] + dt.timedelta(days=7), 11)


# --- actors -----------------------------------------------------------------------------------


def home_admin(inst_id: int) -> Actor:
    return Actor(
        user_id=None,
        name="demo (institution admin)",
        grants=(Grant(Role.INSTITUTION_ADMIN, institution_id=inst_id),),
    )


def teacher(staff: Staff) -> Actor:
    return Actor(
        user_id=staff.user_id,
        name=f"demo ({staff.name})",
        grants=(Grant(Role.STAFF),),
        staff_id=staff.pk,
    )


# --- building blocks --------------------------------------------------------------------------


def _program_data(s: Series, term: Term, sched: Schedule, window: tuple[Any, Any]) -> dict:
    data: dict[str, Any] = {
        "kind": s.kind,
        "organiser": named.institution(s.organiser).pk,
        "region": s.region,
        "title": s.title,
        "school_term": term,
        "starts_on": sched.starts_on,
        "ends_on": sched.ends_on,
        "duration_weeks": s.weeks,
        "max_choices": s.max_choices,
        "opens_at": window[0],
        "closes_at": window[1],
        "elig_positions": list(s.elig_positions),
        "elig_stages": list(s.elig_stages),
        "min_years": s.min_years,
        "sending_areas": list(s.sending_areas),
        "sending_institutions": [named.institution(k).pk for k in s.sending_institutions],
        "host_areas": list(s.host_areas),
        "host_institutions": [] if s.host_areas else [named.institution(k).pk for k in s.hosts],
    }
    return data


def _applicants(
    s: Series,
    program: Program,
    limit: int,
    *,
    spread: bool = False,
    rounds: int = 1,
    again: bool = False,
) -> list[Staff]:
    """Named people, then synthetic staff, all eligible, none sent by this series before
    (``again``: a small population has run out; people go a second time, but not in two
    terms running where there are others).

    A named person goes once (in the first term of the series they are eligible for), as a
    teacher is not sent term after term. The 容东 branch rotates its whole staff: each of
    ``rounds`` terms takes its share of those not yet sent, so every teacher has gone once
    by the last (its "full coverage"); an open program starts the next round.

    ``spread``: the synthetic staff are taken from each county of the sending area in
    turn (an open program's review queues then reach every county's authority)."""
    earlier = Application.objects.filter(program__title=s.title).exclude(program=program)
    if again:  # at least not those of the term before
        last = earlier.order_by("-program__term_key").values_list("program_id", flat=True)[:1]
        earlier = earlier.filter(program_id__in=list(last))
    sent = earlier.values("applicant_id")
    people: list[Staff] = []
    for key in s.named_applicants:
        found = (
            Staff.objects.filter(named.find_q(named.STAFF_BY_KEY[key])).exclude(pk__in=sent).first()
        )
        if found is not None and not services.eligibility_problems(program, found):
            people.append(found)
    hosts_stages = {st for key in s.hosts for st in named.institution(key).stage_list}
    qs = Staff.objects.filter(
        area_q(program, Side.SENDING, "institution__"), position__in=list(s.elig_positions)
    )
    stage_q = Q(pk__in=[])
    for stage in hosts_stages:
        stage_q |= Q(stages__contains=needle(stage))
    qs = qs.filter(stage_q).exclude(pk__in=[p.pk for p in people])
    for key in s.exclude_sending:
        qs = qs.exclude(institution=named.institution(key))
    if s.key == "rongdong":
        eligible = [
            st for st in qs.order_by("pk") if not services.eligibility_problems(program, st)
        ]
        gone = set(
            Application.objects.filter(program__title=s.title).values_list(
                "applicant_id", flat=True
            )
        )
        left = [st for st in eligible if st.pk not in gone]
        done = Program.objects.filter(title=s.title).exclude(pk=program.pk).count()
        if spread or not left:  # an open program (or a finished rotation) starts anew
            limit = -(-len(eligible) // max(rounds, 1))
        else:
            limit = -(-len(left) // max(rounds - done, 1))
            qs = qs.exclude(pk__in=gone)
    else:
        qs = qs.exclude(pk__in=sent)
    candidates = list(
        qs.select_related("institution").order_by("pk")[: limit * (20 if spread else 3)]
    )
    if spread:
        candidates = _round_robin(candidates)
    wanted = len(people) + limit
    for st in candidates:
        if len(people) >= wanted:
            break
        if not services.eligibility_problems(program, st):
            people.append(st)
    if not people and not again:
        people = _applicants(s, program, limit, spread=spread, rounds=rounds, again=True)
        if not people:  # a population too small even for that: the same people go again
            people = [
                st
                for st in Staff.objects.filter(
                    pk__in=Application.objects.filter(program__title=s.title).values("applicant_id")
                ).order_by("pk")
                if not services.eligibility_problems(program, st)
            ]
    return people


def _round_robin(staff: list[Staff]) -> list[Staff]:
    """The staff reordered one county at a time (each county's in their order)."""
    by_county: dict[int, list[Staff]] = {}
    for st in staff:
        by_county.setdefault(st.institution.region_id, []).append(st)
    queues = list(by_county.values())
    out: list[Staff] = []
    while queues:
        out.extend(q.pop(0) for q in queues)
        queues = [q for q in queues if q]
    return out


def _pair(st: Staff, stages: set[str]) -> tuple[str, str] | None:
    stage = next((x for x in st.stage_list if x in stages), None)
    subjects = st.subject_list
    if stage is None or not subjects:
        return None
    return stage, subjects[0]


def _mentor(host: Institution) -> int | None:
    keys = [
        r.key for r in named.STAFF if r.institution in named.BY_KEY and r.key.endswith("_mentor")
    ]
    for key in keys:
        row = named.STAFF_BY_KEY[key]
        if named.BY_KEY[row.institution].name == host.name:
            found = Staff.objects.filter(named.find_q(row)).first()
            if found is not None:
                return found.pk
    return None


def _offers(
    org: Actor,
    s: Series,
    program: Program,
    people: list[Staff],
    planned: list[Staff] | None = None,
) -> dict[int, list[int]]:
    """Host offers whose slots fit the applicants (or everyone ``planned`` for, a host that
    plans a whole rotation); returns each one's ranked offers."""
    hosts = [named.institution(k) for k in s.hosts]
    plan: dict[int, dict[tuple[str, str], int]] = {h.pk: {} for h in hosts}
    pairs: dict[int, tuple[str, str]] = {}
    for i, st in enumerate(planned or people):
        pair = _pair(st, {x for h in hosts for x in h.stage_list})
        if pair is None:
            continue
        fitting = [h for h in hosts if pair[0] in h.stage_list]
        host = fitting[i % len(fitting)]
        plan[host.pk][pair] = plan[host.pk].get(pair, 0) + 1
        pairs[st.pk] = pair
    short = _scarcest(plan) if s.scarce else None
    offers: dict[int, int] = {}
    for host in hosts:
        slots = [
            {
                "stage": stage,
                "subject": subject,
                "capacity": n - 1 if (host.pk, (stage, subject)) == short else n + (not s.scarce),
            }
            for (stage, subject), n in sorted(plan[host.pk].items())
        ]
        if not slots:
            continue
        offer = services.create_offer(
            org,
            program.pk,
            host=host.pk,
            mentor=_mentor(host),
            slots=slots,
            requirements="跟岗期间服从导师安排，每周提交跟岗日志，结束时提交总结报告。",
        )
        offers[host.pk] = offer.pk
    return _choices(s, pairs, plan, offers)


def _scarcest(plan: dict[int, dict[tuple[str, str], int]]) -> tuple[int, tuple[str, str]] | None:
    """The (host, slot) most applicants are planned for, if two or more are."""
    wanted = [(n, host, pair) for host, pairs in plan.items() for pair, n in pairs.items()]
    if not wanted:
        return None
    n, host, pair = max(wanted, key=lambda w: (w[0], -w[1], w[2]))
    return (host, pair) if n >= 2 else None


def _choices(
    s: Series,
    pairs: dict[int, tuple[str, str]],
    plan: dict[int, dict[tuple[str, str], int]],
    offers: dict[int, int],
) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for staff_id, pair in pairs.items():
        hosts = [h for h, slots in plan.items() if pair in slots]
        # the host the plan put them at first, then the others with a fitting slot
        first = next(h for h in hosts if plan[h][pair] > 0)
        ranked = [first] + [h for h in hosts if h != first]
        out[staff_id] = [offers[h] for h in ranked[: s.max_choices]]
    return out


# --- one program ------------------------------------------------------------------------------


@dataclass
class Ctx:
    org: Actor
    result: ExchangesResult
    today: dt.date


def _create(ctx: Ctx, s: Series, term: Term, sched: Schedule, window: tuple[Any, Any]) -> Program:
    if s.repeated:
        prev = Program.objects.filter(title=s.title, term_key=term.previous().key).first()
        if prev is not None:
            program = services.repeat_program(
                ctx.org,
                prev.pk,
                {
                    "school_term": term,
                    "starts_on": sched.starts_on,
                    "ends_on": sched.ends_on,
                    "opens_at": window[0],
                    "closes_at": window[1],
                },
            )
            services.set_program_status(ctx.org, program.pk, ProgramStatus.OPEN)
            return program
    program = services.create_program(ctx.org, _program_data(s, term, sched, window))
    services.set_program_status(ctx.org, program.pk, ProgramStatus.OPEN)
    return program


def _apply(ctx: Ctx, program: Program, people: list[Staff], choices: dict[int, list[int]]):
    apps = []
    for st in people:
        if st.pk not in choices:
            continue
        app = services.create_application(
            home_admin(st.institution_id),
            program.pk,
            choices=choices[st.pk],
            applicant=st.pk,
            statement=(
                f"申请参加“{program.title}”，希望在跟岗中提升"
                f"{SUBJECTS.label(st.subject_list[0], 'zh-hans')}教学与管理能力。"
            ),
            submit=True,
        )
        apps.append(app)
    ctx.result.applications += len(apps)
    return apps


def _choices_for_repeat(program: Program, people: list[Staff]) -> dict[int, list[int]]:
    offers = list(program.offers.prefetch_related("slots"))
    out: dict[int, list[int]] = {}
    for st in people:
        fit = [
            o.pk
            for o in offers
            if any(
                sl.stage in st.stage_list and sl.subject in st.subject_list for sl in o.slots.all()
            )
        ]
        if fit:
            out[st.pk] = fit[: program.max_choices]
    return out


def _load_program(ctx: Ctx, s: Series, term: Term, phase: str, rounds: int = 1) -> None:
    """phase: "finished", "current" or "open"; ``rounds``: the terms of the series up to
    the current one (see :func:`_applicants`)."""
    if Program.objects.filter(title=s.title, term_key=term.key).exists():
        ctx.result.skipped += 1
        return
    sched = Schedule(term, s.weeks)
    now = timezone.now()
    if phase == "open":
        window = (now - dt.timedelta(days=OPEN_SINCE_DAYS), now + dt.timedelta(days=21))
    else:
        # Applications are accepted only while the window is open (the services check
        # "now"); the program is created with the real opening and a closing just ahead,
        # and the real closing date is set through update_program once applied.
        window = (sched.opens_at, now + dt.timedelta(hours=1))
    program = _create(ctx, s, term, sched, window)
    ctx.result.programs += 1
    probe = program  # eligibility needs only the program's areas and rules
    limit = SYNTHETIC_PER_TERM[s.key] if phase != "open" else OPEN_APPLICANTS
    people = _applicants(s, probe, limit, spread=phase == "open", rounds=rounds)
    if program.repeated_from_id:
        choices = _choices_for_repeat(program, people)
    elif s.key == "rongdong":
        # The host plans the branch's whole rotation: a slot for every teacher's subject,
        # which the repeats of the program keep.
        everyone = _applicants(s, probe, 0, spread=True, rounds=1)
        choices = _offers(ctx.org, s, program, people, planned=everyone)
    else:
        choices = _offers(ctx.org, s, program, people)
    ctx.result.offers += program.offers.count()
    if phase == "open":
        _open_applications(ctx, s, program, people, choices)
        return
    apps = _apply(ctx, program, people, choices)
    services.update_program(ctx.org, program.pk, {"closes_at": sched.closes_at})
    services.set_program_status(ctx.org, program.pk, ProgramStatus.CLOSED)
    for app in apps:
        _recommend(app, score=80 + (app.pk * 7) % 20)
        _notice_on(app.pk, at(sched.notice[0], 9), *sched.notice)
        services.approve_application(ctx.org, app.pk)
    run = services.start_matching_run(ctx.org, program.pk, RunMode.STABLE, enqueue=False)
    services.execute_matching_run(run.pk)
    services.publish_run(ctx.org, run.pk)
    ctx.result.runs += 1
    for app in Application.objects.filter(program=program, status=AppStatus.MATCHED).order_by("pk"):
        _placement(ctx, app, sched, finished=phase == "finished")
    if phase == "finished":
        services.set_program_status(ctx.org, program.pk, ProgramStatus.FINISHED)
    _backdate(program, sched)


def _open_applications(
    ctx: Ctx, s: Series, program: Program, people: list[Staff], choices: dict[int, list[int]]
) -> None:
    """Applications in each state of the review queues; the demo teacher is left free to
    apply herself. In turn: one recommended two weeks ago with the public notice over (the
    authority's to approve), one recommended with the notice running, two submitted (the
    school's to recommend), and a draft."""
    me = named.staff("bj80_rd_teacher").pk
    for i, st in enumerate(p for p in people if p.pk in choices and p.pk != me):
        app = services.create_application(
            home_admin(st.institution_id),
            program.pk,
            choices=choices[st.pk],
            applicant=st.pk,
            statement="希望参加本学期跟岗学习。",
            submit=i % 5 != 4,
        )
        ctx.result.applications += 1
        if i % 5 in (0, 1):
            _recommend(app)
        if i % 5 == 0:
            _notice_ran(app.pk, dt.timedelta(weeks=2))


def _recommend(app: Application, score: float | None = None) -> None:
    """The home school recommends; the public notice starts today for the shortest time."""
    today = timezone.localdate()
    services.recommend_application(
        home_admin(app.home_id),
        app.pk,
        notice_starts_on=today,
        notice_ends_on=services.earliest_notice_end(today),
        score=score,
    )


def _notice_on(pk: int, recommended_at: dt.datetime, starts: dt.date, ends: dt.date) -> None:
    """Put a recommendation and its public notice on the program's own (past) dates.

    The service publishes a notice from the day it is called and cannot be back-dated, so
    a demo replaying past terms recommends today and then moves these dates — and only
    these — with a direct update, before the authority approves (see :func:`_backdate`).
    """
    Application.objects.filter(pk=pk).update(
        recommended_at=recommended_at, notice_starts_on=starts, notice_ends_on=ends
    )


def _notice_ran(pk: int, back: dt.timedelta) -> None:
    """A recommendation made ``back`` ago (whole weeks): submission and notice move with it."""
    app = Application.objects.get(pk=pk)
    assert app.recommended_at and app.submitted_at and app.notice_starts_on and app.notice_ends_on
    _notice_on(
        pk, app.recommended_at - back, app.notice_starts_on - back, app.notice_ends_on - back
    )
    Application.objects.filter(pk=pk).update(
        created_at=app.created_at - back, submitted_at=app.submitted_at - back
    )


def _placement(ctx: Ctx, app: Application, sched: Schedule, *, finished: bool) -> None:
    staff = app.applicant
    me = teacher(staff)
    home = home_admin(app.home_id)
    placement = services.confirm_application(me, app.pk)  # the applicant alone (decision 0009)
    ctx.result.placements += 1
    if placement.starts_on > ctx.today:
        return  # confirmed; starts later this term
    services.start_placement(ctx.org, placement.pk)
    monday = placement.starts_on - dt.timedelta(days=placement.starts_on.weekday())
    weeks = [monday + dt.timedelta(days=7 * k) for k in range(3)]
    for n, week in enumerate(w for w in weeks if w <= min(ctx.today, placement.ends_on)):
        services.add_log(
            me,
            placement.pk,
            week_starting=week,
            content=LOG_TEXTS[(app.pk + n) % len(LOG_TEXTS)].format(n=6 + n),
            hours=30 + (app.pk + n) % 8,
        )
        ctx.result.logs += 1
    midpoint = placement.starts_on + (placement.ends_on - placement.starts_on) / 2
    if midpoint <= ctx.today:
        services.submit_report(
            me,
            placement.pk,
            kind=ReportKind.MIDTERM,
            content="跟岗过半：已听课二十余节，完成两次汇报课，正在整理可带回本校的做法。",
        )
    if not finished:
        ctx.result.in_progress += 1
        return
    services.submit_report(
        me,
        placement.pk,
        kind=ReportKind.COMPLETION,
        content="跟岗总结：学习了集体备课、分层作业和课堂评价的做法，形成返岗实施计划。",
    )
    services.submit_report(
        ctx.org,
        placement.pk,
        kind=ReportKind.COMPLETION,
        content="接收学校评价：跟岗教师按计划完成听课、上课和教研任务，表现认真。",
    )
    score = 85 + (app.pk * 3) % 15
    services.evaluate_placement(
        ctx.org, placement.pk, score=score, grade="优秀" if score >= 90 else "良好"
    )
    services.complete_placement(ctx.org, placement.pk, hours_credited=8 * 3 * 10)
    duty = services.add_return_duty(
        home,
        placement.pk,
        kind=DutyKind.OPEN_LESSON,
        due_on=placement.ends_on + dt.timedelta(days=30),
        description="返岗后面向本校教师上一节汇报课",
    )
    services.complete_return_duty(
        me,
        duty.pk,
        done_on=placement.ends_on + dt.timedelta(days=20),
        evidence="汇报课教案、课堂照片和听课教师反馈表",
    )
    services.complete_application(home, app.pk)
    ctx.result.completed += 1


def _backdate(program: Program, sched: Schedule) -> None:
    """Put the workflow timestamps of a past program on the program's own dates.

    The services stamp each step with "now" (and must: a real step happens when it is
    recorded), so a demo that replays past terms today would show a 2024 program applied
    for, approved and completed in the same second of today. These timestamps — and only
    these — are moved to the dates of the schedule with a direct update; every row was
    created, validated and audited by the services above, and the audit log keeps the
    true time of the load.
    """
    apps = Application.objects.filter(program=program)
    for i, pk in enumerate(apps.order_by("pk").values_list("pk", flat=True)):
        submitted = sched.opens_at + dt.timedelta(days=3 + i % 20, hours=i % 7)
        Application.objects.filter(pk=pk).update(
            created_at=submitted - dt.timedelta(hours=1), submitted_at=submitted
        )
    apps.filter(recommended_at__isnull=False).update(recommended_at=at(sched.notice[0], 9))
    apps.filter(approved_at__isnull=False).update(approved_at=sched.approved_at)
    apps.filter(matched_at__isnull=False).update(matched_at=sched.published_at)
    apps.filter(confirmed_at__isnull=False).update(confirmed_at=sched.confirmed_at)
    apps.filter(completed_at__isnull=False).update(
        completed_at=at(sched.ends_on + dt.timedelta(days=25), 16)
    )
    now = timezone.now()  # a step of the current term is not put after the present
    placements = Placement.objects.filter(application__program=program)
    for p in placements.filter(started_at__isnull=False).only("pk", "starts_on", "ends_on"):
        Placement.objects.filter(pk=p.pk).update(started_at=at(p.starts_on, 9))
        midpoint = p.starts_on + (p.ends_on - p.starts_on) / 2
        reports = PlacementReport.objects.filter(placement=p)
        reports.filter(kind=ReportKind.MIDTERM).update(submitted_at=min(at(midpoint, 16), now))
        reports.filter(kind=ReportKind.COMPLETION, side=AuthorSide.TEACHER).update(
            submitted_at=at(p.ends_on, 15)
        )
        reports.filter(kind=ReportKind.COMPLETION, side=AuthorSide.HOST).update(
            submitted_at=at(p.ends_on, 16)
        )
        for log in PlacementLog.objects.filter(placement=p).only("pk", "week_starting"):
            friday = max(log.week_starting + dt.timedelta(days=4), p.starts_on)
            PlacementLog.objects.filter(pk=log.pk).update(created_at=min(at(friday, 18), now))
    placements.filter(completed_at__isnull=False).update(
        completed_at=at(sched.ends_on, 17), ended_at=at(sched.ends_on, 17)
    )
    finished = sched.published_at - dt.timedelta(days=1)
    Job.objects.filter(matching_run__program=program).update(
        created_at=finished, started_at=finished, heartbeat_at=finished, finished_at=finished
    )
    MatchingRun.objects.filter(program=program).update(
        created_at=finished - dt.timedelta(minutes=5), published_at=sched.published_at
    )


def _end_due(ctx: Ctx) -> None:
    """What the daily job would have done: placements past their end date end, reports are
    asked for; each ended the night after its end date, as the job would have ended it."""
    before = set(
        Placement.objects.filter(status=PlacementStatus.ENDED).values_list("pk", flat=True)
    )
    ctx.result.ended = services.end_due_placements(ctx.today)["ended"]
    now = timezone.now()
    for p in Placement.objects.filter(status=PlacementStatus.ENDED).exclude(pk__in=before):
        night = at(p.ends_on + dt.timedelta(days=1), 1)
        Placement.objects.filter(pk=p.pk).update(ended_at=min(night, now))


# --- the whole load ---------------------------------------------------------------------------


def load_exchanges(
    today: dt.date | None = None, progress: Callable[[str], None] | None = None
) -> ExchangesResult:
    """Create the exchange programs that are missing; see the module docstring."""
    started = time.monotonic()
    today = today or timezone.localdate()
    ctx = Ctx(named.demo_actor(), ExchangesResult(), today)
    first_notice = (Notification.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    past, cur, nxt = terms(today)
    for s in SERIES:
        plan: list[tuple[Term, str]] = [(t, "finished") for t in past]
        if s.current:
            plan.append((cur, "current"))
        if s.open_next:
            plan.append((nxt, "open"))
        rounds = sum(1 for _t, phase in plan if phase != "open")
        for term, phase in plan:
            with transaction.atomic():
                _load_program(ctx, s, term, phase, rounds)
            if progress:
                progress(f"{s.title} {term.code} ({phase})")
    _end_due(ctx)
    _date_notifications(first_notice, ctx.today)
    ctx.result.seconds = time.monotonic() - started
    return ctx.result


# The step each notification of exchanges tells of, and where that step's time is stamped.
_NOTICE_STAMPS: dict[str, tuple[type[models.Model], str]] = {
    "exchanges.application_submitted": (Application, "submitted_at"),
    "exchanges.application_recommended": (Application, "recommended_at"),
    "exchanges.application_approved": (Application, "approved_at"),
    "exchanges.application_placed": (Application, "matched_at"),
    "exchanges.run_published_matched": (Application, "matched_at"),
    "exchanges.run_published_unmatched": (Application, "closed_at"),
    "exchanges.application_rejected": (Application, "closed_at"),
    "exchanges.application_withdrawn": (Application, "closed_at"),
    "exchanges.application_confirmed": (Application, "confirmed_at"),
    "exchanges.application_completed": (Application, "completed_at"),
    "exchanges.placement_started": (Placement, "started_at"),
    "exchanges.placement_ended_teacher": (Placement, "ended_at"),
    "exchanges.placement_ended_host": (Placement, "ended_at"),
    "exchanges.placement_completed": (Placement, "completed_at"),
}
READ_AFTER_DAYS = 30  # older notices of the story have been read by their recipients


def _date_notifications(first_id: int, today: dt.date) -> None:
    """Notifications the load sent are dated at the step they tell of (the demo writes
    its history now, the steps' own times are back-dated), and those of more than a month
    ago are read."""
    now = timezone.now()
    cutoff = now - dt.timedelta(days=READ_AFTER_DAYS)
    for code, (model, field_name) in _NOTICE_STAMPS.items():
        notices = Notification.objects.filter(pk__gte=first_id, code=code)
        targets = notices.values_list("target_id", flat=True)
        stamps = dict(
            model._default_manager.filter(
                pk__in=targets, **{f"{field_name}__isnull": False}
            ).values_list("pk", field_name)
        )
        for pk, target_id in notices.values_list("pk", "target_id"):
            when = stamps.get(target_id)
            if when is None or when > now:
                continue
            read = when + dt.timedelta(days=1) if when < cutoff else None
            Notification.objects.filter(pk=pk).update(created_at=when, read_at=read)


@transaction.atomic
def unload_exchanges() -> int:
    """Delete the demo's exchange programs (for ``xietong demo --replace``); returns how many.

    Their applications refer to the synthetic staff that ``--replace`` deletes, and the
    registry refuses to delete referenced staff. There is no service that deletes a program
    with its history (a real program's history is never deleted), so the demo's own rows —
    found by the titles of :data:`SERIES` — are deleted directly, children first, with one
    audit event; :func:`load_exchanges` creates them again for the new population.
    """
    programs = Program.objects.filter(title__in=[s.title for s in SERIES])
    ids = list(programs.values_list("pk", flat=True))
    if not ids:
        return 0
    placements = Placement.objects.filter(application__program_id__in=ids)
    counts = {"programs": len(ids), "placements": placements.count()}
    counts["applications"] = Application.objects.filter(program_id__in=ids).count()
    placements.delete()
    MatchingRun.objects.filter(program_id__in=ids).delete()
    Application.objects.filter(program_id__in=ids).delete()
    Program.objects.filter(repeated_from_id__in=ids).update(repeated_from=None)
    programs.delete()
    audit.record(
        named.demo_actor(),
        "demo.exchanges_delete",
        object_type="exchanges.program",
        label="demo exchange programs",
        detail=counts,
    )
    return len(ids)


def summary(result: ExchangesResult) -> str:
    if not result.programs:
        return f"Exchanges: {result.skipped} programs already loaded, nothing to do."
    return (
        f"Exchanges: {result.programs} programs"
        + (f" ({result.skipped} already there)" if result.skipped else "")
        + ", "
        f"{result.offers} host offers, {result.applications} applications, {result.runs} "
        f"published matching runs, {result.placements} placements ({result.completed} "
        f"completed, {result.in_progress} in progress, {result.ended} ended awaiting reports), "
        f"{result.logs} weekly logs "
        f"in {result.seconds:.1f} s"
    )


def rongdong_program(term: Term) -> Program | None:
    return Program.objects.filter(title=SERIES[2].title, term_key=term.key).first()


__all__: Sequence[str] = ("SERIES", "load_exchanges", "rongdong_program", "summary", "terms")
