"""Completed training over the shared cast, for the indicators and the providers' reach.

Two providers: ``bie`` (the training world's Beijing Institute of Education, 西城区, kept
by ``bie_admin``) and ``tjnu`` (Tianjin Normal University, 西青区, kept by ``tjnu_admin``).
Rows are written directly (the services are tested elsewhere): completions in the terms
2024–2025 term 2, 2025–2026 terms 1 and 2, two on the midnight between terms, and some
that do not count (withdrawn, not completed, still enrolled).

=========================  ========  ==========================  =======  ========
teacher (county)           provider  completed (local time)      hours    counts
=========================  ========  ==========================  =======  ========
李三河 (三河市)             bie       2025-10-15 10:00            24       yes
李三河 (三河市)             bie       2026-03-20 16:00            10.5     yes
李三河 (三河市)             tjnu      2025-11-02 09:00            8        yes
赵雄安 (雄县, senior)       bie       2025-11-01 12:00            24       yes
赵雄安 (雄县, senior)       tjnu      first midnight of 2025-2    8        yes (2025-2)
刘大厂 (大厂县)             tjnu      a minute before that        8        yes (2025-1)
刘大厂 (大厂县)             bie       2025-04-10 15:00            12       yes (2024-2)
王北京 (通州区, Beijing)    bie       2025-10-20 11:00            24       yes (not Hebei)
孙三河 (三河市)             bie       —                           —        withdrawn
周三河 (三河市)             tjnu      —                           —        not completed
=========================  ========  ==========================  =======  ========
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from xietong.accounts.models import Role
from xietong.conftest import Cast, make_institution, make_staff, make_user, region
from xietong.core.terms import SchoolTerm
from xietong.institutions.models import Institution, Staff
from xietong.training.choices import EnrolledBy, EnrollmentStatus, ProgramStatus
from xietong.training.models import Enrollment, Program

T2024_2 = SchoolTerm(2024, 2)
T2025_1 = SchoolTerm(2025, 1)
T2025_2 = SchoolTerm(2025, 2)


@dataclass
class ReachWorld:
    bie: Institution
    tjnu: Institution
    bie_math: Program
    bie_short: Program
    tjnu_online: Program
    sun: Staff
    zhou: Staff


def local(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _program(provider: Institution, title: str, hours: str) -> Program:
    return Program.objects.create(
        provider=provider,
        provider_path=provider.region_path,
        title=title,
        hours=Decimal(hours),
        capacity=50,
        applications_open=dt.date(2025, 3, 1),
        applications_close=dt.date(2026, 3, 1),
        status=ProgramStatus.COMPLETED,
    )


def _enroll(
    program: Program,
    staff: Staff,
    status: str = EnrollmentStatus.COMPLETED,
    at: dt.datetime | None = None,
    hours: str | None = None,
) -> Enrollment:
    inst = staff.institution
    return Enrollment.objects.create(
        program=program,
        staff=staff,
        institution=inst,
        region_path=inst.region_path,
        status=status,
        enrolled_by=EnrolledBy.SELF,
        enrolled_at=local(dt.date(2025, 3, 2), 9),
        completed_at=at,
        hours_credited=Decimal(hours) if hours is not None else None,
    )


def build(world: Cast) -> ReachWorld:
    bie: Institution = world.bie  # type: ignore[attr-defined]
    tjnu = make_institution("Tianjin Normal University", "120111", kind="university", stages="")
    world.users["tjnu_admin"] = make_user("tjnu_admin", Role.INSTITUTION_ADMIN, institution=tjnu)
    world.users["tianjin"] = make_user("tianjin", Role.AUTHORITY_ADMIN, region=region("120000"))
    math = _program(bie, "高中数学骨干教师研修", "24")
    short = _program(bie, "新课标专题讲座", "12")
    online = _program(tjnu, "信息技术应用能力提升", "8")
    sanhe, branch = world.sanhe_teacher, world.branch_teacher
    xiongan, beijing = world.xiongan_teacher, world.beijing_teacher
    sun = make_staff("孙三河", world.sanhe_school, 21)
    zhou = make_staff("周三河", world.sanhe_school, 22)
    midnight = local(T2025_2.starts_on)
    _enroll(math, sanhe, at=local(dt.date(2025, 10, 15), 10), hours="24")
    _enroll(short, sanhe, at=local(dt.date(2026, 3, 20), 16), hours="10.5")
    _enroll(online, sanhe, at=local(dt.date(2025, 11, 2), 9), hours="8")
    _enroll(math, xiongan, at=local(dt.date(2025, 11, 1), 12), hours="24")
    _enroll(online, xiongan, at=midnight, hours="8")
    _enroll(online, branch, at=midnight - dt.timedelta(minutes=1), hours="8")
    _enroll(short, branch, at=local(dt.date(2025, 4, 10), 15), hours="12")
    _enroll(math, beijing, at=local(dt.date(2025, 10, 20), 11), hours="24")
    _enroll(math, sun, status=EnrollmentStatus.WITHDRAWN)
    _enroll(online, zhou, status=EnrollmentStatus.NOT_COMPLETED)
    _enroll(short, zhou, status=EnrollmentStatus.ENROLLED)
    return ReachWorld(bie, tjnu, math, short, online, sun, zhou)
