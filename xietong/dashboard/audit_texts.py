"""The audit log's sentence for periodic reports (see ``accounts.audit_reading``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.audit_reading import by_pk, describe, object_type
from xietong.plan.models import PeriodicReport

GROUP = gettext_lazy("The plan")


def _reports(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = PeriodicReport.objects.select_related("authority").only("authority__name", "period")
    return by_pk(qs, lambda r: {"name": f"{r.authority.name} {r.period}"}, keys)


object_type("plan.periodicreport", gettext_lazy("periodic report"), _reports)

describe(
    GROUP,
    "plan.report.request",
    gettext_lazy("Periodic report requested"),
    lambda f: _("%(actor)s requested the periodic report %(object)s") % f,
)
