"""Eligible subjects of programs and the subject of offer slots become subject codes.

Names the subject table does not know are kept and listed on the console; so is a slot
whose new code would repeat another slot's stage and subject in the same offer.
"""

from collections import Counter

from django.db import migrations

from xietong.core.codes import SUBJECTS, normalise_stored, report_unknown
from xietong.core.delimited import pack, unpack


def to_codes(apps, schema_editor):
    Program = apps.get_model("exchanges", "Program")
    OfferSlot = apps.get_model("exchanges", "OfferSlot")
    unknown: Counter[str] = Counter()
    for p in Program.objects.exclude(elig_subjects="").only("pk", "elig_subjects"):
        new, left = normalise_stored(SUBJECTS, p.elig_subjects)
        unknown.update(left)
        if new != p.elig_subjects:
            Program.objects.filter(pk=p.pk).update(elig_subjects=new)
    report_unknown("exchanges.Program.elig_subjects", dict(unknown))
    unknown.clear()
    taken = set(OfferSlot.objects.values_list("offer_id", "stage", "subject"))
    for slot in OfferSlot.objects.only("pk", "offer_id", "stage", "subject").order_by("pk"):
        code = SUBJECTS.lookup(slot.subject)
        if code is None or code == slot.subject:
            if code is None:
                unknown[slot.subject] += 1
            continue
        if (slot.offer_id, slot.stage, code) in taken:
            unknown[f"{slot.subject} (offer {slot.offer_id}: {code} taken)"] += 1
            continue
        taken.discard((slot.offer_id, slot.stage, slot.subject))
        taken.add((slot.offer_id, slot.stage, code))
        OfferSlot.objects.filter(pk=slot.pk).update(subject=code)
    report_unknown("exchanges.OfferSlot.subject", dict(unknown))


def to_names(apps, schema_editor):
    Program = apps.get_model("exchanges", "Program")
    OfferSlot = apps.get_model("exchanges", "OfferSlot")
    for p in Program.objects.exclude(elig_subjects="").only("pk", "elig_subjects"):
        new = pack(SUBJECTS.label(c, "zh-hans") for c in unpack(p.elig_subjects))
        Program.objects.filter(pk=p.pk).update(elig_subjects=new)
    for slot in OfferSlot.objects.only("pk", "subject"):
        name = SUBJECTS.label(slot.subject, "zh-hans")
        if name != slot.subject:
            OfferSlot.objects.filter(pk=slot.pk).update(subject=name)


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0002_terms_term_key"),
        ("institutions", "0002_terms_subject_codes"),
    ]

    operations = [migrations.RunPython(to_codes, to_names, elidable=True)]
