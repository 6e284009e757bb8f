"""What the reminders job has sent: one row per report and stage, so nobody is reminded
twice of the same thing (the report itself lives in ``plan.models.ProgressReport``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xietong.plan.models import ProgressReport


class ReminderStage(models.TextChoices):
    DUE = "due", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class ReportReminder(models.Model):
    """A reminder sent for one expected report (task, body, period) at one stage."""

    task = models.ForeignKey("plan.Task", on_delete=models.CASCADE, related_name="+")
    body = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=8)
    stage = models.CharField(max_length=8, choices=ReminderStage.choices)
    report = models.ForeignKey(
        ProgressReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "body", "period", "stage"], name="report_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.body_id} {self.period} {self.stage}"
