"""The audit log's sentences for activities."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.audit_reading import by_pk, describe, object_type
from xietong.partnerships.audit_texts import GROUP
from xietong.partnerships.models import Activity


def _activities(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = Activity.objects.select_related("partnership").only("title", "partnership__name")
    return by_pk(qs, lambda a: {"name": f"{a.title} · {a.partnership.name}"}, keys)


object_type("partnerships.activity", gettext_lazy("activity"), _activities)

describe(
    GROUP,
    "partnerships.activity.log",
    gettext_lazy("Activity logged"),
    lambda f: _("%(actor)s logged the activity %(object)s") % f,
)
describe(
    GROUP,
    "partnerships.activity.update",
    gettext_lazy("Activity changed"),
    lambda f: _("%(actor)s changed the activity %(object)s") % f,
)
describe(
    GROUP,
    "partnerships.activity.delete",
    gettext_lazy("Activity deleted"),
    lambda f: _("%(actor)s deleted the activity %(object)s") % f,
)
