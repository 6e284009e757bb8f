"""Two teachers racing for the last place never both get it (PostgreSQL, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from xietong.accounts.models import Role
from xietong.conftest import Cast, make_staff, make_user
from xietong.training.choices import EnrollmentStatus
from xietong.training.models import Enrollment, Program
from xietong.training.services import enrollment
from xietong.training.tests.conftest import make_program

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks under concurrency: PostgreSQL"
)
def test_it_gives_the_last_place_to_one_of_two_parallel_enrollments(world: Cast) -> None:
    for i in range(2):
        user = make_user(f"racer{i}", Role.STAFF)
        make_staff(f"并发{i}", world.xiongxian_school, 20 + i, user=user)
    for round_ in range(ROUNDS):
        race(world, make_program(world, capacity=1, title=f"最后一个名额（第{round_ + 1}轮）"))


ROUNDS = 5


def race(world: Cast, program: Program) -> None:
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(username: str) -> None:
        try:
            actor = world.actor(username)
            barrier.wait()
            enrollment.enroll(actor, program.pk)
        except BaseException as e:
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f"racer{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors
    statuses = sorted(Enrollment.objects.filter(program=program).values_list("status", flat=True))
    assert statuses == [EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED]
    program.refresh_from_db()
    assert program.taken == 1
