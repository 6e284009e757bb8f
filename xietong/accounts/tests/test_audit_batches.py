"""Bulk writes leave one audit event per batch, with its counts and the source file's hash."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.db import connection

from xietong.accounts import audit
from xietong.accounts.access import system_actor
from xietong.accounts.models import AuditEvent
from xietong.core import bulk
from xietong.core.bulk import BulkError, Source
from xietong.institutions.models import Institution
from xietong.regions.models import Region

METHOD = "copy" if connection.vendor == "postgresql" else "insert"
COLUMNS = ("id", "name", "kind", "region", "region_path", "stages")


def _rows(region: Region, ids: bulk.IdBlock) -> list[tuple[object, ...]]:
    return [
        (i, f"批量导入学校{n}", "primary", region.id, region.path, ",primary,")
        for n, i in enumerate(ids)
    ]


def test_it_records_one_event_per_batch_with_counts_ids_and_the_files_hash(db, tmp_path: Path):
    roster = tmp_path / "学校名单.xlsx"
    roster.write_bytes(b"PK\x03\x04 an upload")
    region = Region.objects.get(code="131082")
    ids = bulk.reserve_ids(Institution, 23)
    hook = audit.batch_recorder(system_actor("importer"), job=7)
    bulk.insert(
        Institution,
        COLUMNS,
        _rows(region, ids),
        batch_size=10,
        on_batch=hook,
        source=Source.from_path(roster),
    )
    events = list(AuditEvent.objects.filter(action=audit.BATCH_ACTION).order_by("id"))
    digest = hashlib.sha256(roster.read_bytes()).hexdigest()
    assert [e.detail["counts"] for e in events if e.detail] == [
        {"batch": 1, "rows": 10, "total": 10},
        {"batch": 2, "rows": 10, "total": 20},
        {"batch": 3, "rows": 3, "total": 23},
    ]
    assert [e.detail["ids"] for e in events if e.detail] == [
        [ids[0], ids[9]],
        [ids[10], ids[19]],
        [ids[20], ids[22]],
    ]
    for event in events:
        assert event.object_type == "institutions.institution"
        assert event.actor_name == "importer"
        assert event.object_label == "学校名单.xlsx"
        assert event.detail is not None
        kept = {k: event.detail[k] for k in ("sha256", "source", "job", "method")}
        assert kept == {"sha256": digest, "source": "学校名单.xlsx", "job": 7, "method": METHOD}
    assert audit.verify().ok


def test_it_records_no_event_when_the_batches_are_rolled_back(db):
    region = Region.objects.get(code="131082")
    ids = bulk.reserve_ids(Institution, 15)
    rows = _rows(region, ids)
    rows[12] = (ids[12], None, *rows[12][2:])  # a school without a name, in the second batch
    before = AuditEvent.objects.count()
    hook = audit.batch_recorder(system_actor("importer"))
    with pytest.raises(BulkError):
        bulk.insert(Institution, COLUMNS, rows, batch_size=10, on_batch=hook)
    assert AuditEvent.objects.count() == before
    assert not Institution.objects.filter(id__in=list(ids)).exists()


def test_record_batch_stores_counts_without_a_hash_when_there_is_no_file(db):
    event = audit.record_batch(None, "institutions.staff", {"rows": 5}, None)
    assert event.action == audit.BATCH_ACTION
    assert event.detail == {"counts": {"rows": 5}, "sha256": None, "source": ""}
