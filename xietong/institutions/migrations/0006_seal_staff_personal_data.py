"""Seal every stored ID number and phone (SM4-GCM), index the ID numbers (HMAC-SM3), store
their masks, and empty the clear columns — in committed batches, so a migration stopped
half-way resumes with the rows still unsealed (``key_version`` 0). Backwards it opens them
again. Works on SQLite and PostgreSQL (``core.bulk.update``)."""

import time

from django.db import migrations, transaction
from django.db.models import Count

BATCH = 2_000
# The fields each value is sealed for: the same as xietong.institutions.personal_data's.
ID_FIELD = "staff.id_number"
PHONE_FIELD = "staff.phone"
SEALED = (
    "id_number_sealed",
    "id_number_index",
    "masked_id_number",
    "phone_sealed",
    "masked_phone",
    "key_version",
)


def seal_clear_values(apps, schema_editor):
    from xietong.core import bulk, sealing
    from xietong.core.masking import mask_id_number, mask_phone

    db = schema_editor.connection.alias
    Staff = apps.get_model("institutions", "Staff")
    unsealed = Staff.objects.using(db).filter(key_version=0)
    total = unsealed.count()
    if not total:
        return
    ring = sealing.PERSONAL
    version = ring.current_version()
    ring.register(version, apps.get_model("core", "SealingKey"), using=db)
    started, done, last = time.monotonic(), 0, 0
    while True:
        with transaction.atomic(using=db):
            rows = list(
                unsealed.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "id_number", "phone")[:BATCH]
            )
            if not rows:
                break
            updates = []
            for pk, number, phone in rows:
                number = (number or "").strip().upper()
                phone = (phone or "").strip()
                updates.append(
                    (
                        pk,
                        ring.seal(number, ID_FIELD, version=version),
                        ring.index(number, version=version),
                        mask_id_number(number),
                        ring.seal(phone, PHONE_FIELD, version=version) if phone else None,
                        mask_phone(phone),
                        version,
                        None,  # the clear ID number
                        "",  # the clear phone
                    )
                )
            bulk.update(Staff, (*SEALED, "id_number", "phone"), updates, using=db)
        last = rows[-1][0]
        done += len(rows)
    twice = (
        Staff.objects.using(db)
        .values("id_number_index")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("id_number_index", flat=True)[:5]
    )
    for index in twice:
        ids = list(
            Staff.objects.using(db).filter(id_number_index=index).values_list("pk", flat=True)
        )
        raise RuntimeError(
            f"Staff records {ids} have the same ID number once spaces and case are ignored; "
            "merge or remove one and migrate again."
        )
    print(
        f"\n  Sealed the ID numbers and phones of {done:,} staff records under personal-data "
        f"key version {version} in {time.monotonic() - started:.1f} s."
    )


def open_sealed_values(apps, schema_editor):
    from xietong.core import bulk, sealing

    db = schema_editor.connection.alias
    Staff = apps.get_model("institutions", "Staff")
    ring = sealing.PERSONAL
    sealed = Staff.objects.using(db).exclude(key_version=0)
    last = 0
    while True:
        with transaction.atomic(using=db):
            rows = list(
                sealed.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "id_number_sealed", "phone_sealed")[:BATCH]
            )
            if not rows:
                break
            updates = [
                (
                    pk,
                    ring.unseal(id_sealed, ID_FIELD),
                    ring.unseal(phone_sealed, PHONE_FIELD) if phone_sealed else "",
                    b"",
                    None,
                    "",
                    None,
                    "",
                    0,
                )
                for pk, id_sealed, phone_sealed in rows
            ]
            bulk.update(Staff, ("id_number", "phone", *SEALED), updates, using=db)
        last = rows[-1][0]


class Migration(migrations.Migration):
    atomic = False  # one transaction per batch: a stopped migration resumes

    dependencies = [("institutions", "0005_staff_sealed_columns")]

    operations = [migrations.RunPython(seal_clear_values, open_sealed_values)]
