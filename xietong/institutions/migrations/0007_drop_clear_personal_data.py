"""The clear ID number and phone go; the blind index becomes required and unique."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("institutions", "0006_seal_staff_personal_data")]

    operations = [
        migrations.RemoveField(model_name="staff", name="id_number"),
        migrations.RemoveField(model_name="staff", name="phone"),
        migrations.AlterField(
            model_name="staff",
            name="id_number_index",
            field=models.CharField(editable=False, max_length=32),
        ),
        migrations.AddConstraint(
            model_name="staff",
            constraint=models.UniqueConstraint(
                fields=("id_number_index",), name="staff_one_per_id_number"
            ),
        ),
    ]
