"""Columns for the sealed ID number and phone beside the clear ones, which 0006 empties
and 0007 removes. The ID number loses its unique index here (the blind index takes it
over in 0007) and may be empty, so that every step can also be undone."""

from django.db import migrations, models

import xietong.institutions.validators


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_sealing_key"),
        ("institutions", "0004_terms_merge"),
    ]

    operations = [
        migrations.AlterField(
            model_name="staff",
            name="id_number",
            field=models.CharField(
                max_length=18,
                null=True,
                validators=[xietong.institutions.validators.validate_id_number],
                verbose_name="ID number",
            ),
        ),
        migrations.AddField(
            model_name="staff",
            name="id_number_sealed",
            field=models.BinaryField(default=b"", editable=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="staff",
            name="id_number_index",
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.AddField(
            model_name="staff",
            name="masked_id_number",
            field=models.CharField(
                default="", editable=False, max_length=18, verbose_name="ID number"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="staff",
            name="phone_sealed",
            field=models.BinaryField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="staff",
            name="masked_phone",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=20, verbose_name="phone"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="staff",
            name="key_version",
            # 0 until 0006 has sealed the row: the mark that lets it resume after a stop
            field=models.PositiveSmallIntegerField(default=0, editable=False),
            preserve_default=False,
        ),
    ]
