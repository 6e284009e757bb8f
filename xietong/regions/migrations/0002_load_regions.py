"""Load the GB/T 2260 divisions and region groups shipped with the app."""

from django.db import migrations


def load(apps, schema_editor):
    from xietong.regions.loading import load_regions

    load_regions(apps.get_model("regions", "Region"), apps.get_model("regions", "RegionGroup"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
