"""The audit log's sentences for jobs: retried, cancelled, result files downloaded
(see ``accounts.audit_reading``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.audit_reading import by_pk, describe, object_type
from xietong.jobs.models import Job

GROUP = gettext_lazy("Jobs")


def _jobs(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(Job.objects.only("kind"), lambda j: {"name": f"{j.kind_label} #{j.pk}"}, keys)


object_type("jobs.job", gettext_lazy("job"), _jobs)

describe(
    GROUP,
    "jobs.retry",
    gettext_lazy("Job retried"),
    lambda f: _("%(actor)s retried the job %(object)s") % f,
)
describe(
    GROUP,
    "jobs.cancel",
    gettext_lazy("Job cancelled"),
    lambda f: _("%(actor)s cancelled the job %(object)s") % f,
)
describe(
    GROUP,
    "jobs.result_download",
    gettext_lazy("Job result downloaded"),
    lambda f: _("%(actor)s downloaded the result file of the job %(object)s") % f,
)
