"""Bulk writes: many rows into one table, in batches, all or nothing.

:func:`insert` streams rows from any iterable into a model's table — ``COPY … FROM STDIN``
per batch on PostgreSQL (psycopg 3), one ``executemany`` INSERT per batch on SQLite — in
one transaction, and calls the caller's ``on_batch`` hook after each batch, inside that
transaction. The audit event is written there (``xietong.accounts.audit.batch_recorder``):
``core`` imports no app. :func:`reserve_ids` hands out primary keys before the rows are
written, so a caller can build related rows (a staff row's institution id) first.

Values are converted as the ORM converts them on save (``Field.get_db_prep_save``), so a
bulk-written row reads back as a saved one would. Model ``save()``, signals and the
services' validation do not run: callers write only rows they have checked.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, cast, overload

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import NOT_PROVIDED, AutoField, BigAutoField, Field, Model, SmallAutoField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.errors import ServiceError

DEFAULT_BATCH_SIZE = 10_000

Method = Literal["copy", "insert"]
Row = Sequence[object]
Encoder = Callable[[object], str]
Converter = Callable[[object], object]


class BulkError(ServiceError):
    """A bulk write refused or failed; nothing of it was written."""

    code = "bulk_write"
    status = 422

    def default_message(self) -> object:
        return _("The rows could not be written; nothing was changed.")


@dataclass(frozen=True)
class Source:
    """The file the rows come from: its name as people know it and its SHA-256."""

    name: str
    sha256: str

    @classmethod
    def from_path(cls, path: str | Path, name: str | None = None) -> Source:
        path = Path(path)
        with path.open("rb") as f:
            return cls.from_file(f, name or path.name)

    @classmethod
    def from_file(cls, fileobj: IO[bytes], name: str) -> Source:
        """Hash from the current position to the end; a seekable file is put back."""
        start = fileobj.tell() if fileobj.seekable() else None
        digest = hashlib.sha256()
        while chunk := fileobj.read(1 << 20):
            digest.update(chunk)
        if start is not None:
            fileobj.seek(start)
        return cls(name, digest.hexdigest())

    @classmethod
    def from_bytes(cls, data: bytes, name: str) -> Source:
        return cls(name, hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class BatchResult:
    """One written batch, as ``on_batch`` receives it (still inside the transaction)."""

    model_label: str  # "institutions.staff"
    number: int  # 1, 2, … within this insert
    rows: int  # rows of this batch
    total: int  # rows written so far, this batch included
    method: Method
    first_id: int | None  # smallest and largest primary key of the batch, when given
    last_id: int | None
    source: Source | None

    @property
    def sha256(self) -> str | None:
        return self.source.sha256 if self.source else None

    @property
    def source_name(self) -> str:
        return self.source.name if self.source else ""

    @property
    def counts(self) -> dict[str, int]:
        return {"batch": self.number, "rows": self.rows, "total": self.total}


BatchHook = Callable[[BatchResult], object]


@dataclass(frozen=True)
class InsertResult:
    model_label: str
    rows: int
    batches: int
    method: Method
    seconds: float


# --- reserved ids ----------------------------------------------------------------------


class IdBlock(Sequence[int]):
    """Reserved primary keys, ascending, kept as runs of consecutive ids (usually one)."""

    __slots__ = ("_len", "_offsets", "_starts", "runs")

    def __init__(self, runs: Iterable[tuple[int, int]] = ()) -> None:
        self.runs: tuple[tuple[int, int], ...] = tuple((int(a), int(b)) for a, b in runs)
        self._starts = [a for a, _ in self.runs]
        self._offsets: list[int] = []
        n = 0
        for first, last in self.runs:
            self._offsets.append(n)
            n += last - first + 1
        self._len = n

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> list[int]: ...
    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._len))]
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError(index)
        k = bisect.bisect_right(self._offsets, index) - 1
        return self.runs[k][0] + index - self._offsets[k]

    def __iter__(self) -> Iterator[int]:
        return itertools.chain.from_iterable(range(a, b + 1) for a, b in self.runs)

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int):
            return False
        k = bisect.bisect_right(self._starts, value) - 1
        return k >= 0 and value <= self.runs[k][1]

    def __eq__(self, other: object) -> bool:
        return self.runs == other.runs if isinstance(other, IdBlock) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def as_json(self) -> list[list[int]]:
        """The runs as ``[[first, last], …]`` (inclusive), for a JSON column."""
        return [[a, b] for a, b in self.runs]

    def __repr__(self) -> str:
        return f"IdBlock({list(self.runs)!r})"


def reserve_ids(model: type[Model], count: int, *, using: str = DEFAULT_DB_ALIAS) -> IdBlock:
    """``count`` fresh primary keys of ``model`` that no later insert will be given.

    PostgreSQL: ``nextval`` over ``generate_series`` in one query (others' inserts may
    interleave, hence runs). SQLite: ``max(id) + 1`` under the write lock, and the
    table's AUTOINCREMENT counter moved past the block.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    if count == 0:
        return IdBlock()
    pk = model._meta.pk
    if not isinstance(pk, AutoField | BigAutoField | SmallAutoField):
        raise BulkError(
            _("%(model)s has no automatic primary key, so no ids can be reserved.")
            % {"model": model._meta.label_lower}
        )
    conn = connections[using]
    table, column = model._meta.db_table, pk.column
    with transaction.atomic(using=using), conn.cursor() as cur:
        if conn.vendor == "postgresql":
            return IdBlock(_reserve_postgresql(conn, cur, table, column, count))
        if conn.vendor == "sqlite":
            return IdBlock(_reserve_sqlite(conn, cur, table, column, count))
    raise BulkError(_("Bulk writes support PostgreSQL and SQLite only."))


def _reserve_postgresql(
    conn: BaseDatabaseWrapper, cur: CursorWrapper, table: str, column: str, count: int
) -> list[tuple[int, int]]:
    qn = conn.ops.quote_name
    cur.execute("SELECT pg_get_serial_sequence(%s, %s)", [qn(table), column])
    row = cur.fetchone()
    if not row or not row[0]:
        raise BulkError(
            _("The table %(table)s has no id sequence to reserve from.") % {"table": table}
        )
    # nextval is called once per row of the series, in order (a subquery with a volatile
    # target list is never flattened); along a run of consecutive ids, id − g is constant.
    cur.execute(
        "SELECT min(id), max(id) FROM ("
        " SELECT g, nextval(%s) AS id FROM generate_series(1, %s) AS g"
        ") AS fresh GROUP BY id - g ORDER BY 1",
        [row[0], count],
    )
    return [(int(a), int(b)) for a, b in cur.fetchall()]


def _reserve_sqlite(
    conn: BaseDatabaseWrapper, cur: CursorWrapper, table: str, column: str, count: int
) -> list[tuple[int, int]]:
    qn = conn.ops.quote_name
    execute, fetchone = cur.execute, cur.fetchone
    # A write first, so this transaction holds the write lock before it reads the maximum.
    execute("UPDATE sqlite_sequence SET seq = seq WHERE name = %s", [table])
    execute(f"SELECT COALESCE(MAX({qn(column)}), 0) FROM {qn(table)}")
    top = int(fetchone()[0])
    execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
    row = fetchone()
    first = max(top, int(row[0]) if row else 0) + 1
    last = first + count - 1
    execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
    ddl = fetchone()
    if ddl and "AUTOINCREMENT" in (ddl[0] or "").upper():
        if row:
            execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [last, table])
        else:
            execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last])
    return [(first, last)]


# --- converting values ------------------------------------------------------------------

_INT_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
}
_TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}
_IMMUTABLE_TYPES = {"DateTimeField", "TimeField", "DecimalField", "UUIDField"}


class _NulInText(ValueError):
    """PostgreSQL text cannot hold NUL; SQLite could, but then both would not agree."""


def _kind(field: Field) -> str:
    """``text``, ``int``, ``bool``, ``binary``, ``json``, ``date``, ``immutable`` or ``other``."""
    while field.is_relation:
        field = field.target_field  # type: ignore[attr-defined]
    internal = field.get_internal_type()
    if internal in _TEXT_TYPES:
        return "text"
    if internal in _INT_TYPES:
        return "int"
    if internal == "BooleanField":
        return "bool"
    if internal == "BinaryField":
        return "binary"
    if internal == "JSONField":
        return "json"
    if internal == "DateField":
        return "date"
    return "immutable" if internal in _IMMUTABLE_TYPES else "other"


def _remembering(fn: Converter) -> Converter:
    """``fn`` with its last answer kept: bulk rows repeat values (timestamps, dates)."""
    last: list[object] = [object(), None]

    def call(value: object) -> object:
        if value is last[0]:
            return last[1]
        out = fn(value)
        last[0], last[1] = value, out
        return out

    return call


def _prep(field: Field, conn: BaseDatabaseWrapper) -> Converter:
    """The ORM's own conversion on save."""

    def prep(value: object) -> object:
        return None if value is None else field.get_db_prep_save(value, conn)

    return prep


def _refuse_nul(value: object) -> object:
    if type(value) is str and "\x00" in value:
        raise _NulInText
    return value


def converter(field: Field, conn: BaseDatabaseWrapper) -> Converter | None:
    """What a value of ``field`` becomes before the driver sends it (``None``: unchanged).

    Text, integers, booleans and bytes go as they are (psycopg's COPY encoding escapes
    text, writes bytes as ``bytea``, NULL as ``\\N`` and booleans as ``t``/``f``); JSON is
    dumped with the field's encoder (``None`` is SQL NULL, as in the ORM); dates go as
    ``date`` objects to psycopg and as ISO text to SQLite; everything else takes
    ``get_db_prep_save``, which also makes naive datetimes aware in the current time zone
    as the ORM does.
    """
    kind = _kind(field)
    postgres = conn.vendor == "postgresql" and _is_psycopg3(conn)
    if kind == "text":
        return None if postgres else _refuse_nul
    if kind in ("int", "bool", "binary"):
        return None
    prep = _prep(field, conn)
    if kind == "json" and postgres:
        encoder = field.encoder  # type: ignore[attr-defined]

        def dumped(value: object) -> object:
            return None if value is None else json.dumps(value, cls=encoder, ensure_ascii=False)

        return dumped
    if kind == "date":

        def date(value: object) -> object:
            if type(value) is dt.date:
                return value if postgres else value.isoformat()
            return prep(value)

        return _remembering(date)
    return _remembering(prep) if kind == "immutable" else prep


# --- writing ---------------------------------------------------------------------------


def analyze(models: Iterable[type[Model]], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Refresh the planner's statistics of these tables after a bulk load (``ANALYZE``).

    Rows written with COPY have no statistics until autovacuum gets to them (never, where
    it is off): PostgreSQL then plans a join of 1.4 M staff as if they were a few
    thousand. One ANALYZE samples each table (seconds at scale 1.0); SQLite's ANALYZE
    fills its ``sqlite_stat1`` the same way.
    """
    conn = connections[using]
    tables = [conn.ops.quote_name(m._meta.db_table) for m in models]
    if not tables:
        return
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute(f"ANALYZE {', '.join(tables)}")
        else:
            for table in tables:
                cur.execute(f"ANALYZE {table}")


def insert(
    model: type[Model],
    columns: Sequence[str],
    rows: Iterable[Row],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_batch: BatchHook | None = None,
    source: Source | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> InsertResult:
    """Write ``rows`` (sequences in the order of ``columns``) into ``model``'s table.

    ``columns`` are field names or attnames (``institution`` or ``institution_id``; a
    foreign key takes the related id). Columns not named are filled as ``save()`` would:
    ``auto_now``/``auto_now_add`` with one timestamp for the whole write, defaults (a
    callable one per row), else left to the database. ``rows`` is consumed lazily,
    ``batch_size`` at a time, so memory stays bounded whatever its length. All batches
    are written in one transaction (a savepoint inside the caller's): a bad value, a
    database error or an exception from ``rows`` or ``on_batch`` leaves none of them.
    Raises :class:`BulkError` naming the row or batch at fault.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    conn = connections[using]
    named = _fields(model, columns)
    per_row, constant = _filled(model, named)
    fill = [make for _, make in per_row]
    fields = named + [f for f, _ in per_row]
    pk = model._meta.pk
    pk_index = next((i for i, f in enumerate(fields) if pk and f.attname == pk.attname), None)
    writer: _Writer
    if conn.vendor == "postgresql" and _is_psycopg3(conn):
        writer = _CopyWriter(model, fields, constant, conn)
    else:
        writer = _InsertWriter(model, fields, constant, conn)
    label = model._meta.label_lower
    started = time.monotonic()
    it = iter(rows)
    number = total = 0
    with transaction.atomic(using=using):
        while (first := next(it, _END)) is not _END:
            number += 1
            batch = _Batch(
                itertools.chain((cast(Row, first),), itertools.islice(it, batch_size - 1)),
                done=total,
                number=number,
                width=len(named),
                fill=fill,
                pk_index=pk_index,
            )
            writer.write(batch)
            total += batch.count
            if on_batch is not None:
                on_batch(
                    BatchResult(
                        model_label=label,
                        number=number,
                        rows=batch.count,
                        total=total,
                        method=writer.method,
                        first_id=batch.first_id,
                        last_id=batch.last_id,
                        source=source,
                    )
                )
    return InsertResult(label, total, number, writer.method, time.monotonic() - started)


def update(
    model: type[Model],
    columns: Sequence[str],
    rows: Iterable[Row],
    *,
    batch_size: int = 2_000,
    using: str = DEFAULT_DB_ALIAS,
) -> int:
    """Set ``columns`` of existing rows of ``model``; each row is ``(pk, *values)``.

    PostgreSQL: one ``UPDATE … FROM unnest(arrays)`` per batch; SQLite: one ``executemany``
    of ``UPDATE … WHERE pk = ?`` per batch. Values are converted as :func:`insert`
    converts them. All batches run in one transaction (a savepoint inside the caller's); model
    ``save()`` and signals do not run. Returns how many rows were given.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    conn = connections[using]
    pk = model._meta.pk
    assert pk is not None
    fields = [pk, *_fields(model, columns)]
    convert = [converter(f, conn) for f in fields]
    qn = conn.ops.quote_name
    table = qn(model._meta.db_table)
    total = 0
    it = iter(rows)
    with transaction.atomic(using=using), conn.cursor() as cur:
        while batch := list(itertools.islice(it, batch_size)):
            values: list[list[Any]] = [
                [fn(v) if fn else v for fn, v in zip(convert, row, strict=True)] for row in batch
            ]
            if conn.vendor == "postgresql":
                # One array per column, unnested into rows: a handful of parameters
                # whatever the batch size.
                arrays = ", ".join(f"%s::{f.db_type(conn)}[]" for f in fields)
                sets = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in fields[1:])
                names = ", ".join(qn(f.column) for f in fields)
                cur.execute(
                    f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v({names}) "
                    f"WHERE {table}.{qn(pk.column)} = v.{qn(pk.column)}",
                    [list(column) for column in zip(*values, strict=True)],
                )
            else:
                sets = ", ".join(f"{qn(f.column)} = %s" for f in fields[1:])
                cur.executemany(
                    f"UPDATE {table} SET {sets} WHERE {qn(pk.column)} = %s",
                    [(*row[1:], row[0]) for row in values],
                )
            total += len(batch)
    return total


_END = object()


class _Batch:
    """The rows of one batch as they stream to the database: checked, completed, counted.

    Rows are pulled from the caller's iterator while the batch is being written, so the
    database works on one part of the batch while Python makes the next.
    """

    def __init__(
        self,
        rows: Iterator[Row],
        *,
        done: int,
        number: int,
        width: int,
        fill: list[Callable[[], object]],
        pk_index: int | None,
    ):
        self.rows = rows
        self.done = done  # rows written by the batches before this one
        self.number = number
        self.width = width
        self.fill = fill
        self.pk_index = pk_index
        self.count = 0
        self.first_id: int | None = None
        self.last_id: int | None = None

    def __iter__(self) -> Iterator[Row]:
        width, fill, pk_index = self.width, self.fill, self.pk_index
        for row in self.rows:
            self.count += 1
            if len(row) != width:
                raise BulkError(
                    _("Row %(row)s has %(got)s values but %(expected)s columns were named.")
                    % {"row": self.done + self.count, "got": len(row), "expected": width}
                )
            if pk_index is not None and isinstance(pk := row[pk_index], int):
                if self.first_id is None or pk < self.first_id:
                    self.first_id = pk
                if self.last_id is None or pk > self.last_id:
                    self.last_id = pk
            yield (*row, *[make() for make in fill]) if fill else row


def _is_psycopg3(conn: BaseDatabaseWrapper) -> bool:
    return getattr(getattr(conn, "Database", None), "__name__", "") == "psycopg"


def _fields(model: type[Model], columns: Sequence[str]) -> list[Field]:
    fields: list[Field] = []
    for name in columns:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if not isinstance(field, Field) or not field.concrete or field.many_to_many:
            raise BulkError(
                _("%(model)s has no column %(column)s.")
                % {"model": model._meta.label_lower, "column": name}
            )
        fields.append(field)
    if len({f.column for f in fields}) != len(fields):
        raise BulkError(_("A column is named twice."))
    return fields


def _filled(
    model: type[Model], named: list[Field]
) -> tuple[list[tuple[Field, Callable[[], object]]], list[tuple[Field, object]]]:
    """The columns not named that ``save()`` would fill: made per row, and constant."""
    given = {f.column for f in named}
    now = timezone.now()
    per_row: list[tuple[Field, Callable[[], object]]] = []
    constant: list[tuple[Field, object]] = []
    for f in model._meta.concrete_fields:
        automatic = f.primary_key and isinstance(f, AutoField | BigAutoField | SmallAutoField)
        if f.column in given or automatic or f.generated or f.db_default is not NOT_PROVIDED:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constant.append((f, now))
        elif f.has_default() and callable(f.default):
            per_row.append((f, f.get_default))
        elif (value := f.get_default()) is not None:  # else NULL, as the database writes it
            constant.append((f, value))
    return per_row, constant


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


_CONVERSION_ERRORS = (ValidationError, TypeError, ValueError)


class _Writer:
    method: Method

    def __init__(
        self,
        model: type[Model],
        fields: list[Field],
        constant: list[tuple[Field, object]],
        conn: BaseDatabaseWrapper,
    ):
        """``fields``: the values of each row; ``constant``: the same value for every row."""
        self.model = model
        self.fields = fields
        self.constant = constant
        self.conn = conn
        self.converters = [converter(f, conn) for f in fields]
        self.pairs = [(i, fn) for i, fn in enumerate(self.converters) if fn is not None]
        # converted once, sent after each row's own values
        self.tail = tuple(fn(v) if (fn := converter(f, conn)) else v for f, v in constant)
        qn = conn.ops.quote_name
        self.table = qn(model._meta.db_table)
        columns = [*fields, *(f for f, _ in constant)]
        self.column_list = ", ".join(qn(f.column) for f in columns)
        driver = getattr(conn, "Database", None)
        self.driver_errors: tuple[type[Exception], ...] = (
            (DatabaseError, driver.Error) if driver is not None else (DatabaseError,)
        )
        self.row_errors = (*_CONVERSION_ERRORS, *self.driver_errors)

    def write(self, batch: _Batch) -> None:
        try:
            self._write(batch)
        except self.driver_errors as e:
            line = _copy_line(e)
            first, last = batch.done + 1, batch.done + batch.count
            where = (
                _("row %(row)s") % {"row": batch.done + line}
                if line
                else _("rows %(first)s to %(last)s") % {"first": first, "last": last}
            )
            raise BulkError(
                _("Batch %(batch)s of %(model)s (%(where)s) was refused by the database: %(error)s")
                % {
                    "batch": batch.number,
                    "model": self.model._meta.label_lower,
                    "where": where,
                    "error": _first_line(e),
                }
            ) from e

    def _write(self, batch: _Batch) -> None:
        raise NotImplementedError

    def _convert(self, row: Row) -> Row:
        if not self.pairs:
            return (*row, *self.tail) if self.tail else row
        values = list(row)
        for i, fn in self.pairs:
            values[i] = fn(values[i])
        values.extend(self.tail)
        return values

    def _row_error(self, row_number: int, row: Row, error: Exception) -> BulkError:
        """Which column of a row could not be converted or encoded, and why."""
        for field, fn, value in zip(self.fields, self.converters, row, strict=True):
            if isinstance(value, str) and "\x00" in value:
                return BulkError(
                    _("Row %(row)s, column %(column)s: text cannot contain the NUL character.")
                    % {"row": row_number, "column": field.attname}
                )
            try:
                if fn is not None:
                    fn(value)
            except _CONVERSION_ERRORS as e:
                reason = "; ".join(e.messages) if isinstance(e, ValidationError) else str(e)
                return BulkError(
                    _("Row %(row)s, column %(column)s: %(value)s cannot be written (%(reason)s).")
                    % {
                        "row": row_number,
                        "column": field.attname,
                        "value": repr(value)[:80],
                        "reason": reason,
                    }
                )
        return BulkError(
            _("Row %(row)s cannot be written: %(error)s")
            % {"row": row_number, "error": _first_line(error)}
        )


def _copy_line(error: Exception) -> int | None:
    """The line of a COPY batch PostgreSQL names in an error's context, if any."""
    context = getattr(getattr(error, "diag", None), "context", None) or ""
    match = re.search(r"\bCOPY \S+, line (\d+)", context)
    return int(match.group(1)) if match else None


class _CopyWriter(_Writer):
    """``COPY … FROM STDIN``; psycopg encodes each row in COPY's text format."""

    method: Method = "copy"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sql = f"COPY {self.table} ({self.column_list}) FROM STDIN"

    def _write(self, batch: _Batch) -> None:
        convert = self._convert
        with self.conn.cursor() as cur, cur.copy(self.sql) as copy:
            write_row = copy.write_row
            for row in batch:
                try:
                    write_row(convert(row))
                except self.row_errors as e:
                    if _copy_line(e):  # the server refused an earlier line
                        raise
                    raise self._row_error(batch.done + batch.count, row, e) from None


class _InsertWriter(_Writer):
    """One ``executemany`` INSERT per batch (SQLite, or PostgreSQL without psycopg 3)."""

    method: Method = "insert"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.conn.vendor != "sqlite":  # every value through the ORM's conversion
            prepped = [_prep(f, self.conn) for f in self.fields]
            self.converters = list(prepped)
            self.pairs = list(enumerate(prepped))
            self.tail = tuple(_prep(f, self.conn)(v) for f, v in self.constant)
        placeholders = ", ".join(["%s"] * (len(self.fields) + len(self.tail)))
        self.sql = f"INSERT INTO {self.table} ({self.column_list}) VALUES ({placeholders})"

    def _write(self, batch: _Batch) -> None:
        converted: list[Row] = []
        for row in batch:
            try:
                converted.append(self._convert(row))
            except _CONVERSION_ERRORS as e:
                raise self._row_error(batch.done + batch.count, row, e) from None
        with self.conn.cursor() as cur:
            cur.executemany(self.sql, cast("list[Any]", converted))
