"""Existing staff rows are sealed by the migration (in resumable batches), leave no clear
value behind on disk, and come back in clear when the migration is undone."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from xietong.conftest import id_number_of, make_id_number, phone_of
from xietong.core import bulk
from xietong.core.masking import mask_id_number
from xietong.institutions import personal_data
from xietong.institutions.models import Staff
from xietong.institutions.tests.test_sealed_at_rest import _database_bytes

CLEAR = [("institutions", "0004_terms_merge")]
COLUMNS = [("institutions", "0005_staff_sealed_columns")]
SEALING = importlib.import_module("xietong.institutions.migrations.0006_seal_staff_personal_data")
PEOPLE = [
    ("王一", make_id_number("131082", dt.date(1980, 2, 3), 7), "13900000001"),
    ("王二", "11010519491231002x", ""),  # GB 11643's example, typed in lower case long ago
    ("王三", make_id_number("110112", dt.date(1982, 6, 7), 9), "010-87654321"),
]

MANY = [
    (make_id_number("131082", dt.date(1975, 1, 1) + dt.timedelta(days=i), 3), f"1370000{i:04d}")
    for i in range(400)
]


@pytest.fixture
def audit_log_emptied_after() -> Iterator[None]:
    """Let the flush after this transactional test pass SQLite's append-only triggers."""
    from xietong.tests_browser.test_journey import _empty_the_audit_log_for_the_flush

    yield
    _empty_the_audit_log_for_the_flush()


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _secure_delete(value: str) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA secure_delete = {value}")


def _latest() -> None:
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _clear_rows(apps: Any) -> None:
    Region = apps.get_model("regions", "Region")
    Institution = apps.get_model("institutions", "Institution")
    Staff = apps.get_model("institutions", "Staff")
    region = Region.objects.filter(code="131082").first() or Region.objects.create(
        code="131082", name="三河市", level="county", path="131082/"
    )
    school = Institution.objects.create(
        name="三河市第九小学", kind="primary", region=region, region_path=region.path
    )
    for name, number, phone in PEOPLE:
        Staff.objects.create(
            name=name,
            gender="M",
            birth_date=dt.date(1980, 1, 1),
            id_number=number,
            phone=phone,
            institution=school,
            joined_on=dt.date(2010, 9, 1),
        )
    Staff.objects.bulk_create(  # enough rows to fill pages that stay behind when freed
        Staff(
            name=f"教师{i}",
            gender="M",
            birth_date=dt.date(1980, 1, 1),
            id_number=number,
            phone=phone,
            institution=school,
            joined_on=dt.date(2010, 9, 1),
        )
        for i, (number, phone) in enumerate(MANY)
    )


def _check_sealed() -> None:
    staff = {s.name: s for s in Staff.objects.filter(name__in=[p[0] for p in PEOPLE])}
    for name, number, phone in PEOPLE:
        s = staff[name]
        assert (id_number_of(s), phone_of(s)) == (number.upper(), phone)
        assert s.key_version == 1 and s.masked_id_number == mask_id_number(number.upper())
        assert Staff.objects.get(personal_data.id_number_q(number.upper())) == s


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_seals_existing_rows_purges_the_clear_values_and_can_be_undone(
    audit_log_emptied_after: None,
) -> None:
    _secure_delete("OFF")  # as most SQLite builds but Debian's: freed pages keep their bytes
    try:
        _clear_rows(_migrate(CLEAR))
        _latest()
        _check_sealed()
        dump = _database_bytes()
        assert "王一".encode() in dump
        clear = [v for _, n, p in PEOPLE for v in (n, n.upper(), p) if v]
        clear += [v for pair in MANY for v in pair]
        assert [v for v in clear if v.encode() in dump] == []
        apps = _migrate(CLEAR)  # and back again
        Old = apps.get_model("institutions", "Staff")
        back = dict(
            Old.objects.filter(name__in=[p[0] for p in PEOPLE]).values_list("name", "id_number")
        )
        assert back == {name: number.upper() for name, number, _ in PEOPLE}
    finally:
        _secure_delete("ON")
        _latest()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sealing_migration_stopped_half_way_resumes_with_the_rows_left(
    audit_log_emptied_after: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        _clear_rows(_migrate(CLEAR))
        apps = _migrate(COLUMNS)
        monkeypatch.setattr(SEALING, "BATCH", 1)
        real, calls = bulk.update, []

        def stopping(*args: Any, **kwargs: Any) -> int:
            calls.append(1)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return real(*args, **kwargs)

        monkeypatch.setattr(bulk, "update", stopping)
        editor = SimpleNamespace(connection=connection)
        with pytest.raises(KeyboardInterrupt):
            SEALING.seal_clear_values(apps, editor)
        Mid = apps.get_model("institutions", "Staff")
        assert Mid.objects.filter(key_version=1).count() == 1  # the first batch, of one row
        assert Mid.objects.filter(key_version=0).count() == len(PEOPLE) + len(MANY) - 1
        monkeypatch.setattr(bulk, "update", real)
        SEALING.seal_clear_values(apps, editor)  # as `migrate` would, run again
        assert set(Mid.objects.values_list("key_version", flat=True)) == {1}
        _latest()
        _check_sealed()
    finally:
        _latest()
