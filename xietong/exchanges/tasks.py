"""The background jobs of exchanges (registered with :mod:`xietong.jobs`)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xietong.accounts.access import Actor
from xietong.exchanges import selectors
from xietong.exchanges.services.runs import MATCHING_JOB, compute_matching_run
from xietong.jobs.registry import register


def _runs_seen(actor: Actor) -> Q:
    return Q(target_id__in=selectors.runs_visible(actor).values("pk"))


def _runs_managed(actor: Actor) -> Q:
    return Q(target_id__in=selectors.runs_managed(actor).values("pk"))


register(MATCHING_JOB, label=_("Matching run"), visible=_runs_seen, manage=_runs_managed)(
    compute_matching_run
)
