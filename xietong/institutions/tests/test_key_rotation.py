"""Rotating the personal-data key: records are re-sealed in committed batches under the new
version, a stopped rotation resumes, and every record stays readable and findable meanwhile."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from xietong.accounts.models import AuditEvent
from xietong.conftest import id_number_of, make_id_number, phone_of
from xietong.core import bulk
from xietong.core.errors import InvalidInput
from xietong.core.models import SealingKey
from xietong.institutions import personal_data, services
from xietong.institutions.models import Staff


def _rotate(**options) -> str:
    out = StringIO()
    call_command("rotate_personal_data_key", stdout=out, verbosity=0, **options)
    return out.getvalue()


def _versions() -> dict[int, int]:
    return personal_data.versions_in_use()


@pytest.fixture
def half_rotated(cast, new_personal_key, monkeypatch) -> list[Staff]:
    """The cast's four records, sealed under version 1, rotated to version 2 until the second
    batch of two fails: the first batch is committed, the second is not."""
    clear = {s.pk: (id_number_of(s), phone_of(s)) for s in Staff.objects.all()}
    real = bulk.update
    calls = []

    def stopping(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the operator pressed Ctrl-C, or the machine stopped
        return real(*args, **kwargs)

    monkeypatch.setattr(bulk, "update", stopping)
    with pytest.raises(KeyboardInterrupt):
        _rotate(batch_size=2)
    monkeypatch.setattr(bulk, "update", real)
    staff = list(Staff.objects.order_by("pk"))
    assert {s.pk: (id_number_of(s), phone_of(s)) for s in staff} == clear
    return staff


def test_a_rotation_stopped_half_way_leaves_every_record_readable_and_then_resumes(
    half_rotated, cast, client
):
    assert [s.key_version for s in half_rotated] == [2, 2, 1, 1]
    assert AuditEvent.objects.filter(action="personal_data.rotate").count() == 1
    # Both versions open through the audited reveal.
    client.force_login(cast.users["school_admin"])
    for staff in (cast.sanhe_teacher, cast.branch_teacher):  # versions 2 and 1
        body = client.get(f"/api/staff/{staff.pk}/personal-data").json()
        assert body["id_number"] == id_number_of(staff)
    out = _rotate(batch_size=2)
    assert "Re-sealed 2 records in 1 batches" in out and "under key version 2" in out
    assert "Key version 1 is no longer needed" in out and "personal_1.key" in out
    assert _versions() == {2: 4}
    for staff in Staff.objects.all():
        assert Staff.objects.get(personal_data.id_number_q(id_number_of(staff))) == staff
        assert staff.id_number_index == personal_data.keyring().index(id_number_of(staff))
    assert SealingKey.objects.get(version=1).retired_at is not None
    event = AuditEvent.objects.filter(action="personal_data.rotate").latest("id")
    assert event.detail == {
        "rows": 2,
        "first_id": cast.branch_teacher.pk,
        "last_id": cast.xiongan_teacher.pk,
        "from_versions": [1],
        "to_version": 2,
    }
    assert _rotate().startswith("Current personal-data key version: 2")


def test_half_way_a_registered_number_is_refused_whichever_version_holds_it(half_rotated, cast):
    def register(actor: str, number: str) -> str:
        with translation.override("en"), pytest.raises(InvalidInput) as refused:
            services.create_staff(
                cast.actor(actor),
                {
                    "name": "重复",
                    "id_number": number,
                    "institution": cast.tongzhou_school.pk
                    if actor == "tongzhou"
                    else cast.sanhe_school.pk,
                    "joined_on": dt.date(2020, 9, 1),
                },
            )
        return refused.value.fields["id_number"][0]

    old, new = cast.branch_teacher, cast.sanhe_teacher  # under versions 1 and 2
    for staff in (old, new):  # outside the owning scope: where is not said (decision 0006)
        assert register("tongzhou", id_number_of(staff)).startswith(
            "This ID number cannot be registered here."
        )
    assert register("sanhe", id_number_of(new)).startswith("This person is already registered")
    assert AuditEvent.objects.filter(action="staff.duplicate_id_refused").count() == 2


def test_writes_during_a_rotation_keep_the_rows_version_and_new_rows_take_the_new_one(
    half_rotated, cast
):
    staff = services.update_staff(
        cast.actor("school_admin"), cast.branch_teacher.pk, {"phone": "13911112222"}
    )
    assert staff.key_version == 1 and phone_of(Staff.objects.get(pk=staff.pk)) == "13911112222"
    new = services.create_staff(
        cast.actor("sanhe"),
        {
            "name": "周新",
            "id_number": make_id_number("131082", dt.date(1991, 7, 9), 61),
            "institution": cast.sanhe_school.pk,
            "joined_on": dt.date(2020, 9, 1),
        },
    )
    assert new.key_version == 2
    _rotate()
    assert phone_of(Staff.objects.get(pk=staff.pk)) == "13911112222"
    assert _versions() == {2: 5}


def test_one_number_under_two_versions_stops_the_rotation_naming_the_records(
    cast, new_personal_key
):
    twin = Staff.objects.create(
        name="重复",
        gender="F",
        birth_date=cast.sanhe_teacher.birth_date,
        institution=cast.tongzhou_school,
        joined_on=dt.date(2020, 9, 1),
        **personal_data.sealed_fields(id_number_of(cast.sanhe_teacher)),  # version 2
    )
    with pytest.raises(CommandError) as stopped:
        _rotate()
    assert f"Staff records {cast.sanhe_teacher.pk} and {twin.pk}" in str(stopped.value)
    assert id_number_of(twin) not in str(stopped.value)
    assert "run the command again to resume" in str(stopped.value)


def test_the_status_only_counts_and_a_bad_batch_size_is_refused(cast, new_personal_key):
    out = _rotate(status=True)
    assert "Current personal-data key version: 2" in out and "1: 4" in out
    assert "4 records to re-seal." in out
    assert _versions() == {1: 4}
    with pytest.raises(CommandError, match="positive whole number"):
        call_command("rotate_personal_data_key", "--batch-size", "0")
