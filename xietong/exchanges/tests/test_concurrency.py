"""Two administrators assigning the last place of a slot at the same moment: only one wins.

The guarantee comes from the database (a conditional ``UPDATE … WHERE taken < capacity``
plus the CHECK constraint ``taken <= capacity``), so it is proved on PostgreSQL with two
real connections in parallel transactions.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from xietong.conftest import make_staff
from xietong.core.errors import Conflict
from xietong.exchanges import services
from xietong.exchanges.models import Application, OfferSlot
from xietong.exchanges.tests.conftest import approve

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises all writers on one file lock, so there is no parallel "
    "transaction to race; the race is tested on PostgreSQL (DATABASE_URL=postgres://…)",
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_never_gives_the_last_place_twice(ex):
    admin = ex.actor("school_admin")
    apps = []
    for i in range(2):
        s = make_staff(f"并发{i}", ex.cast.sanhe_school, 40 + i)
        app = services.create_application(
            admin, ex.program.pk, choices=[ex.offer.pk], applicant=s.pk, submit=True
        )
        approve(ex, app.pk)
        apps.append(app)
    slot = OfferSlot.objects.get(offer=ex.offer)
    OfferSlot.objects.filter(pk=slot.pk).update(taken=slot.capacity - 1)  # one place left
    sanhe = ex.actor("sanhe")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def assign(app_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.assign_place(sanhe, app_id, slot.pk)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(a.pk,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["full", "ok"]
    slot.refresh_from_db()
    assert slot.taken == slot.capacity
    assert Application.objects.filter(status="matched").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_has_the_database_refuse_an_overfull_slot(ex):
    from django.db import IntegrityError, transaction

    slot = OfferSlot.objects.get(offer=ex.offer)
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferSlot.objects.filter(pk=slot.pk).update(taken=slot.capacity + 1)
    assert services.take_place(slot.pk) and services.take_place(slot.pk)
    assert not services.take_place(slot.pk)
