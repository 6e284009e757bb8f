"""The catalogue's search index: SearchEntry, and per database its full-text machinery.

SQLite: an FTS5 table (unicode61 over the prepared tokens) with SearchEntry as external
content, kept by triggers. PostgreSQL: GIN over the tokens tsvector, and pg_trgm (made
here, since pytest-django's test database gets only what migrations make) with GIN
trigram indexes on the title and the description for substrings of 3+ characters.
"""

import django.db.models.deletion
import xietong.resources.search_models
from django.db import migrations, models

from xietong.resources.search import SQLITE_TRIGGERS

SQLITE_UP = [
    "CREATE VIRTUAL TABLE resources_search_fts USING fts5(tokens, "
    "content='resources_searchentry', content_rowid='resource_id', "
    "tokenize='unicode61 remove_diacritics 0')",
    *SQLITE_TRIGGERS,
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS resources_search_ai",
    "DROP TRIGGER IF EXISTS resources_search_ad",
    "DROP TRIGGER IF EXISTS resources_search_au",
    "DROP TABLE IF EXISTS resources_search_fts",
]
PG_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX resources_search_tokens ON resources_searchentry USING gin (tokens)",
    "CREATE INDEX resource_title_trgm ON resources_resource USING gin (title gin_trgm_ops)",
    "CREATE INDEX resource_description_trgm ON resources_resource "
    "USING gin (description gin_trgm_ops)",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS resource_description_trgm",
    "DROP INDEX IF EXISTS resource_title_trgm",
    "DROP INDEX IF EXISTS resources_search_tokens",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "resource",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="resources.resource",
                    ),
                ),
                ("tokens", xietong.resources.search_models.TokensField(default="")),
                ("title_keys", models.TextField(default="")),
            ],
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        ),
    ]
