"""Notifications move to their own app; explanations become reason codes.

Existing exchange notifications keep their frozen sentence under the code
``exchanges.legacy``; existing explanations keep both sentences under ``legacy``.
Reversible: going back copies every notification into the old table (coded ones rendered
in Chinese) and renders coded explanations in both languages.
"""

import re

from django.db import migrations, models
from django.utils import translation

API_LINK = re.compile(r"^/api/exchanges/applications/(\d+)$")
BATCH = 2000


def explanations_to_codes(apps, schema_editor):
    MatchResult = apps.get_model("exchanges", "MatchResult")
    rows = []
    for r in MatchResult.objects.only("pk", "explanation_zh", "explanation_en").iterator():
        r.explanation = {"code": "legacy", "zh": r.explanation_zh, "en": r.explanation_en}
        rows.append(r)
        if len(rows) >= BATCH:
            MatchResult.objects.bulk_update(rows, ["explanation"])
            rows = []
    MatchResult.objects.bulk_update(rows, ["explanation"])


def explanations_to_text(apps, schema_editor):
    from xietong.exchanges.explanations import render

    MatchResult = apps.get_model("exchanges", "MatchResult")
    rows = []
    for r in MatchResult.objects.only("pk", "explanation").iterator():
        e = r.explanation or {}
        for lang, field in (("zh-hans", "explanation_zh"), ("en", "explanation_en")):
            with translation.override(lang):
                setattr(r, field, render(e))
        rows.append(r)
        if len(rows) >= BATCH:
            MatchResult.objects.bulk_update(rows, ["explanation_zh", "explanation_en"])
            rows = []
    MatchResult.objects.bulk_update(rows, ["explanation_zh", "explanation_en"])


def notifications_forward(apps, schema_editor):
    Old = apps.get_model("exchanges", "Notification")
    New = apps.get_model("notifications", "Notification")
    if not Old.objects.exists():
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    ct, _ = ContentType.objects.get_or_create(app_label="exchanges", model="application")
    created = New._meta.get_field("created_at")
    created.auto_now_add = False  # keep the original times
    try:
        rows = []
        for n in Old.objects.order_by("pk").iterator():
            m = API_LINK.match(n.link or "")
            rows.append(
                New(
                    recipient_id=n.user_id,
                    code="exchanges.legacy",
                    params={"text": n.text},
                    target_type=ct if m else None,
                    target_id=int(m.group(1)) if m else None,
                    created_at=n.created_at,
                    read_at=n.read_at,
                )
            )
            if len(rows) >= BATCH:
                New.objects.bulk_create(rows)
                rows = []
        New.objects.bulk_create(rows)
    finally:
        created.auto_now_add = True
    Old.objects.all().delete()


def notifications_backward(apps, schema_editor):
    from xietong.notifications.kinds import render_text

    Old = apps.get_model("exchanges", "Notification")
    New = apps.get_model("notifications", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    app_ct = ContentType.objects.filter(app_label="exchanges", model="application").first()
    created = Old._meta.get_field("created_at")
    created.auto_now_add = False
    try:
        rows = []
        with translation.override("zh-hans"):
            for n in New.objects.order_by("pk").iterator():
                on_app = app_ct is not None and n.target_type_id == app_ct.pk and n.target_id
                rows.append(
                    Old(
                        user_id=n.recipient_id,
                        text=render_text(n.code, n.params)[:500],
                        link=f"/api/exchanges/applications/{n.target_id}" if on_app else "",
                        created_at=n.created_at,
                        read_at=n.read_at,
                    )
                )
        for i in range(0, len(rows), BATCH):
            Old.objects.bulk_create(rows[i : i + BATCH])
    finally:
        created.auto_now_add = True
    New.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("exchanges", "0001_initial"),
        ("notifications", "0001_notices_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="matchresult",
            name="explanation",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(explanations_to_codes, explanations_to_text),
        migrations.RemoveField(model_name="matchresult", name="explanation_en"),
        migrations.RemoveField(model_name="matchresult", name="explanation_zh"),
        migrations.RunPython(notifications_forward, notifications_backward),
        migrations.DeleteModel(name="Notification"),
    ]
