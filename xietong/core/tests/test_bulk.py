"""Bulk writes: awkward values round-trip, ids stay reserved, failures leave nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps
from django.utils import timezone, translation

from xietong.core import bulk
from xietong.core.bulk import BatchResult, BulkError, IdBlock, Source

METHOD = "copy" if connection.vendor == "postgresql" else "insert"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


# one worker makes the table of these tests (see scripts/run_tests.sh)
pytestmark = pytest.mark.xdist_group("bulk_insert")


@pytest.fixture(scope="module")
def awkward(django_db_setup: Any, django_db_blocker: Any) -> Iterator[type[models.Model]]:
    """A table with a column of every kind the loaders write, created for this module."""
    with isolate_apps("xietong.core"):

        class Awkward(models.Model):
            text = models.TextField()
            label = models.CharField(max_length=50, null=True)
            flag = models.BooleanField(null=True)
            day = models.DateField(null=True)
            at = models.DateTimeField(null=True)
            amount = models.DecimalField(max_digits=9, decimal_places=3, null=True)
            data = models.JSONField(null=True)
            number = models.BigIntegerField(null=True)
            code = models.UUIDField(null=True)
            # filled when not named, as save() fills them
            status = models.CharField(max_length=10, default="new")
            token = models.UUIDField(default=uuid.uuid4)
            created_at = models.DateTimeField(auto_now_add=True)
            note = models.CharField(max_length=10, blank=True)

            class Meta:
                app_label = "core"
                db_table = "core_bulk_test_awkward"

            def __str__(self) -> str:
                return self.text

    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            if Awkward._meta.db_table in connection.introspection.table_names():
                editor.delete_model(Awkward)
            editor.create_model(Awkward)
        yield Awkward
        with connection.schema_editor() as editor:
            editor.delete_model(Awkward)


COLUMNS = ("text", "label", "flag", "day", "at", "amount", "data", "number", "code")
FIELDS = COLUMNS  # read back in the same order

AWKWARD_TEXTS = [
    "",
    "plain",
    "tab\there",
    "new\nline",
    "carriage\rreturn\r\n",
    "back\\slash\\",
    "\\N",  # COPY's NULL marker, as text
    "\\.",  # COPY's old end-of-data marker
    "'single' \"double\" `back`",
    "北京市通州区第一中学",
    "emoji 🎓👩‍🏫 and 𠀀",
    "\\t not a tab, \\n not a newline",
    "a,b;c|d",
]


def _awkward_rows() -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for i, text in enumerate(AWKWARD_TEXTS):
        rows.append(
            (
                text,
                None if i % 3 == 1 else text[:50],
                (True, False, None)[i % 3],
                None if i == 4 else dt.date(1960 + i, 1 + i % 12, 28),
                dt.datetime(2025, 9, 1, 8, i, 30, 123456, tzinfo=SHANGHAI) if i != 5 else None,
                Decimal(f"{i}.125") if i != 6 else None,
                {
                    "name": text,
                    "nested": {"list": [1, 2.5, None, True, "二"], "empty": {}},
                    "quote": '"',
                }
                if i % 4
                else [text, None, {"k": "\t\n\\"}],
                None if i == 7 else (-(2**62) if i % 2 else i),
                uuid.UUID(int=i) if i != 8 else None,
            )
        )
    rows.append(("json scalars", "x", None, None, None, None, "just a string", 0, None))
    rows.append(("json number", "y", None, None, None, None, 42, 1, None))
    rows.append(("sql null json", "z", None, None, None, None, None, 2, None))
    return rows


def _read(model: type[models.Model], ids: list[int] | None = None) -> list[tuple[Any, ...]]:
    qs = model.objects.order_by("id")  # type: ignore[attr-defined]
    if ids is not None:
        qs = qs.filter(id__in=ids)
    return [tuple(r) for r in qs.values_list(*FIELDS)]


def _numbered(n: int, start: int = 0) -> list[tuple[Any, ...]]:
    return [(f"row {i}", None, None, None, None, None, None, i, None) for i in range(start, n)]


def test_it_round_trips_awkward_values_as_the_orm_would_store_them(db, awkward):
    rows = _awkward_rows()
    result = bulk.insert(awkward, COLUMNS, rows, batch_size=4)
    assert (result.rows, result.batches, result.method) == (len(rows), 4, METHOD)
    written = _read(awkward)
    assert written == rows  # every value back as it went in: NULLs, text, JSON, dates …
    # and as the same rows saved one by one through the ORM read back
    saved = [awkward.objects.create(**dict(zip(COLUMNS, r, strict=True))).id for r in rows]
    assert _read(awkward, saved) == written
    by_text = {r[0]: r for r in written}
    assert by_text["\\N"][1] == "\\N"  # text, not NULL
    assert by_text["sql null json"][6] is None
    assert by_text["json scalars"][6] == "just a string"


def test_it_fills_the_columns_not_named_as_save_would(db, awkward):
    before = timezone.now()
    bulk.insert(awkward, ("text",), [("a",), ("b",), ("c",)], batch_size=2)
    rows = list(awkward.objects.values_list("status", "token", "created_at", "note", "label"))
    assert {(status, note, label) for status, _, _, note, label in rows} == {("new", "", None)}
    assert len({token for _, token, _, _, _ in rows}) == 3  # a callable default: one per row
    assert len({at for _, _, at, _, _ in rows}) == 1  # one timestamp for the whole write
    assert before <= rows[0][2] <= timezone.now()


def test_it_reserves_distinct_ids_that_later_inserts_do_not_reuse(db, awkward):
    awkward.objects.create(text="before")
    block = bulk.reserve_ids(awkward, 30)
    assert len(block) == len(set(block)) == 30
    after = awkward.objects.create(text="after the reservation")
    assert after.id not in block
    second = bulk.reserve_ids(awkward, 5)
    assert not set(second) & set(block)
    assert after.id not in second
    rows = [(f"reserved {i}", None, None, None, None, None, None, i, None) for i in range(30)]
    bulk.insert(awkward, ("id", *COLUMNS), [(i, *r) for i, r in zip(block, rows, strict=True)])
    reserved = awkward.objects.filter(text__startswith="reserved")
    assert sorted(reserved.values_list("id", flat=True)) == list(block)
    last = awkward.objects.create(text="after the write")
    assert last.id not in block and last.id not in second
    assert bulk.reserve_ids(awkward, 0) == IdBlock()


def test_it_keeps_reserved_ids_as_runs_that_index_like_a_list():
    block = IdBlock([(5, 7), (10, 10), (20, 23)])
    assert list(block) == [5, 6, 7, 10, 20, 21, 22, 23]
    assert len(block) == 8
    assert [block[i] for i in range(8)] == list(block)
    assert block[-1] == 23 and block[3] == 10 and block[2:5] == [7, 10, 20]
    assert 21 in block and 8 not in block and 4 not in block and 24 not in block
    assert block.as_json() == [[5, 7], [10, 10], [20, 23]]
    with pytest.raises(IndexError):
        block[8]


def test_it_refuses_to_reserve_a_negative_number_of_ids(db, awkward):
    with pytest.raises(ValueError, match="negative"):
        bulk.reserve_ids(awkward, -1)


def test_it_leaves_no_rows_when_the_database_refuses_a_row_mid_stream(db, awkward):
    rows = _numbered(25)
    rows[22] = (None, *rows[22][1:])  # text is NOT NULL: the 23rd row, in the third batch
    with pytest.raises(BulkError, match=r"Batch 3 of core\.awkward") as refused:
        bulk.insert(awkward, COLUMNS, rows, batch_size=10)
    if connection.vendor == "postgresql":
        assert "row 23" in str(refused.value.message)  # COPY names the line
    else:
        assert "rows 21 to 25" in str(refused.value.message)
    assert not awkward.objects.exists()


def test_it_leaves_no_rows_when_the_rows_iterator_fails_mid_stream(db, awkward):
    def rows() -> Iterator[tuple[Any, ...]]:
        yield from _numbered(15)
        raise RuntimeError("the source file ended early")

    with pytest.raises(RuntimeError, match="ended early"):
        bulk.insert(awkward, COLUMNS, rows(), batch_size=10)
    assert not awkward.objects.exists()


def test_it_leaves_no_rows_when_the_batch_hook_fails(db, awkward):
    def hook(batch: BatchResult) -> None:
        if batch.number == 2:
            raise RuntimeError("the audit log is unavailable")

    with pytest.raises(RuntimeError, match="audit"):
        bulk.insert(awkward, COLUMNS, _numbered(25), batch_size=10, on_batch=hook)
    assert not awkward.objects.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("a\x00b", None, None, None, None, None, None, 1, None), r"Row 12, column text: .*NUL"),
        (("x", "ok\x00", None, None, None, None, None, 1, None), r"Row 12, column label: .*NUL"),
        (("x", None, None, "2025-13-01", None, None, None, 1, None), r"Row 12, column day: "),
        (("x", None, None, None, None, "twelve", None, 1, None), r"Row 12, column amount: "),
        (("x", None, None, None, None, None, {1j}, 1, None), r"Row 12, column data: "),
        (("x", None, None, None, None, None, None, 1), r"Row 12 has 8 values but 9 columns"),
    ],
    ids=["nul-in-text", "nul-in-char", "bad-date", "bad-decimal", "unserialisable", "short"],
)
def test_it_names_the_row_and_column_of_a_bad_value_and_writes_nothing(db, awkward, row, message):
    rows = [*_numbered(11), row, *_numbered(5, 12)]
    with pytest.raises(BulkError, match=message):
        bulk.insert(awkward, COLUMNS, rows, batch_size=5)
    assert not awkward.objects.exists()


def test_it_explains_a_refusal_in_chinese_first(db, awkward):
    rows = [*_numbered(2), ("坏\x00值", None, None, None, None, None, None, 1, None)]
    with translation.override("zh-hans"), pytest.raises(BulkError) as refused:
        bulk.insert(awkward, COLUMNS, rows)
    assert str(refused.value.message) == "第 3 行 text 列：文本不能包含 NUL 字符。"
    assert refused.value.as_dict()["code"] == "bulk_write"


def test_it_refuses_unknown_or_repeated_columns(db, awkward):
    with pytest.raises(BulkError, match=r"core\.awkward has no column colour"):
        bulk.insert(awkward, ("text", "colour"), [("x", "red")])
    with pytest.raises(BulkError, match="named twice"):
        bulk.insert(awkward, ("text", "text"), [("x", "y")])


def test_it_reports_each_batch_once_with_its_counts_ids_and_source_hash(db, awkward, tmp_path):
    path = tmp_path / "名单.csv"
    path.write_bytes("姓名,学校\n王北京,通州一中\n".encode())
    source = Source.from_path(path)
    block = bulk.reserve_ids(awkward, 25)
    rows = [(i, *r) for i, r in zip(block, _numbered(25), strict=True)]
    seen: list[BatchResult] = []
    result = bulk.insert(
        awkward, ("id", *COLUMNS), rows, batch_size=10, on_batch=seen.append, source=source
    )
    assert result.batches == 3 and result.rows == 25
    assert [b.counts for b in seen] == [
        {"batch": 1, "rows": 10, "total": 10},
        {"batch": 2, "rows": 10, "total": 20},
        {"batch": 3, "rows": 5, "total": 25},
    ]
    assert [(b.first_id, b.last_id) for b in seen] == [
        (block[0], block[9]),
        (block[10], block[19]),
        (block[20], block[24]),
    ]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert {(b.model_label, b.method, b.sha256, b.source_name) for b in seen} == {
        ("core.awkward", METHOD, digest, "名单.csv")
    }


def test_it_reports_no_hash_without_a_source_file(db, awkward):
    seen: list[BatchResult] = []
    bulk.insert(awkward, COLUMNS, _numbered(3), on_batch=seen.append)
    assert [(b.sha256, b.source_name, b.first_id) for b in seen] == [(None, "", None)]


def test_it_consumes_the_rows_lazily_one_batch_at_a_time(db, awkward):
    pulled = 0

    def rows() -> Iterator[tuple[Any, ...]]:
        nonlocal pulled
        for row in _numbered(1000):
            pulled += 1
            yield row

    at_each_batch: list[int] = []
    bulk.insert(
        awkward, COLUMNS, rows(), batch_size=100, on_batch=lambda b: at_each_batch.append(pulled)
    )
    assert at_each_batch == [100 * k for k in range(1, 11)]
    assert awkward.objects.count() == 1000


def test_it_writes_nothing_and_reports_nothing_for_no_rows(db, awkward):
    seen: list[BatchResult] = []
    result = bulk.insert(awkward, COLUMNS, iter(()), on_batch=seen.append)
    assert (result.rows, result.batches, seen) == (0, 0, [])


def test_it_hashes_a_source_from_a_path_a_file_or_bytes(tmp_path: Path):
    data = b"id,name\n1,\xe7\x8e\x8b\n" * 1000
    path = tmp_path / "roster.csv"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert Source.from_path(path) == Source("roster.csv", expected)
    assert Source.from_bytes(data, "upload.csv") == Source("upload.csv", expected)
    upload = io.BytesIO(data)
    assert Source.from_file(upload, "upload.csv").sha256 == expected
    assert upload.tell() == 0  # put back for the reader


def test_it_gives_the_planner_statistics_of_a_bulk_loaded_table(db, awkward):
    bulk.insert(awkward, ("text",), [(f"row {i}",) for i in range(40)])
    bulk.analyze([awkward])
    table = awkward._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            assert cur.fetchone()[0] == 40  # -1 before: never analysed
        else:
            cur.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
            assert cur.fetchone()[0].split()[0] == "40"
