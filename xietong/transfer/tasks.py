"""The job kind of imports: a check or a write of one import, as its owner."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy, gettext_noop

from xietong.jobs.models import Job
from xietong.jobs.registry import JobFailed, register
from xietong.jobs.runner import Reporter
from xietong.transfer import services
from xietong.transfer.models import Import


def _link(job: Job) -> str | None:
    return reverse("transfer:import", args=[job.target_id]) if job.target_id else None


@register(services.JOB_KIND, label=gettext_lazy("Import of a roster"), link=_link)
def import_job(job: Job, report: Reporter) -> dict[str, Any]:
    p = job.parameters
    imp = Import.objects.filter(pk=p.get("import")).first()
    actor = services.actor_of(job)
    if imp is None or actor is None:
        raise JobFailed(gettext_noop("This import no longer exists."))
    with translation.override(str(p.get("language") or settings.LANGUAGE_CODE)):
        done = services.run(actor, imp, str(p.get("mode")), report)
    return {"rows": done.rows, **done.counts}
