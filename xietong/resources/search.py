"""The catalogue's search: the index and the query, on each database's own full-text machinery.

The document of a resource (``search_text.document``) is one ``SearchEntry`` row, written
by :func:`index` inside the services' transactions and rebuilt by :func:`reindex_all`
(``xietong resources reindex``). A term of a query must match (all terms, AND):

=================  ==========================================  ============================
term               SQLite                                      PostgreSQL
=================  ==========================================  ============================
Chinese, 1–2 chars its token in FTS5 (exact)                   its token in the GIN tsvector
Chinese, 3+ chars  its bigrams in FTS5, then ``LIKE`` on the   ``LIKE '%q%'`` on title or
                   candidates (exact)                          description, pg_trgm GIN
mixed (初二3班)    its Chinese bigrams, then ``LIKE``          the same
Latin (pinyin,     its token (pinyin and initials of every     ``'q'`` in the tsvector
initials, words)   run of up to 6 characters are tokens)
=================  ==========================================  ============================

so a Chinese query finds exactly what ``LIKE '%q%'`` on title and description finds. The
result is ``qs`` filtered (its scope is kept), annotated with ``search_rank`` (how many
terms match in the title) and ordered by it, then by uses, lesson uses and id. Whether a
term is in the title is asked of the resource's title tokens (``Resource.search_title``),
GIN-indexed on PostgreSQL: a page of a one-term search there reads the title matches in
use order and stops when the page is full (:func:`ranked_ids`, :class:`Ranked`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, overload

from django.db import connections, router, transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from xietong.core import bulk
from xietong.core.codes import STAGES, SUBJECTS
from xietong.core.delimited import unpack
from xietong.resources import search_text
from xietong.resources.choices import Edition
from xietong.resources.models import Resource, ResourceAuthor
from xietong.resources.search_models import SearchEntry
from xietong.resources.search_text import Query, Term, analyse

__all__ = ["Ranked", "analyse", "index", "matching", "ranked_ids", "reindex_all", "search"]

SQLITE_TRIGGERS = [
    "CREATE TRIGGER resources_search_ai AFTER INSERT ON resources_searchentry BEGIN "
    "INSERT INTO resources_search_fts(rowid, tokens) VALUES (new.resource_id, new.tokens); END",
    "CREATE TRIGGER resources_search_ad AFTER DELETE ON resources_searchentry BEGIN "
    "INSERT INTO resources_search_fts(resources_search_fts, rowid, tokens) "
    "VALUES ('delete', old.resource_id, old.tokens); END",
    "CREATE TRIGGER resources_search_au AFTER UPDATE ON resources_searchentry BEGIN "
    "INSERT INTO resources_search_fts(resources_search_fts, rowid, tokens) "
    "VALUES ('delete', old.resource_id, old.tokens); "
    "INSERT INTO resources_search_fts(rowid, tokens) VALUES (new.resource_id, new.tokens); END",
]
PG_TOKENS_INDEX = "CREATE INDEX resources_search_tokens ON resources_searchentry USING gin (tokens)"
PG_TITLE_INDEX = "CREATE INDEX resource_search_title ON resources_resource USING gin (search_title)"

# --- the index ----------------------------------------------------------------------------


def _edition_word(code: str) -> str:
    label = str(dict(Edition.choices).get(code, "")) if code else ""
    return label.split(" (")[0]


def _labels(row: dict[str, Any], provider_name: str) -> list[str]:
    """The names a resource is also found by (in pinyin): subjects, stages, kind, edition,
    grade, provider."""
    out = [SUBJECTS.label(c, "zh-hans") for c in unpack(row["subjects"])]
    out += [STAGES.label(c, "zh-hans") for c in unpack(row["stages"])]
    out += [search_text.KIND_WORDS.get(row["kind"], ""), _edition_word(row["edition"])]
    out += [row["grade"], provider_name]
    return [x for x in out if x]


_FIELDS = ("id", "title", "description", "kind", "stages", "subjects", "edition", "grade")


def _documents(rows: list[dict[str, Any]], using: str) -> list[tuple[int, str, str]]:
    from xietong.institutions.models import Institution

    ids = [r["id"] for r in rows]
    names: dict[int, list[str]] = {}
    for rid, name in (
        ResourceAuthor.objects.using(using)
        .filter(resource_id__in=ids)
        .order_by("resource_id", "order", "id")
        .values_list("resource_id", "staff__name")
    ):
        names.setdefault(rid, []).append(name)
    providers = dict(
        Institution.objects.using(using)
        .filter(pk__in={r["provider_id"] for r in rows})
        .values_list("pk", "name")
    )
    postgres = connections[using].vendor == "postgresql"
    out = []
    for r in rows:
        doc = search_text.document(
            r["title"],
            r["description"],
            labels=_labels(r, providers.get(r["provider_id"], "")),
            names=names.get(r["id"], ()),
        )
        if postgres:
            keys = " ".join(facet_keys(r))
            out.append((r["id"], f"{doc.tokens} {keys}", f"{doc.title_tokens}{keys} "))
        else:
            out.append((r["id"], doc.tokens, doc.title_tokens))
    return out


FACETS = ("kind", "stage", "subject", "edition")


def facet_key(facet: str, value: str) -> str:
    """The index token of a facet's value on PostgreSQL: ``_subject_14``. A query term
    never holds ``_``, so no search text can ask for one."""
    return f"_{facet}_{value}"


def facet_keys(row: dict[str, Any]) -> list[str]:
    """The facet tokens of a resource row (kind, stages, subjects, edition)."""
    keys = [facet_key("kind", row["kind"])]
    keys += [facet_key("stage", c) for c in unpack(row["stages"])]
    keys += [facet_key("subject", c) for c in unpack(row["subjects"])]
    if row["edition"]:
        keys.append(facet_key("edition", row["edition"]))
    return keys


def index(resource: Resource) -> None:
    """Write the resource's index row (call inside the transaction that changed it)."""
    using = resource._state.db or router.db_for_write(Resource)
    row = {f: getattr(resource, f) for f in _FIELDS}
    row["provider_id"] = resource.provider_id
    [(pk, tokens, title)] = _documents([row], using)
    SearchEntry.objects.using(using).update_or_create(resource_id=pk, defaults={"tokens": tokens})
    Resource.objects.using(using).filter(pk=pk).update(search_title=title)
    resource.search_title = title


def _chunks(using: str, size: int, ids: Iterable[int] | None) -> Iterator[list[dict[str, Any]]]:
    base = Resource.objects.using(using).order_by("pk").values(*_FIELDS, "provider_id")
    if ids is not None:
        wanted = sorted(set(ids))
        for i in range(0, len(wanted), size):
            yield list(base.filter(pk__in=wanted[i : i + size]))
        return
    last = 0
    while rows := list(base.filter(pk__gt=last)[:size]):
        yield rows
        last = rows[-1]["id"]


def reindex_all(
    *,
    progress: Callable[[int], object] | None = None,
    batch_size: int = 5000,
    using: str | None = None,
) -> int:
    """Rebuild the whole index in one transaction; returns the resources indexed.

    The index's own structures are set aside while the rows are written (PostgreSQL: the
    GIN index dropped and built again; SQLite: the FTS5 triggers dropped and the table
    rebuilt from its content), which is several times faster than keeping them current
    row by row. ``progress(n)`` is called after each batch of n resources.
    """
    using = using or router.db_for_write(Resource)
    conn = connections[using]
    total = 0
    with transaction.atomic(using=using), conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute("DROP INDEX IF EXISTS resources_search_tokens")
            cur.execute("DROP INDEX IF EXISTS resource_search_title")
            cur.execute("TRUNCATE resources_searchentry")
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        else:
            for name in ("ai", "ad", "au"):
                cur.execute(f"DROP TRIGGER IF EXISTS resources_search_{name}")
            cur.execute("DELETE FROM resources_searchentry")
        for rows in _chunks(using, batch_size, None):
            _write(_documents(rows, using), using)
            total += len(rows)
            if progress is not None:
                progress(len(rows))
        if conn.vendor == "postgresql":
            # the COPY's deferred foreign-key checks must run before an index is built
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute(PG_TOKENS_INDEX)
            cur.execute(PG_TITLE_INDEX)
        else:
            cur.execute("INSERT INTO resources_search_fts(resources_search_fts) VALUES ('rebuild')")
            for sql in SQLITE_TRIGGERS:
                cur.execute(sql)
    bulk.analyze([SearchEntry], using=using)
    return total


def index_ids(ids: Iterable[int], *, using: str | None = None, batch_size: int = 5000) -> int:
    """(Re)index the given resources in batches (the bulk path of a loader)."""
    using = using or router.db_for_write(Resource)
    total = 0
    with transaction.atomic(using=using):
        for rows in _chunks(using, batch_size, ids):
            docs = _documents(rows, using)
            SearchEntry.objects.using(using).filter(resource_id__in=[d[0] for d in docs]).delete()
            _write(docs, using)
            total += len(docs)
    return total


def _write(docs: list[tuple[int, str, str]], using: str) -> None:
    """The index rows (COPY on PostgreSQL) and the resources' title tokens of ``docs``."""
    bulk.insert(SearchEntry, ["resource_id", "tokens"], [d[:2] for d in docs], using=using)
    bulk.update(Resource, ["search_title"], [(d[0], d[2]) for d in docs], using=using)


# --- the query ----------------------------------------------------------------------------

# the order among matches of the same rank (index ``resource_use_order`` holds it)
USE_ORDER = ("-uses", "-lesson_uses", "-id")


def _index_tokens(term: Term, postgres: bool) -> list[tuple[str, bool]]:
    """The tokens (and whether as a prefix) the index must hold for ``term``."""
    if term.latin:
        return [(term.text, False)]  # pinyin spans and words are whole tokens
    out: list[tuple[str, bool]] = []
    for run in term.runs:
        if postgres and term.kind == "chinese" and len(run) >= 3:
            continue  # pg_trgm on the text answers it
        out.extend((g, False) for g in search_text.query_grams(run))
    return out


def _text_condition(term: Term, postgres: bool) -> Q | None:
    """The check against title and description a term needs beyond the index."""
    if term.kind == "chinese" and len(term.text) >= 3:
        return Q(title__contains=term.text) | Q(description__contains=term.text)
    if term.kind == "mixed":
        return Q(title__icontains=term.text) | Q(description__icontains=term.text)
    return None


def _title_condition(term: Term, postgres: bool, facets: Sequence[str] = ()) -> Q:
    """Whether the title holds ``term`` (exactly what a substring check says for Chinese).

    On PostgreSQL the title's tokens answer it through their GIN index: every gram of a
    Chinese run (or the Latin token) must be among them, with the ``facets`` tokens the
    page filters on, and a run of 3+ characters is then checked with ``LIKE`` on the
    title (its grams are necessary, not sufficient).
    """
    if postgres:
        grams = [g for run in term.runs for g in search_text.query_grams(run)]
        tokens = [term.text] if term.latin else grams
        q = Q(search_title__tsmatch=_tsquery([(t, False) for t in [*tokens, *facets]]))
        if term.kind == "mixed":
            q &= Q(title__icontains=term.text)
        elif term.kind == "chinese" and len(term.text) >= 3:
            q &= Q(title__contains=term.text)
        return q
    if term.kind == "chinese":
        return Q(title__contains=term.text)
    if term.kind == "mixed":
        return Q(title__icontains=term.text)
    return Q(search_title__contains=f" {term.text} ")


def _fts5(tokens: list[tuple[str, bool]]) -> str:
    # every token is quoted; they hold only Chinese characters and [0-9a-z]
    return " AND ".join(f'"{t}"' + ("*" if prefix else "") for t, prefix in tokens)


def _tsquery(tokens: list[tuple[str, bool]]) -> str:
    return " & ".join(f"'{t}'" + (":*" if prefix else "") for t, prefix in tokens)


def _query(text: str | Query) -> Query:
    return text if isinstance(text, Query) else analyse(text)


def _postgres(qs: QuerySet[Resource]) -> bool:
    return connections[qs.db].vendor == "postgresql"


def _facet_tokens(facets: Mapping[str, str] | None) -> list[str]:
    return [facet_key(k, v) for k, v in (facets or {}).items() if k in FACETS and v]


def matching(
    qs: QuerySet[Resource], text: str | Query, *, facets: Mapping[str, str] | None = None
) -> QuerySet[Resource]:
    """The rows of ``qs`` that match ``text``, unordered and unranked (for counts, facets).

    Every term must match (AND). A text with nothing to search (only punctuation,
    operators) matches no row: check ``analyse(text).empty`` to say so. ``facets``
    (``{"subject": "14"}``) repeats filters ``qs`` already has, for the index to apply
    with the terms on PostgreSQL (where otherwise it would take each filter for
    independent of the terms).
    """
    query = _query(text)
    if query.empty:
        return qs.none()
    postgres = _postgres(qs)
    tokens: list[tuple[str, bool]] = []
    for term in query.terms:
        tokens.extend(_index_tokens(term, postgres))
        if (cond := _text_condition(term, postgres)) is not None:
            qs = qs.filter(cond)
    tokens = list(dict.fromkeys(tokens))
    if not tokens:
        return qs
    if postgres:
        tokens += [(t, False) for t in _facet_tokens(facets)]
        return qs.filter(search_entry__tokens__tsmatch=_tsquery(tokens))
    return qs.filter(
        pk__in=RawSQL(
            "SELECT rowid FROM resources_search_fts WHERE resources_search_fts MATCH %s",
            [_fts5(tokens)],
        )
    )


def search(qs: QuerySet[Resource], text: str | Query) -> QuerySet[Resource]:
    """The rows of ``qs`` that match ``text``, best first.

    ``qs`` is narrowed, never widened: its filters (the actor's scope, the page's
    facets) stay. Annotated with ``search_rank`` (terms found in the title) and ordered
    by ``-search_rank``, then :data:`USE_ORDER` (uses, lesson uses, ``-id``). For a page
    of it, :func:`ranked_ids` gives the same ids faster on PostgreSQL.
    """
    query = _query(text)
    postgres = _postgres(qs)
    rank: Any = Value(0, output_field=IntegerField())
    for term in query.terms:
        rank = rank + Case(
            When(_title_condition(term, postgres), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return matching(qs, query).annotate(search_rank=rank).order_by("-search_rank", *USE_ORDER)


# how many of the most used rows a page first looks among for its matches
PROBE = 2000


def _in_use_order(
    qs: QuerySet[Resource], indexed: QuerySet[Resource], probe: Q | None, stop: int
) -> list[int]:
    """The first ``stop`` ids of ``indexed`` (``qs`` narrowed by a search condition), in
    :data:`USE_ORDER`.

    With a ``probe`` (the same condition, asked row by row), first along the use-order
    index: the rows of ``qs`` from the most used down, each checked, stopping at the
    ``stop``-th match or after PROBE rows; a common term fills a page after a few
    hundred rows. Else, or if the probe ends short, through ``indexed``'s own indexes,
    sorting what they find; its order is written as an expression so that the planner
    cannot walk the use-order index instead (taking filters and terms for independent,
    it could read every row to find none).
    """
    if probe is not None:
        hit = Case(When(probe, then=Value(1)), default=Value(0), output_field=IntegerField())
        ranked = qs.annotate(search_hit=hit).order_by(*USE_ORDER)
        top = ranked.values_list("id", "uses", "lesson_uses", "search_hit")[:PROBE]
        sql, params = top.query.sql_with_params()
        with connections[qs.db].cursor() as cur:
            cur.execute(
                f"SELECT t.id FROM ({sql}) t WHERE t.search_hit = 1 "
                "ORDER BY t.uses DESC, t.lesson_uses DESC, t.id DESC LIMIT %s",
                [*params, stop],
            )
            ids = [row[0] for row in cur.fetchall()]
        if len(ids) >= stop:
            return ids
    order = [(F(c.lstrip("-")) + 0).desc() for c in USE_ORDER]
    return list(indexed.order_by(*order).values_list("id", flat=True)[:stop])


def _title_probe(term: Term, title: Q) -> Q:
    """The title condition asked row by row: for Chinese the title itself answers faster
    than its tokens."""
    return title if term.latin else _title_condition(term, False)


def _other_probe(term: Term) -> Q:
    """Whether a row outside the title matches, asked row by row."""
    if term.kind == "chinese":  # outside the title, it can only be in the description
        return Q(description__contains=term.text)
    tokens = _tsquery(_index_tokens(term, True))
    entry = SearchEntry.objects.filter(resource_id=OuterRef("pk"), tokens__tsmatch=tokens)
    return Q(Exists(entry))


def ranked_ids(
    qs: QuerySet[Resource],
    text: str | Query,
    start: int,
    stop: int,
    *,
    facets: Mapping[str, str] | None = None,
) -> list[int]:
    """``search(qs, text)[start:stop]`` as ids, read without sorting every match where it can.

    A one-term query on PostgreSQL is read in two steps, each through
    :func:`_in_use_order`: the title matches, then, only if they do not fill the page,
    the other matches. Its cost then follows the page, not the number of matches.
    ``facets`` as for :func:`matching`. Other queries slice :func:`search`.
    """
    query = _query(text)
    if query.empty or stop <= start:
        return []
    if len(query.terms) != 1 or not _postgres(qs):
        return list(search(qs, query).values_list("id", flat=True)[start:stop])
    term = query.terms[0]
    keys = _facet_tokens(facets)
    title = _title_condition(term, True)
    indexed = qs.filter(_title_condition(term, True, keys))
    # with facets, which the index intersects with the term, the index answers first
    ids = _in_use_order(qs, indexed, None if keys else _title_probe(term, title), stop)
    if len(ids) < stop:
        others = qs.exclude(title)
        indexed = matching(others, query, facets=facets)
        probe = None if keys else _other_probe(term)
        ids += _in_use_order(others, indexed, probe, stop - len(ids))
    return ids[start:stop]


class Ranked:
    """The matches of a search in rank order, as a paginator reads them: ``count()`` counts
    the matches, a slice reads its ids with :func:`ranked_ids` and then its rows from
    ``qs`` (with its annotations and related rows), in rank order."""

    def __init__(
        self,
        qs: QuerySet[Resource],
        text: str | Query,
        *,
        facets: Mapping[str, str] | None = None,
    ) -> None:
        self.qs = qs
        self.query = _query(text)
        self.facets = facets

    def count(self) -> int:
        return matching(self.qs.order_by(), self.query, facets=self.facets).count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Resource]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, key: int) -> Resource: ...

    @overload
    def __getitem__(self, key: slice) -> list[Resource]: ...

    def __getitem__(self, key: int | slice) -> Resource | list[Resource]:
        if isinstance(key, int):
            found = self[key : key + 1]
            if key < 0 or not found:
                raise IndexError(key)
            return found[0]
        if key.step not in (None, 1) or (key.start or 0) < 0 or (key.stop or 0) < 0:
            raise TypeError("Ranked search results are read in forward slices.")
        start = key.start or 0
        stop = key.stop if key.stop is not None else self.count()
        ids = ranked_ids(self.qs.order_by(), self.query, start, stop, facets=self.facets)
        rows = {r.pk: r for r in self.qs.filter(pk__in=ids).order_by()}
        return [rows[pk] for pk in ids if pk in rows]
