"""Publishing a run: one pass, bulk writes, a bounded number of queries whatever its size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xietong.conftest import make_staff, make_user
from xietong.core.errors import Conflict
from xietong.exchanges import services
from xietong.exchanges.choices import AppStatus, ProgramStatus, RunStatus
from xietong.exchanges.models import Application, MatchingRun, OfferSlot, Program
from xietong.exchanges.tests.conftest import Ex, approve, program_data
from xietong.notifications.models import Notification

SERIAL = iter(range(100, 10_000))


def _program(ex: Ex, title: str, capacity: int) -> Program:
    sanhe = ex.actor("sanhe")
    program = services.create_program(sanhe, program_data(ex.sanhe_bureau, title=title))
    services.set_program_status(sanhe, program.pk, ProgramStatus.OPEN)
    services.create_offer(
        ex.actor("tongzhou"),
        program.pk,
        host=ex.cast.tongzhou_school.pk,
        mentor=ex.cast.beijing_teacher.pk,
        slots=[{"stage": "primary", "subject": "数学", "capacity": capacity}],
    )
    return program


def _applicants(ex: Ex, program: Program, n: int) -> list[Application]:
    admin = ex.actor("school_admin")
    offer = program.offers.get()
    apps = []
    for _ in range(n):
        serial = next(SERIAL)
        s = make_staff(f"教师{serial}", ex.cast.sanhe_school, serial)
        s.user = make_user(f"teacher{serial}")
        s.save(update_fields=["user"])
        app = services.create_application(
            admin, program.pk, choices=[offer.pk], applicant=s.pk, submit=True
        )
        approve(ex, app.pk)
        apps.append(app)
    return apps


def _done_run(ex: Ex, program: Program) -> MatchingRun:
    services.set_program_status(ex.actor("sanhe"), program.pk, ProgramStatus.CLOSED)
    run = services.start_matching_run(ex.actor("sanhe"), program.pk, "stable", enqueue=False)
    run = services.execute_matching_run(run.pk)
    assert run.status == RunStatus.DONE
    return run


def _publish_queries(ex: Ex, program: Program) -> int:
    run = _done_run(ex, program)
    with CaptureQueriesContext(connection) as queries:
        services.publish_run(ex.actor("sanhe"), run.pk)
    return len(queries)


def test_it_publishes_with_the_same_number_of_queries_for_3_and_for_12_applicants(ex: Ex) -> None:
    small, large = _program(ex, "小规模", 2), _program(ex, "大规模", 8)
    _applicants(ex, small, 3)
    _applicants(ex, large, 12)
    n_small = _publish_queries(ex, small)
    n_large = _publish_queries(ex, large)
    assert n_small == n_large
    assert n_large <= 24  # constant whatever the size: locks, bulk writes, access check, audit
    assert Application.objects.filter(program=large, status=AppStatus.MATCHED).count() == 8
    assert Application.objects.filter(program=large, status=AppStatus.APPROVED).count() == 4
    assert OfferSlot.objects.get(offer__program=large).taken == 8


def test_it_notifies_each_applicant_of_their_own_result_with_a_link(ex: Ex) -> None:
    program = _program(ex, "通知", 1)
    winner, loser = _applicants(ex, program, 2)
    run = _done_run(ex, program)
    before = Notification.objects.count()
    services.publish_run(ex.actor("sanhe"), run.pk)
    sent = Notification.objects.order_by("pk")[before:]
    got = {(n.recipient_id, n.code, n.target_id, tuple(sorted(n.params.items()))) for n in sent}
    assert winner.applicant.user_id and loser.applicant.user_id
    assert got == {
        (winner.applicant.user_id, "exchanges.run_published_matched", winner.pk,
         (("host", "Tongzhou No. 1"), ("program", "通知"))),
        (loser.applicant.user_id, "exchanges.run_published_unmatched", loser.pk,
         (("program", "通知"),)),
    }  # fmt: skip


def test_it_skips_applications_withdrawn_since_the_run(ex: Ex) -> None:
    program = _program(ex, "撤回", 2)
    kept, gone = _applicants(ex, program, 2)
    run = _done_run(ex, program)
    services.withdraw_application(ex.actor("school_admin"), gone.pk)
    services.publish_run(ex.actor("sanhe"), run.pk)
    kept.refresh_from_db()
    gone.refresh_from_db()
    assert kept.status == AppStatus.MATCHED and kept.matched_rank == 1
    assert gone.status == AppStatus.WITHDRAWN and gone.matched_slot_id is None
    assert OfferSlot.objects.get(offer__program=program).taken == 1


def test_it_refuses_to_publish_when_a_slot_filled_since_the_run_and_writes_nothing(
    ex: Ex,
) -> None:
    program = _program(ex, "满员", 2)
    apps = _applicants(ex, program, 2)
    run = _done_run(ex, program)
    OfferSlot.objects.filter(offer__program=program).update(taken=1)
    before = Notification.objects.count()
    with pytest.raises(Conflict, match="has been filled since the run"):
        services.publish_run(ex.actor("sanhe"), run.pk)
    assert OfferSlot.objects.get(offer__program=program).taken == 1
    assert all(
        a.status == AppStatus.APPROVED
        for a in Application.objects.filter(pk__in=[x.pk for x in apps])
    )
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and Notification.objects.count() == before
