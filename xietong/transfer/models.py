"""An import of a roster file: who uploaded what, what its check found, what was written.

The file itself is an attachment of the import; the work (check, write) runs as jobs,
which hold the execution state (decision 0004). The import keeps the outcome: counts of
the last check and of the write, the first problems to show, and the error report.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WriteMode(models.TextChoices):
    CHECK = "check", _("Check only (dry run)")
    VALID = "valid", _("Import the valid rows")
    ALL = "all", _("Import only if every row is valid")


class Import(models.Model):
    roster = models.CharField(_("roster"), max_length=32)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # {"rows", "create", "update", "unchanged", "failed"} of the last check, and of the write.
    checked = models.JSONField(null=True, blank=True)
    written = models.JSONField(null=True, blank=True)
    mode = models.CharField(max_length=8, choices=WriteMode.choices, blank=True)
    written_at = models.DateTimeField(null=True, blank=True)
    # The first problems found: [row number, column header, message], in the checker's words.
    problems = models.JSONField(default=list, blank=True)
    unknown_columns = models.JSONField(default=list, blank=True)
    error_report = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["owner", "-id"], name="import_owner_recent")]

    def __str__(self) -> str:
        return self.file_name

    @property
    def roster_label(self) -> object:
        from xietong.transfer.rosters import roster_named

        roster = roster_named(self.roster)
        return roster.label if roster else self.roster
