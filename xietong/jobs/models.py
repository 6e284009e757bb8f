"""One row per background job of any kind: matching runs, imports, exports, reports.

The job is the one place its execution state lives — status, progress, heartbeat, message,
result — so every kind shares one polling partial, one API endpoint and one sweep.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xietong.jobs.choices import UNFINISHED, JobStatus


class Job(models.Model):
    kind = models.CharField(_("kind"), max_length=64)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("owner"),
    )  # None: started at the console
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)  # None: unknown
    # A message is a registered code or a msgid, rendered with its params when it is read.
    message_code = models.CharField(max_length=500, blank=True)
    message_params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    result_file = models.FileField(_("result file"), upload_to="jobs/%Y/%m/", blank=True)
    task_id = models.CharField(max_length=64, blank=True)  # the django-tasks result id
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    # A scheduled job's period ("2026-12-01" for a daily kind): one job per kind and period,
    # however many schedulers tick (see xietong.jobs.schedule). Empty for jobs started by hand.
    period = models.CharField(_("period"), max_length=32, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["owner", "-id"], name="job_owner_recent"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat"),
            models.Index(fields=["target_type", "target_id"], name="job_target"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(done__lte=F("total")), name="job_done_le_total"
            ),
            models.CheckConstraint(
                condition=Q(target_type__isnull=True, target_id__isnull=True)
                | Q(target_type__isnull=False, target_id__isnull=False),
                name="job_target_complete",
            ),
            models.UniqueConstraint(
                fields=["kind", "period"], condition=~Q(period=""), name="job_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status not in UNFINISHED

    @property
    def percent(self) -> int:
        """0–100; a succeeded job is 100 even when it never knew its total."""
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)

    @property
    def message(self) -> str:
        """The message in the reader's (the active) language."""
        from xietong.jobs.messages import render

        return render(self.message_code, self.message_params)

    @property
    def kind_label(self) -> Any:
        from xietong.jobs.registry import label_of

        return label_of(self.kind)
