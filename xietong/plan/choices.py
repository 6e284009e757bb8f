from django.db import models
from django.utils.translation import gettext_lazy as _


class BodyRole(models.TextChoices):
    RESPONSIBLE = "responsible", _("Responsible")
    CO_RESPONSIBLE = "co_responsible", _("Co-responsible")


class Unit(models.TextChoices):
    COUNT = "count", _("count")
    PERCENT = "percent", _("percent")
    PER_100_TEACHERS = "per_100", _("per 100 teachers")


class IndicatorSource(models.TextChoices):
    COMPUTED = "computed", _("Computed from the platform's records")
    REPORTED = "reported", _("Reported by a named body")


class ValueOrigin(models.TextChoices):
    """Where a value in an indicator's history came from."""

    SNAPSHOT = "snapshot", _("Snapshot of the computed value")
    REPORTED = "reported", _("Reported")
    PUBLISHED = "published", _("Published figure")


class ValueStatus(models.TextChoices):
    """A reported value counts once approved; snapshots and published figures are final."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


class TaskStatus(models.TextChoices):
    """The state of a task as its latest accepted progress report gives it."""

    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    DONE = "done", _("Done")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")
