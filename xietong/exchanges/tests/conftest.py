"""Fixtures of the exchanges tests, built on the shared ``cast``.

The program "Sanhe → sub-centre shadowing" is organised by 三河市教育局 (managed by the
``sanhe`` authority admin), sends from 北三县 and hosts in 北京城市副中心 (Tongzhou).
The ``tongzhou`` authority offers two maths places at Tongzhou No. 1 with 王北京 as mentor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from xietong.conftest import Cast, make_institution
from xietong.core.terms import SchoolTerm, TermError
from xietong.exchanges import services
from xietong.exchanges.choices import ProgramStatus
from xietong.exchanges.models import Application, HostOffer, Program
from xietong.institutions.models import Institution


@dataclass
class Ex:
    cast: Cast
    sanhe_bureau: Institution
    program: Program
    offer: HostOffer

    def actor(self, username: str) -> Any:
        return self.cast.actor(username)


def program_data(organiser: Institution, **over: Any) -> dict[str, Any]:
    now = timezone.now()
    data: dict[str, Any] = {
        "kind": "shadowing",
        "organiser": organiser.pk,
        "region": "131082",
        "title": "三河—副中心跟岗研修",
        "school_term": "2024-2025-1",
        "starts_on": dt.date(2024, 9, 2),
        "ends_on": dt.date(2025, 1, 17),
        "duration_weeks": 20,
        "max_choices": 2,
        # The window opened before the program (the service refuses one opening after the
        # start) and is still open now, so the tests apply today — as the demo writes its
        # history.
        "opens_at": timezone.make_aware(dt.datetime(2024, 6, 3, 9)),
        "closes_at": now + dt.timedelta(days=10),
        "elig_positions": ["teacher"],
        "sending_areas": ["beisanxian"],
        "host_areas": ["fuzhongxin"],
    }
    data.update(over)
    if "school_term" in over and "starts_on" not in over:
        # A program of another term starts in that term (the service checks it does); a
        # term that does not parse is left for the service to refuse.
        try:
            term = SchoolTerm.parse(over["school_term"])
        except TermError:
            return data
        data["starts_on"] = term.starts_on + dt.timedelta(days=1)
        data["ends_on"] = data["starts_on"] + dt.timedelta(weeks=19)
        if "opens_at" not in over:
            data["opens_at"] = min(
                data["opens_at"], _morning(term.starts_on - dt.timedelta(days=90))
            )
    return data


def _morning(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


@pytest.fixture
def ex(cast: Cast) -> Ex:
    bureau = make_institution("三河市教育局", "131082", kind="authority", stages="")
    sanhe = cast.actor("sanhe")
    program = services.create_program(sanhe, program_data(bureau))
    services.set_program_status(sanhe, program.pk, ProgramStatus.OPEN)
    offer = services.create_offer(
        cast.actor("tongzhou"),
        program.pk,
        host=cast.tongzhou_school.pk,
        mentor=cast.beijing_teacher.pk,
        slots=[{"stage": "primary", "subject": "数学", "capacity": 2}],
        requirements="Primary maths, one term.",
    )
    program.refresh_from_db()
    return Ex(cast, bureau, program, offer)


def recommend(ex: Ex, app_id: int, **kwargs: Any) -> Application:
    """The home school recommends, its public notice starting today for the shortest time."""
    today = timezone.localdate()
    return services.recommend_application(
        ex.actor("school_admin"),
        app_id,
        notice_starts_on=today,
        notice_ends_on=services.earliest_notice_end(today),
        **kwargs,
    )


def notice_over(app_id: int) -> Application:
    """Let the public notice of a recommended application run out, as time would.

    A notice cannot be back-dated, so tests do what the calendar does: the notice — and
    the submission and recommendation before it — move back by whole weeks (working days
    stay working days) until it ended yesterday or earlier.
    """
    app = Application.objects.get(pk=app_id)
    assert app.notice_ends_on is not None, "recommend the application first"
    days = (app.notice_ends_on - timezone.localdate()).days + 1
    back = dt.timedelta(weeks=max(0, -(-days // 7)))
    Application.objects.filter(pk=app_id).update(
        created_at=app.created_at - back,
        submitted_at=app.submitted_at - back if app.submitted_at else None,
        recommended_at=app.recommended_at - back if app.recommended_at else None,
        notice_starts_on=app.notice_starts_on - back if app.notice_starts_on else None,
        notice_ends_on=app.notice_ends_on - back,
    )
    return Application.objects.get(pk=app_id)


def approve(ex: Ex, app_id: int) -> None:
    """Recommend, let the public notice run out, and approve an application."""
    recommend(ex, app_id)
    notice_over(app_id)
    services.approve_application(ex.actor("sanhe"), app_id)


def close(ex: Ex) -> None:
    services.set_program_status(ex.actor("sanhe"), ex.program.pk, ProgramStatus.CLOSED)


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages are asserted in English (the msgids); the default UI language is Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield
