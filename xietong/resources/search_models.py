"""The catalogue's search index rows (kept by :mod:`xietong.resources.search`).

One row per resource. ``tokens`` is the document of ``search_text.document``: a
``tsvector`` on PostgreSQL (GIN-indexed, the ``simple`` way: tokens as they are), text on
SQLite, where an FTS5 ``unicode61`` table over it (external content, kept by triggers)
is the index. Both are made by migration 0002.
"""

from __future__ import annotations

from typing import Any

from django.db import NotSupportedError, models


class TokensField(models.TextField):
    """Text on SQLite, ``tsvector`` on PostgreSQL (a space-separated token list is a valid
    tsvector literal when the tokens are plain words, which ``search_text`` guarantees)."""

    def db_type(self, connection: Any) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


@TokensField.register_lookup
class TsMatch(models.Lookup):
    """``tokens__tsmatch=tsquery``: the tsvector matches a tsquery literal (PostgreSQL)."""

    lookup_name = "tsmatch"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if connection.vendor != "postgresql":
            raise NotSupportedError("tokens__tsmatch needs PostgreSQL; SQLite uses FTS5.")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ ({rhs})::tsquery", [*lhs_params, *rhs_params]


class SearchEntry(models.Model):
    resource = models.OneToOneField(
        "resources.Resource",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_entry",
    )
    tokens = TokensField(default="")

    class Meta:
        app_label = "resources"

    def __str__(self) -> str:
        return f"{self.resource_id}"
