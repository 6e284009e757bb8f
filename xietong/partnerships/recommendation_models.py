"""Partner recommendations: a run for an area and its proposals, one row per unpaired school.

A run proposes Beijing/Tianjin partners to the unpaired Hebei schools of a county or a
region group (:mod:`xietong.partnerships.recommend` computes it). Each school of the run
has one :class:`Proposal` row: with a partner and the reasons as codes (rendered in the
reader's language when read), or without one and the reason why. An authority accepts a
proposal (it becomes a draft partnership) or dismisses it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xietong.institutions.models import Institution
from xietong.partnerships.models import Partnership
from xietong.regions.models import Region


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Being computed")
    DONE = "done", _("Done")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")
    UNPLACED = "unplaced", _("No partner found")


class RecommendationRun(models.Model):
    # The area asked for: a region code or a region group's key, and its name then.
    area = models.CharField(_("area"), max_length=30)
    area_name = models.CharField(_("area"), max_length=80)
    # The smallest region holding the whole area: its authorities manage the run.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    parameters = models.JSONField(default=dict)
    statistics = models.JSONField(default=dict)
    job = models.OneToOneField(
        "jobs.Job",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendation_run",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("partner recommendation")
        verbose_name_plural = _("partner recommendations")

    def __str__(self) -> str:
        return f"{self.area_name} #{self.pk}"


class Proposal(models.Model):
    run = models.ForeignKey(RecommendationRun, on_delete=models.CASCADE, related_name="proposals")
    school = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    cost = models.FloatField(null=True, blank=True)
    distance_km = models.FloatField(null=True, blank=True)
    # [{"code": "stages", "stages": [...]}, {"code": "distance", "km": 32}, ...] or, without a
    # partner, [{"code": "no_candidate"}] (see recommend.py's reasons).
    reasons = models.JSONField(default=list)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "status", "id"]
        verbose_name = _("proposed partner")
        verbose_name_plural = _("proposed partners")
        constraints = [
            models.UniqueConstraint(fields=["run", "school"], name="proposal_once_per_school")
        ]

    def __str__(self) -> str:
        return f"{self.school} ← {self.partner or '—'}"
