"""Bulk updates (``core.bulk.update``) and bytes through bulk inserts: sealed values round-trip
on COPY and INSERT alike, and an update either changes every row given or none."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import DatabaseError, connection, models
from django.test.utils import isolate_apps

from xietong.core import bulk

# one worker makes the table of these tests (see scripts/run_tests.sh)
pytestmark = pytest.mark.xdist_group("bulk_update")


@pytest.fixture(scope="module")
def sealed(django_db_setup: Any, django_db_blocker: Any) -> Iterator[type[models.Model]]:
    """A table shaped like the staff table's sealed columns, created for this module."""
    with isolate_apps("xietong.core"):

        class Sealed(models.Model):
            blob = models.BinaryField()
            maybe = models.BinaryField(null=True)
            index = models.CharField(max_length=32, unique=True)
            version = models.PositiveSmallIntegerField()

            class Meta:
                app_label = "core"
                db_table = "core_bulk_test_sealed"

            def __str__(self) -> str:
                return self.index

    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            if Sealed._meta.db_table in connection.introspection.table_names():
                editor.delete_model(Sealed)
            editor.create_model(Sealed)
        yield Sealed
        with connection.schema_editor() as editor:
            editor.delete_model(Sealed)


# Bytes COPY's text format must escape: backslash, tab, newline, NUL, high bytes.
AWKWARD = [b"", b"\\", b"\t\n\r", b"\x00\x00", bytes(range(256)), os.urandom(48)]


def _rows(n: int) -> list[tuple[object, ...]]:
    return [
        (AWKWARD[i % len(AWKWARD)], None if i % 2 else b"\x01" * i, f"i{i}", 1) for i in range(n)
    ]


def _read(model: Any) -> list[tuple[object, ...]]:
    return [
        (bytes(b), None if m is None else bytes(m), i, v)
        for b, m, i, v in model.objects.order_by("id").values_list(
            "blob", "maybe", "index", "version"
        )
    ]


def test_bytes_round_trip_through_a_bulk_insert(db, sealed):
    rows = _rows(12)
    bulk.insert(sealed, ("blob", "maybe", "index", "version"), rows, batch_size=5)
    assert _read(sealed) == rows


def test_it_updates_the_named_columns_of_the_rows_given_in_batches(db, sealed):
    bulk.insert(sealed, ("blob", "maybe", "index", "version"), _rows(7))
    ids = list(sealed.objects.order_by("id").values_list("id", flat=True))
    new = [(pk, AWKWARD[-1 - k % 3], f"n{k}", 2) for k, pk in enumerate(ids[:5])]
    assert bulk.update(sealed, ("blob", "index", "version"), new, batch_size=2) == 5
    after = _read(sealed)
    assert [(b, i, v) for b, _, i, v in after[:5]] == [(b, i, v) for _, b, i, v in new]
    assert after[5:] == _rows(7)[5:]  # the rows not given are untouched
    assert [m for _, m, _, _ in after] == [m for _, m, _, _ in _rows(7)]  # columns not named


def test_it_writes_null_into_every_row_of_a_batch(db, sealed):
    bulk.insert(sealed, ("blob", "maybe", "index", "version"), _rows(4))
    ids = list(sealed.objects.order_by("id").values_list("id", flat=True))
    bulk.update(sealed, ("maybe", "version"), [(pk, None, 3) for pk in ids])
    assert [(m, v) for _, m, _, v in _read(sealed)] == [(None, 3)] * 4


def test_an_update_refused_by_the_database_changes_no_row(db, sealed):
    bulk.insert(sealed, ("blob", "maybe", "index", "version"), _rows(4))
    ids = list(sealed.objects.order_by("id").values_list("id", flat=True))
    clash = [(ids[0], "first"), (ids[1], "second"), (ids[2], "first")]  # unique index
    with pytest.raises(DatabaseError):
        bulk.update(sealed, ("index",), clash, batch_size=1)
    assert [i for _, _, i, _ in _read(sealed)] == ["i0", "i1", "i2", "i3"]


def test_it_refuses_an_unknown_column(db, sealed):
    with pytest.raises(bulk.BulkError, match="nonsense"):
        bulk.update(sealed, ("nonsense",), [(1, "x")])
