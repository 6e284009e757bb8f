"""The demo sign-ins: one user per role, all with ``settings.XIETONG_DEMO_PASSWORD``.

The README lists the same table as ``xietong demo_users`` prints. Creating is idempotent:
an existing user keeps its password; a missing role or staff link is added. Each user,
role or link created is one audit event; a second run writes none.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xietong.accounts import audit
from xietong.accounts.access import Actor, system_actor
from xietong.accounts.models import Role, RoleAssignment, User
from xietong.demo import named
from xietong.institutions.models import Institution
from xietong.regions.models import Region


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    region: str = ""  # region code, for the authority roles
    institution: str = ""  # key in named.INSTITUTIONS, for the institution admin
    staff: str = ""  # key in named.STAFF, for the staff role


DEMO_USERS: list[DemoUser] = [
    DemoUser("beijing", "北京市教委 王老师", Role.AUTHORITY_ADMIN, region="110000"),
    DemoUser("tianjin", "天津市教委 李老师", Role.AUTHORITY_ADMIN, region="120000"),
    DemoUser("hebei", "河北省教育厅 赵老师", Role.AUTHORITY_ADMIN, region="130000"),
    DemoUser("langfang", "廊坊市教育局 马老师", Role.AUTHORITY_ADMIN, region="131000"),
    DemoUser("tongzhou", "通州区教委 张老师", Role.AUTHORITY_ADMIN, region="110112"),
    DemoUser("sanhe", "三河市教体局 刘老师", Role.AUTHORITY_ADMIN, region="131082"),
    DemoUser("hebei_viewer", "河北省教育厅 陈老师", Role.AUTHORITY_VIEWER, region="130000"),
    DemoUser(
        "xiongan_school", "北京四中雄安校区 杨老师", Role.INSTITUTION_ADMIN, institution="bj4_xa"
    ),
    # The teacher's school: recommends her applications, reviews her placement's reports.
    DemoUser(
        "rongdong_school", "八十中容东分校 韩老师", Role.INSTITUTION_ADMIN, institution="bj80_rd"
    ),
    DemoUser("teacher", "八十中容东分校 孙晓雪", Role.STAFF, staff="bj80_rd_teacher"),
    # The two sides of 三河市赵河沟小学's paired assistance (partnerships).
    DemoUser("sanhe_school", "三河市赵河沟小学 刘老师", Role.INSTITUTION_ADMIN, institution="zhg"),
    DemoUser("beijing_school", "北京学校 何老师", Role.INSTITUTION_ADMIN, institution="bj_school"),
    # Keeps 北京教育学院's training programs (xietong.demo.training): sessions, attendance,
    # completion and certificates, at its base in 北京四中雄安校区 among other places.
    DemoUser("bie_admin", "北京教育学院 培训部 林老师", Role.INSTITUTION_ADMIN, institution="bie"),
    # A teacher of 赵河沟小学: finds Beijing's courses and records their use in her lessons.
    DemoUser("sanhe_teacher", "三河市赵河沟小学 王雨晴", Role.STAFF, staff="zhg_teacher"),
    # A reviewer of shared resources: mathematics in 北京市, appointed by ``beijing``
    # (xietong.demo.resources); submitted Beijing mathematics resources wait in her queue.
    DemoUser("reviewer", "北京教育学院 宋立诚", Role.STAFF, staff="bie_maths"),
    DemoUser("sysadmin", "系统管理员 周工", Role.SYSTEM_ADMIN),
    DemoUser("secadmin", "安全管理员 吴工", Role.SECURITY_ADMIN),
    DemoUser("auditor", "安全审计员 郑工", Role.AUDITOR),
]


@dataclass
class Ensured:
    spec: DemoUser
    user: User
    created: bool
    scope: str


@transaction.atomic
def ensure_demo_users(actor: Actor | None = None) -> list[Ensured]:
    """Create the demo users that are missing (and the named entities they need)."""
    actor = actor or system_actor("demo")
    named.load_named()
    out: list[Ensured] = []
    for spec in DEMO_USERS:
        region = Region.objects.get(code=spec.region) if spec.region else None
        institution: Institution | None = (
            named.institution(spec.institution) if spec.institution else None
        )
        user = User.objects.filter(username=spec.username).first()
        created = user is None
        if user is None:
            user = User(username=spec.username, display_name=spec.display_name)
            user.set_password(settings.XIETONG_DEMO_PASSWORD)
            user.password_changed_at = timezone.now()
            user.save()
        assignment, role_added = RoleAssignment.objects.get_or_create(
            user=user, role=spec.role, region=region, institution=institution
        )
        staff_linked = False
        if spec.staff:
            staff = named.staff(spec.staff)
            if staff.user_id != user.pk:
                staff.user = user
                staff.save(update_fields=["user"])
                staff_linked = True
        after = {
            "username": user.username,
            "display_name": user.display_name,
            "role": spec.role,
            "region": spec.region or None,
            "institution": institution.pk if institution else None,
        }
        if spec.staff:
            after["staff"] = named.staff(spec.staff).pk
        if created:
            audit.record(actor, "user.create", target=user, after=after)
        elif role_added or staff_linked:
            audit.record(actor, "role.assign", target=user, after=after)
        # The scope in the words the platform uses for it (in the command's language).
        out.append(Ensured(spec, user, created, assignment.scope_label()))
    return out
