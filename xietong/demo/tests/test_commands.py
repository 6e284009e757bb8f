"""``xietong demo`` and ``xietong demo_users``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from xietong.accounts.access import actor_for
from xietong.accounts.models import SEPARATED_ROLES, AuditEvent, Role, RoleAssignment, User
from xietong.demo import named
from xietong.demo.models import DemoLoad
from xietong.demo.users import DEMO_USERS

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


# --- xietong demo -------------------------------------------------------------------------


def test_it_loads_only_the_named_entities_at_scale_zero():
    out = run("demo", "--scale", "0")
    assert "none (scale 0)" in out
    assert not DemoLoad.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--scale", "-1"), "cannot be negative"),
        (("--scale", "abc"), "must be a number between 0 and 1"),
        (("--scale", "5"), "larger than 1"),
        (("--scale", "inf"), "finite"),
        (("--seed", "x"), "--seed must be a whole number"),
        (("--seed", "-4"), "--seed must lie between"),
    ],
)
def test_it_answers_bad_input_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message):
        run("demo", *args)
    assert not DemoLoad.objects.exists()


def test_it_prints_a_message_and_no_traceback_from_the_command_line(tmp_path: Path):
    # A fresh var folder, but the keys of the database the command is pointed at.
    env = {
        **os.environ,
        "XIETONG_VAR_DIR": str(tmp_path),
        "XIETONG_KEY_DIR": str(settings.XIETONG_KEY_DIR),
    }
    done = subprocess.run(
        [sys.executable, "-m", "xietong.cli", "demo", "--scale", "abc"],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=120,
    )
    assert done.returncode == 1
    assert "--scale must be a number" in done.stderr
    assert "Traceback" not in done.stderr


# --- xietong demo_users -------------------------------------------------------------------

EXPECTED_ROLES = {
    "beijing": (Role.AUTHORITY_ADMIN, "110000", None),
    "tianjin": (Role.AUTHORITY_ADMIN, "120000", None),
    "hebei": (Role.AUTHORITY_ADMIN, "130000", None),
    "langfang": (Role.AUTHORITY_ADMIN, "131000", None),
    "tongzhou": (Role.AUTHORITY_ADMIN, "110112", None),
    "sanhe": (Role.AUTHORITY_ADMIN, "131082", None),
    "hebei_viewer": (Role.AUTHORITY_VIEWER, "130000", None),
    "xiongan_school": (Role.INSTITUTION_ADMIN, None, "北京四中雄安校区"),
    "rongdong_school": (Role.INSTITUTION_ADMIN, None, "北京市第八十中学雄安容东分校"),
    "teacher": (Role.STAFF, None, None),
    "sanhe_school": (Role.INSTITUTION_ADMIN, None, "三河市赵河沟小学"),
    "beijing_school": (Role.INSTITUTION_ADMIN, None, "北京学校"),
    "bie_admin": (Role.INSTITUTION_ADMIN, None, "北京教育学院"),
    "sanhe_teacher": (Role.STAFF, None, None),
    "reviewer": (Role.STAFF, None, None),
    "sysadmin": (Role.SYSTEM_ADMIN, None, None),
    "secadmin": (Role.SECURITY_ADMIN, None, None),
    "auditor": (Role.AUDITOR, None, None),
}


def test_it_creates_one_demo_user_per_role_with_its_scope():
    out = run("demo_users")
    assert [u.username for u in DEMO_USERS] == list(EXPECTED_ROLES)
    for username, (role, region, institution) in EXPECTED_ROLES.items():
        user = User.objects.get(username=username)
        assert user.check_password(settings.XIETONG_DEMO_PASSWORD)
        assert user.display_name and not user.display_name.isascii()
        [ra] = RoleAssignment.objects.filter(user=user)
        assert ra.role == role
        assert (ra.region.code if ra.region else None) == region
        assert (ra.institution.name if ra.institution else None) == institution
        assert username in out
    assert settings.XIETONG_DEMO_PASSWORD in out
    assert f"{len(EXPECTED_ROLES)} demo sign-ins ready." in out
    assert "already there" not in out and "exists" not in out
    separated = RoleAssignment.objects.filter(role__in=SEPARATED_ROLES)
    assert separated.values("user").distinct().count() == 3


def test_the_readme_lists_every_demo_user_and_no_other():
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Demo sign-ins", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `(\w+)` \|", table, flags=re.M)
    assert listed == [u.username for u in DEMO_USERS]


def test_it_links_the_demo_teacher_to_a_named_teacher_in_xiongan():
    run("demo_users")
    teacher = User.objects.get(username="teacher")
    staff = named.staff("bj80_rd_teacher")
    assert staff.user == teacher
    assert actor_for(teacher).own_staff_id == staff.pk
    assert staff.institution.region.code in {"130638", "130629", "130632", "131082"}


def test_it_audits_each_user_once_and_is_idempotent():
    run("demo_users")
    created = AuditEvent.objects.filter(action="user.create", actor_name="demo")
    assert created.count() == len(DEMO_USERS)
    users, roles, events = (
        User.objects.count(),
        RoleAssignment.objects.count(),
        (AuditEvent.objects.count()),
    )
    User.objects.filter(username="beijing").update(display_name="changed by hand")
    out = run("demo_users")
    assert f"{len(DEMO_USERS)} demo sign-ins ready." in out
    assert (User.objects.count(), RoleAssignment.objects.count()) == (users, roles)
    assert AuditEvent.objects.count() == events
    assert User.objects.get(username="beijing").display_name == "changed by hand"


def test_it_restores_a_missing_role_with_an_audit_event():
    run("demo_users")
    RoleAssignment.objects.filter(user__username="sanhe").delete()
    events = AuditEvent.objects.count()
    run("demo_users")
    assert RoleAssignment.objects.filter(user__username="sanhe", region__code="131082").exists()
    assert AuditEvent.objects.count() == events + 1
