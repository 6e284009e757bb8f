"""Reads of the coverage page: every school of the viewer's scope, sorted and paged in SQL.

The page lists each school with eligible teachers in the viewer's scope and area, with its
coverage and its gap to the national rule (:mod:`xietong.exchanges.rule`), sorted — by
default furthest below the rule first — and paged through all of them. One query per page:

* eligible teachers per school from the staff tallies (``eligible_by_institution_qs``, a
  ``GROUP BY`` over roll-up rows, see docs/decisions/0010);
* completed, rotated and backbone-rotated per school from the period's applications
  (``exchanged_by_institution_qs``, thousands of rows);
* both joined, with the institution's name and region, the gap and the shares computed,
  ordered and cut to the page by the database.

Both inner queries are built by the ORM from the scoped ``Q`` objects of the selectors, so
who sees which school is still decided in one place; only the join around them is SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from xietong.access.actor import Actor
from xietong.core.termfields import current_term
from xietong.core.terms import SchoolTerm, TermSpan
from xietong.exchanges import rule as rotation_rule
from xietong.exchanges import selectors
from xietong.exchanges.choices import ROTATED_STATES
from xietong.exchanges.models import Application
from xietong.exchanges.selectors import CoverageFilters
from xietong.institutions.models import Institution
from xietong.regions.models import Region

# name: (label, ORDER BY over the table's columns); the last keys make the order total.
SORTS: dict[str, tuple[Any, str]] = {
    "gap": (_("Furthest below the rule"), "gap DESC, rotated_share ASC, name ASC, id ASC"),
    "rotated_share": (_("Lowest share rotated"), "rotated_share ASC, gap DESC, name ASC, id ASC"),
    "share": (_("Lowest share completed"), "share ASC, gap DESC, name ASC, id ASC"),
    "eligible": (_("Most eligible teachers"), "eligible DESC, name ASC, id ASC"),
    "name": (_("Name"), "name ASC, id ASC"),
}
DEFAULT_SORT = "gap"

# The distribution chart's bins: (label, the largest gap in the bin); the last is open.
GAP_BINS: list[tuple[Any, int]] = [
    (_("Met"), 0),
    ("1", 1),
    ("2–5", 5),
    ("6–10", 10),
    ("11–20", 20),
    ("21+", 2**62),
]


def sort_choices() -> list[tuple[str, Any]]:
    return [(k, label) for k, (label, _order) in SORTS.items()]


def latest_finished_term(actor: Actor) -> SchoolTerm:
    """The viewer's most recent term before the current one in which teachers of its scope
    rotated; the term before the current one when there is none (the current term is
    under way: its figures are not in yet)."""
    now = current_term()
    key = Application.objects.filter(
        selectors._coverage_scope_q(actor, "applicant__"),
        status__in=list(ROTATED_STATES),
        program__term_key__lt=now.key,
    ).aggregate(k=Max("program__term_key"))["k"]
    return SchoolTerm.from_key(key) if key else now.previous()


def _quoted(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@dataclass
class CoverageTable:
    """The sorted schools of ``coverage_page``: a sequence the shared pager slices.

    ``len()`` / ``count()`` is the number of schools (given by the page's figures, or one
    ``COUNT`` over the eligible roll-up); a slice is one query with ``LIMIT``/``OFFSET``.
    """

    actor: Actor
    filters: CoverageFilters
    sort: str = DEFAULT_SORT
    institution_ids: Sequence[int] | None = None
    known_count: int | None = None
    ordered: bool = True  # the pager checks this

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            self.sort = DEFAULT_SORT
        self._eligibility = selectors._eligibility(self.actor, self.filters)
        self._distribution: list[tuple[str, int]] | None = None
        self._named = False

    def _inner(self) -> tuple[str, list[Any], str, list[Any]]:
        eligible = selectors.eligible_by_institution_qs(self.actor, self.filters, self._eligibility)
        self._named = "iname" in eligible.query.annotations
        if self.institution_ids is not None:
            eligible = eligible.filter(inst__in=list(self.institution_ids))
        exchanged = selectors.exchanged_by_institution_qs(
            self.actor, self.filters, self._eligibility
        )
        e_sql, e_params = eligible.query.sql_with_params()
        x_sql, x_params = exchanged.query.sql_with_params()
        return e_sql, list(e_params), x_sql, list(x_params)

    def _sql(self, ordered: bool = True) -> tuple[str, list[Any]]:
        """The table's query: one row per school, ordered by the sort unless ``ordered`` is
        false (a query around it groups the rows)."""
        e_sql, e_params, x_sql, x_params = self._inner()
        if self._named:
            names, joins = "e.iname AS name, e.rname AS region", ""
        else:
            names = "i.name AS name, r.name AS region"
            joins = (
                f"JOIN {_quoted(Institution)} i ON i.id = e.inst "
                f"JOIN {_quoted(Region)} r ON r.id = i.region_id"
            )
        gap = rotation_rule.shortfall_sql("t.eligible", "t.rotated", "t.backbone_rotated")
        sql = f"""
            SELECT u.* FROM (
                SELECT t.*, {gap} AS gap,
                       CAST(t.rotated AS DOUBLE PRECISION) / t.eligible AS rotated_share,
                       CAST(t.completed AS DOUBLE PRECISION) / t.eligible AS share
                FROM (
                    SELECT e.inst AS id, {names}, e.n AS eligible,
                           COALESCE(x.completed, 0) AS completed,
                           COALESCE(x.rotated, 0) AS rotated,
                           COALESCE(x.backbone_rotated, 0) AS backbone_rotated
                    FROM ({e_sql}) e
                    {joins}
                    LEFT JOIN ({x_sql}) x ON x.inst = e.inst
                    WHERE e.n > 0
                ) t
            ) u
        """
        if ordered:
            sql += f" ORDER BY {SORTS[self.sort][1]}"
        return sql, [*e_params, *x_params]

    def count(self) -> int:
        if self.known_count is not None:
            return self.known_count
        e_sql, e_params, _x, _p = self._inner()
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM ({e_sql}) e WHERE e.n > 0", e_params)
            self.known_count = int(cur.fetchone()[0])
        return self.known_count

    def _bin_sql(self, gap: str) -> str:
        bins = " ".join(
            f"WHEN {gap} <= {high} THEN {i}" for i, (_label, high) in enumerate(GAP_BINS[:-1])
        )
        return f"CASE {bins} ELSE {len(GAP_BINS) - 1} END"

    def _bin_range(self, gap: str, i: int) -> str:
        """The condition of gap bin ``i`` (above the previous bin's top, up to its own)."""
        parts = []
        if i > 0:
            parts.append(f"{gap} > {GAP_BINS[i - 1][1]}")
        if i < len(GAP_BINS) - 1:
            parts.append(f"{gap} <= {GAP_BINS[i][1]}")
        return " AND ".join(parts)

    def _labelled(self, found: dict[int, int]) -> list[tuple[str, int]]:
        return [(str(label), int(found.get(i, 0))) for i, (label, _high) in enumerate(GAP_BINS)]

    def gap_distribution(self) -> list[tuple[str, int]]:
        """How many schools are how far from the rule: met, 1, 2–5, 6–10, 11–20, more than
        20 teachers short, over the whole table, not the page. A page read before carries
        these counts already (window columns of the same pass); otherwise one ``GROUP BY``.
        """
        if self._distribution is not None:
            return self._distribution
        sql, params = self._sql(ordered=False)
        grouped = f"SELECT {self._bin_sql('g.gap')} AS bin, COUNT(*) FROM ({sql}) g GROUP BY 1"
        with connection.cursor() as cur:
            cur.execute(grouped, params)
            self._distribution = self._labelled(dict(cur.fetchall()))
        return self._distribution

    def __len__(self) -> int:
        return self.count()

    def _rows(self, limit: int | None = None, offset: int = 0) -> Iterator[dict[str, Any]]:
        sql, params = self._sql()
        if limit is not None:
            # A page also counts the whole table per gap bin, in the same pass (the table is
            # built once either way; a second query for the distribution would build it
            # again).
            counts = ", ".join(
                f"COUNT(*) FILTER (WHERE {self._bin_range('u.gap', i)}) OVER () AS bin_{i}"
                for i in range(len(GAP_BINS))
            )
            sql = sql.replace("SELECT u.* FROM", f"SELECT u.*, {counts} FROM", 1)
            sql += " LIMIT %s OFFSET %s"
            params += [limit, offset]
        with connection.cursor() as cur:
            cur.execute(sql, params)
            names = [c[0] for c in cur.description]
            while batch := cur.fetchmany(1000):
                for values in batch:
                    v = dict(zip(names, values, strict=True))
                    if limit is not None and self._distribution is None:
                        found = {i: int(v[f"bin_{i}"] or 0) for i in range(len(GAP_BINS))}
                        self._distribution = self._labelled(found)
                    yield _row(v)

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("a coverage table is read in slices")
        start = index.start or 0
        if index.stop is not None and index.stop <= start:
            return []
        limit = None if index.stop is None else index.stop - start
        return list(self._rows(limit, start))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Every row in order, read in batches (an export)."""
        return self._rows()


def _row(v: dict[str, Any]) -> dict[str, Any]:
    x = {k: int(v[k]) for k in ("completed", "rotated", "backbone_rotated")}
    row = selectors._coverage_row(int(v["id"]), v["name"], int(v["eligible"]), x)
    row["region"] = v["region"]
    return row


def coverage_page_table(
    actor: Actor, filters: CoverageFilters, sort: str = DEFAULT_SORT, count: int | None = None
) -> CoverageTable:
    """Every school of the viewer's scope and area with eligible teachers, sorted by
    ``sort`` (a key of :data:`SORTS`); hand it to ``core.paging.paginate``."""
    return CoverageTable(actor, filters, sort, known_count=count)


def coverage_figures(actor: Actor, filters: CoverageFilters) -> dict[str, Any]:
    """The page's totals: schools, eligible and completed teachers, full coverage, below
    the rule (no rows: the table pages those)."""
    summary = selectors.coverage_summary(actor, filters, limit=0)
    return {k: summary[k] for k in ("count", "total", "full", "flagged")}


def compare(actor: Actor, a_id: int, b_id: int, terms: TermSpan) -> dict[str, Any]:
    """Two schools side by side over the same period: each one's coverage row (None when it
    has no eligible teachers in the viewer's scope) and the exchanges between them."""
    table = CoverageTable(actor, CoverageFilters(terms=terms), "name", institution_ids=[a_id, b_id])
    rows = {r["institution_id"]: r for r in table[0:2]}
    return {
        "a": rows.get(a_id),
        "b": rows.get(b_id),
        "reciprocity": selectors.reciprocity(actor, a_id, b_id, terms),
    }
