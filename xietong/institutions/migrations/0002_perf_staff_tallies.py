"""Staff tallies (the roll-up of staff per institution and position), the staff list's order
index and, on PostgreSQL, trigram indexes for searching staff and institution names.

See docs/decisions/0010-staff-tallies.md.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import DatabaseError, migrations, models, transaction

TRIGRAM_INDEXES = {
    "staff_name_trgm": ("institutions_staff", "name"),
    "institution_name_trgm": ("institutions_institution", "name"),
    "institution_name_en_trgm": ("institutions_institution", "name_en"),
}


def trigram_indexes(apps, schema_editor):
    """``icontains`` on PostgreSQL is ``UPPER(col) LIKE UPPER('%…%')``: index that expression.

    pg_trgm is a trusted extension (the database owner may create it); where it cannot be
    created the search works as before, by a scan.
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(), schema_editor.connection.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return
    with schema_editor.connection.cursor() as cur:
        for name, (table, column) in TRIGRAM_INDEXES.items():
            cur.execute(
                f'CREATE INDEX IF NOT EXISTS {name} ON "{table}" '
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        for name in TRIGRAM_INDEXES:
            cur.execute(f"DROP INDEX IF EXISTS {name}")


def count_existing_staff(apps, schema_editor):
    """Fill the tallies from the staff already there (the same sums the services keep)."""
    from collections import Counter, defaultdict

    Staff = apps.get_model("institutions", "Staff")
    Institution = apps.get_model("institutions", "Institution")
    StaffTally = apps.get_model("institutions", "StaffTally")
    RegionTally = apps.get_model("institutions", "RegionTally")
    RegionMix = apps.get_model("institutions", "RegionMix")
    Region = apps.get_model("regions", "Region")
    places = {
        pk: (r, p) for pk, r, p in Institution.objects.values_list("pk", "region_id", "region_path")
    }
    paths = dict(Region.objects.values_list("pk", "path"))
    counts = Counter(
        Staff.objects.values_list("institution_id", "position").iterator(chunk_size=20000)
    )
    StaffTally.objects.bulk_create(
        (
            StaffTally(
                institution_id=i,
                position=p,
                staff=n,
                region_id=places[i][0],
                region_path=places[i][1],
            )
            for (i, p), n in counts.items()
        ),
        batch_size=5000,
    )
    per_region: Counter = Counter()
    held: dict = defaultdict(set)
    for (i, p), n in counts.items():
        per_region[(places[i][0], p)] += n
        held[i].add(p)
    RegionTally.objects.bulk_create(
        (
            RegionTally(region_id=r, region_path=paths[r], position=p, staff=n)
            for (r, p), n in per_region.items()
        ),
        batch_size=5000,
    )
    mixes = Counter((places[i][0], "," + ",".join(sorted(ps)) + ",") for i, ps in held.items())
    RegionMix.objects.bulk_create(
        (
            RegionMix(region_id=r, region_path=paths[r], positions=k, institutions=n)
            for (r, k), n in mixes.items()
        ),
        batch_size=5000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("institutions", "0001_initial"),
        ("regions", "0002_load_regions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RegionMix",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region_path", models.CharField(max_length=40)),
                ("positions", models.CharField(max_length=120)),
                ("institutions", models.PositiveIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="RegionTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region_path", models.CharField(max_length=40)),
                (
                    "position",
                    models.CharField(
                        choices=[
                            ("teacher", "Teacher"),
                            ("principal", "Principal"),
                            ("vice_principal", "Vice-principal"),
                            ("cadre", "Cadre"),
                            ("researcher", "Researcher"),
                        ],
                        max_length=20,
                    ),
                ),
                ("staff", models.PositiveIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="StaffTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region_path", models.CharField(max_length=40)),
                (
                    "position",
                    models.CharField(
                        choices=[
                            ("teacher", "Teacher"),
                            ("principal", "Principal"),
                            ("vice_principal", "Vice-principal"),
                            ("cadre", "Cadre"),
                            ("researcher", "Researcher"),
                        ],
                        max_length=20,
                    ),
                ),
                ("staff", models.PositiveIntegerField()),
            ],
        ),
        migrations.AddIndex(
            model_name="staff",
            index=models.Index(fields=["institution", "name", "id"], name="staff_list_order"),
        ),
        migrations.AddField(
            model_name="regionmix",
            name="region",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="regions.region"
            ),
        ),
        migrations.AddField(
            model_name="regiontally",
            name="region",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="regions.region"
            ),
        ),
        migrations.AddField(
            model_name="stafftally",
            name="institution",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="institutions.institution",
            ),
        ),
        migrations.AddField(
            model_name="stafftally",
            name="region",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="regions.region"
            ),
        ),
        migrations.AddConstraint(
            model_name="regionmix",
            constraint=models.UniqueConstraint(
                fields=("region", "positions"), name="region_mix_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="regiontally",
            constraint=models.UniqueConstraint(
                fields=("region", "position"), name="region_tally_one_per_position"
            ),
        ),
        migrations.AddIndex(
            model_name="stafftally",
            index=models.Index(
                fields=["region_path", "position"], name="institution_region__4768f1_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="stafftally",
            constraint=models.UniqueConstraint(
                fields=("institution", "position"), name="staff_tally_one_per_position"
            ),
        ),
        migrations.RunPython(count_existing_staff, migrations.RunPython.noop),
        migrations.RunPython(trigram_indexes, drop_trigram_indexes),
    ]
