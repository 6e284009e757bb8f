"""The title's search tokens move from the index row to the resource (``search_title``).

On PostgreSQL they are a GIN-indexed tsvector beside the use counts, so that the first
page of a search reads the title matches in use order (index ``resource_use_order``) and
stops when the page is full, instead of sorting every match. Existing rows get their
title tokens here; undone, the index rows get them back as their title keys.
"""

import xietong.resources.search_models
from django.db import migrations, models

BATCH = 2000


def fill_title_tokens(apps, schema_editor):
    from xietong.resources.search_text import title_tokens

    Resource = apps.get_model("resources", "Resource")
    db = schema_editor.connection.alias
    last = 0
    while rows := list(Resource.objects.using(db).filter(pk__gt=last).order_by("pk")[:BATCH]):
        for row in rows:
            row.search_title = title_tokens(row.title)
        Resource.objects.using(db).bulk_update(rows, ["search_title"], batch_size=500)
        last = rows[-1].pk


def title_keys_back(apps, schema_editor):
    from xietong.resources.search_text import title_tokens

    Resource = apps.get_model("resources", "Resource")
    SearchEntry = apps.get_model("resources", "SearchEntry")
    db = schema_editor.connection.alias
    for pk, title in Resource.objects.using(db).values_list("pk", "title").iterator():
        SearchEntry.objects.using(db).filter(resource_id=pk).update(title_keys=title_tokens(title))


def _pg(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0002_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="resource",
            name="search_title",
            field=xietong.resources.search_models.TokensField(default="", editable=False),
        ),
        migrations.RunPython(fill_title_tokens, title_keys_back),
        migrations.RemoveField(
            model_name="searchentry",
            name="title_keys",
        ),
        migrations.AddIndex(
            model_name="resource",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["-uses", "-lesson_uses", "-id"],
                name="resource_use_order",
            ),
        ),
        migrations.RunPython(
            _pg(
                "CREATE INDEX resource_search_title ON resources_resource USING gin (search_title)"
            ),
            _pg("DROP INDEX IF EXISTS resource_search_title"),
        ),
    ]
