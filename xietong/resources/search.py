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
terms match in the title) and ordered by it, then by uses, lesson uses, rating and id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, NullIf

from xietong.core import bulk
from xietong.core.codes import STAGES, SUBJECTS
from xietong.core.delimited import unpack
from xietong.resources import search_text
from xietong.resources.choices import Edition
from xietong.resources.models import Resource, ResourceAuthor
from xietong.resources.search_models import SearchEntry
from xietong.resources.search_text import Query, Term, analyse

__all__ = ["analyse", "index", "reindex_all", "search"]

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
    out = []
    for r in rows:
        doc = search_text.document(
            r["title"],
            r["description"],
            labels=_labels(r, providers.get(r["provider_id"], "")),
            names=names.get(r["id"], ()),
        )
        out.append((r["id"], doc.tokens, doc.title_keys))
    return out


def index(resource: Resource) -> None:
    """Write the resource's index row (call inside the transaction that changed it)."""
    using = resource._state.db or router.db_for_write(Resource)
    row = {f: getattr(resource, f) for f in _FIELDS}
    row["provider_id"] = resource.provider_id
    [(pk, tokens, keys)] = _documents([row], using)
    SearchEntry.objects.using(using).update_or_create(
        resource_id=pk, defaults={"tokens": tokens, "title_keys": keys}
    )


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
            cur.execute("TRUNCATE resources_searchentry")
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        else:
            for name in ("ai", "ad", "au"):
                cur.execute(f"DROP TRIGGER IF EXISTS resources_search_{name}")
            cur.execute("DELETE FROM resources_searchentry")
        for rows in _chunks(using, batch_size, None):
            docs = _documents(rows, using)
            bulk.insert(SearchEntry, ["resource_id", "tokens", "title_keys"], docs, using=using)
            total += len(docs)
            if progress is not None:
                progress(len(docs))
        if conn.vendor == "postgresql":
            # the COPY's deferred foreign-key checks must run before an index is built
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute(PG_TOKENS_INDEX)
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
            bulk.insert(SearchEntry, ["resource_id", "tokens", "title_keys"], docs, using=using)
            total += len(docs)
    return total


# --- the query ----------------------------------------------------------------------------


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


def _title_condition(term: Term) -> Q:
    if term.kind == "chinese":
        return Q(title__contains=term.text)
    if term.kind == "mixed":
        return Q(title__icontains=term.text)
    return Q(search_entry__title_keys__contains=f" {term.text} ")


def _fts5(tokens: list[tuple[str, bool]]) -> str:
    # every token is quoted; they hold only Chinese characters and [0-9a-z]
    return " AND ".join(f'"{t}"' + ("*" if prefix else "") for t, prefix in tokens)


def _tsquery(tokens: list[tuple[str, bool]]) -> str:
    return " & ".join(f"'{t}'" + (":*" if prefix else "") for t, prefix in tokens)


def search(qs: QuerySet[Resource], text: str | Query) -> QuerySet[Resource]:
    """The rows of ``qs`` that match ``text``, best first.

    ``qs`` is narrowed, never widened: its filters (the actor's scope, the page's
    facets) stay. Annotated with ``search_rank`` (terms found in the title) and ordered
    by ``-search_rank``, uses, lesson uses, rating, ``-id``. A text with nothing to
    search (only punctuation, operators) gives no rows: check ``analyse(text).empty``
    to say so. For facet counts, clear the ordering first:
    ``search(qs, q).order_by().values("kind").annotate(n=Count("id"))``.
    """
    query = text if isinstance(text, Query) else analyse(text)
    if query.empty:
        return qs.none().annotate(search_rank=Value(0, output_field=IntegerField()))
    vendor = connections[qs.db].vendor
    postgres = vendor == "postgresql"
    tokens: list[tuple[str, bool]] = []
    for term in query.terms:
        tokens.extend(_index_tokens(term, postgres))
        if (cond := _text_condition(term, postgres)) is not None:
            qs = qs.filter(cond)
    tokens = list(dict.fromkeys(tokens))
    if tokens:
        if postgres:
            qs = qs.filter(search_entry__tokens__tsmatch=_tsquery(tokens))
        else:
            qs = qs.filter(
                pk__in=RawSQL(
                    "SELECT rowid FROM resources_search_fts WHERE resources_search_fts MATCH %s",
                    [_fts5(tokens)],
                )
            )
    rank: Any = Value(0, output_field=IntegerField())
    for term in query.terms:
        rank = rank + Case(
            When(_title_condition(term), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    rating = Coalesce(
        Cast("rating_sum", FloatField()) / NullIf(F("rating_count"), 0),
        Value(0.0),
        output_field=FloatField(),
    )
    return qs.annotate(search_rank=rank, search_rating=rating).order_by(
        "-search_rank", "-uses", "-lesson_uses", "-search_rating", "-id"
    )
