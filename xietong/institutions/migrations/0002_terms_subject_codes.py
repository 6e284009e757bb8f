"""Staff subjects stored as names (",数学,") become subject codes (",14,"); decision 0007.

Names the subject table does not know are kept as they are and listed on the console.
"""

from collections import Counter

from django.db import migrations
from django.db.models import Case, Count, F, Value, When

from xietong.core.codes import SUBJECTS, normalise_stored, report_unknown
from xietong.core.delimited import pack, unpack


def _rewrite(Staff, mapping):
    """One UPDATE … CASE per batch of distinct values (a scan each, not one per value)."""
    items = list(mapping.items())
    for start in range(0, len(items), 200):
        batch = items[start : start + 200]
        whens = [When(subjects=old, then=Value(new)) for old, new in batch]
        Staff.objects.filter(subjects__in=[old for old, _new in batch]).update(
            subjects=Case(*whens, default=F("subjects"))
        )


def to_codes(apps, schema_editor):
    Staff = apps.get_model("institutions", "Staff")
    unknown: Counter[str] = Counter()
    mapping = {}
    counts = Staff.objects.exclude(subjects="").values_list("subjects").annotate(n=Count("pk"))
    for old, n in counts.order_by():
        new, left = normalise_stored(SUBJECTS, old)
        for name in left:
            unknown[name] += n
        if new != old:
            mapping[old] = new
    _rewrite(Staff, mapping)
    report_unknown("institutions.Staff.subjects", dict(unknown))


def to_names(apps, schema_editor):
    Staff = apps.get_model("institutions", "Staff")
    values = Staff.objects.exclude(subjects="").values_list("subjects", flat=True).distinct()
    mapping = {}
    for old in list(values.order_by()):
        new = pack(SUBJECTS.label(c, "zh-hans") for c in unpack(old))
        if new != old:
            mapping[old] = new
    _rewrite(Staff, mapping)


class Migration(migrations.Migration):
    dependencies = [("institutions", "0001_initial")]

    operations = [migrations.RunPython(to_codes, to_names, elidable=True)]
