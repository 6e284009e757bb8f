"""Uses over the shared cast for the flow tests.

Tongzhou No. 1 (Beijing) provides ``course`` and ``lab_course``; a Tianjin school
(和平区, ``tianjin``) provides ``tj_course``. Users: Tina (``teacher``, Sanhe
Experimental, 北三县), Liu (``branch_teacher``, the Dachang campus, 北三县), Xavier
(``xa_teacher``, Xiongxian No. 1, 雄安新区).

In term 2025-2026-1 (``AUTUMN``): Tina 2 lessons + 1 view of ``course``, 1 lesson of
``tj_course``; Liu 1 download of ``course``; Xavier 1 lesson of ``course`` and 1 lesson of
``tj_course``. In 2025-2026-2 (``SPRING``): Tina 1 lesson of ``lab_course``, Xavier 1 view
of ``course``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from xietong.accounts.models import Role
from xietong.conftest import Cast, make_institution, make_staff, make_user, region
from xietong.institutions.models import Institution
from xietong.resources import services
from xietong.resources.choices import UseKind
from xietong.resources.models import Resource
from xietong.resources.tests.conftest import make_resource

AUTUMN = dt.date(2025, 10, 15)  # 2025-2026-1
SPRING = dt.date(2026, 3, 16)  # 2025-2026-2
# The day the tests run on (uses are recorded within a year of the day).
TODAY = dt.date(2026, 5, 20)


@dataclass
class FlowWorld:
    cast: Cast
    course: Resource
    lab_course: Resource
    tj_course: Resource
    tianjin: Institution


def use(cast: Cast, who: str, resource: Resource, kind: str, day: dt.date) -> None:
    services.record_use(
        cast.actor(who),
        resource.pk,
        services.UseIn(kind=kind, used_on=day, class_name="初二（3）班", feedback="很好"),
    )


def build(cast: Cast, monkeypatch: Any) -> FlowWorld:
    """The world on ``TODAY`` (``timezone.localdate`` is patched for the test)."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    users = cast.users
    tianjin = make_institution("Heping Experimental", "120101", school_code="2112012345")
    users["tianjin_admin"] = make_user("tianjin_admin", Role.INSTITUTION_ADMIN, institution=tianjin)
    make_staff("张天津", tianjin, 9)
    users["tianjin"] = make_user("tianjin", Role.AUTHORITY_ADMIN, region=region("120000"))
    services.appoint_reviewer(cast.actor("tianjin"), "reviewer", "数学", "120000")
    for name, staff in (
        ("branch_teacher", cast.branch_teacher),
        ("xa_teacher", cast.xiongan_teacher),
    ):
        users[name] = make_user(name, Role.STAFF)
        staff.user = users[name]
        staff.save(update_fields=["user"])
    course = make_resource(cast)
    lab_course = make_resource(cast, title="初中物理实验课：浮力")
    tj_course = make_resource(
        cast, provider=tianjin, keeper="tianjin_admin", title="高中数学：导数的应用"
    )
    lesson, view, download = UseKind.LESSON, UseKind.VIEW, UseKind.DOWNLOAD
    use(cast, "teacher", course, lesson, AUTUMN)
    use(cast, "teacher", course, lesson, AUTUMN + dt.timedelta(days=7))
    use(cast, "teacher", course, view, AUTUMN)
    use(cast, "teacher", tj_course, lesson, AUTUMN)
    use(cast, "branch_teacher", course, download, AUTUMN)
    use(cast, "xa_teacher", course, lesson, AUTUMN)
    use(cast, "xa_teacher", tj_course, lesson, AUTUMN)
    use(cast, "teacher", lab_course, lesson, SPRING)
    use(cast, "xa_teacher", course, view, SPRING)
    return FlowWorld(cast, course, lab_course, tj_course, tianjin)
