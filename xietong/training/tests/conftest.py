"""A world of teacher training over the shared cast.

``bie`` (a training institution in 北京市西城区) provides the programs, kept by
``bie_admin``. ``xa_teacher`` is 赵雄安 of Xiongxian No. 1 (雄安新区, senior secondary);
``teacher`` is the cast's 李三河 of Sanhe Experimental (北三县, primary). ``make_program``
makes an open program of two sessions (both already held) for everyone, unless told
otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from xietong.accounts.models import Role
from xietong.conftest import Cast, make_institution, make_user
from xietong.training.models import Program
from xietong.training.services import programs


@pytest.fixture
def world(cast: Cast) -> Cast:
    cast.bie = make_institution(  # type: ignore[attr-defined]
        "Beijing Institute of Education", "110102", kind="training", stages=""
    )
    cast.users["bie_admin"] = make_user(
        "bie_admin",
        Role.INSTITUTION_ADMIN,
        institution=cast.bie,  # type: ignore[attr-defined]
    )
    cast.users["xa_teacher"] = make_user("xa_teacher", Role.STAFF)
    cast.xiongan_teacher.user = cast.users["xa_teacher"]
    cast.xiongan_teacher.subjects = ",14,"
    cast.xiongan_teacher.save(update_fields=["user", "subjects"])
    cast.users["xiongxian_admin"] = make_user(
        "xiongxian_admin", Role.INSTITUTION_ADMIN, institution=cast.xiongxian_school
    )
    return cast


def make_program(
    world: Cast,
    *,
    capacity: int = 30,
    sessions: int = 2,
    open_it: bool = True,
    held: bool = True,
    **extra: Any,
) -> Program:
    today = timezone.localdate()
    data = programs.ProgramIn(
        title=extra.pop("title", "雄安新区高中数学骨干教师研修班"),
        hours=extra.pop("hours", 24),
        capacity=capacity,
        applications_open=extra.pop("applications_open", today - dt.timedelta(days=10)),
        applications_close=extra.pop("applications_close", today + dt.timedelta(days=10)),
        provider_id=world.bie.pk,  # type: ignore[attr-defined]
        **extra,
    )
    admin = world.actor("bie_admin")
    program = programs.create_program(admin, data)
    start = timezone.now() - dt.timedelta(days=3) if held else timezone.now() + dt.timedelta(days=3)
    for i in range(sessions):
        begins = start + dt.timedelta(hours=3 * i)
        programs.add_session(
            admin,
            program.pk,
            programs.SessionIn(
                starts_at=begins,
                ends_at=begins + dt.timedelta(hours=2),
                place="北京四中雄安校区 报告厅",
                trainer="北京教育学院 张老师",
                topic=f"第{i + 1}讲",
            ),
        )
    if open_it:
        programs.open_program(admin, program.pk)
    program.refresh_from_db()
    return program


@pytest.fixture
def program(world: Cast) -> Program:
    return make_program(world)


@pytest.fixture(autouse=True)
def _messages_in_english() -> Any:
    """The services' refusals are matched by their English text."""
    from django.utils import translation

    with translation.override("en"):
        yield
