"""The code lists of teacher training: credit types, modes, program and enrollment states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CreditType(models.TextChoices):
    """Kinds of continuing-education hours (继续教育学时) a teacher's record counts apart."""

    CENTRALISED = "centralised", _("Centralised training")
    ONLINE = "online", _("Online study")
    SCHOOL_BASED = "school_based", _("School-based training")
    SHADOWING = "shadowing", _("Shadowing and exchange")


class Mode(models.TextChoices):
    ONLINE = "online", pgettext_lazy("training mode", "Online")
    OFFLINE = "offline", pgettext_lazy("training mode", "In person")
    BLENDED = "blended", pgettext_lazy("training mode", "Blended")


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("training program", "Draft")
    OPEN = "open", pgettext_lazy("training program", "Open")
    CLOSED = "closed", pgettext_lazy("training program", "Enrollment closed")
    COMPLETED = "completed", pgettext_lazy("training program", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("training program", "Cancelled")


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", pgettext_lazy("enrollment", "Enrolled")
    WAITLISTED = "waitlisted", pgettext_lazy("enrollment", "On the waitlist")
    WITHDRAWN = "withdrawn", pgettext_lazy("enrollment", "Withdrawn")
    COMPLETED = "completed", pgettext_lazy("enrollment", "Completed")
    NOT_COMPLETED = "not_completed", pgettext_lazy("enrollment", "Not completed")


# The states that hold a place (or a place on the waitlist): one of them per teacher.
ACTIVE = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)


class EnrolledBy(models.TextChoices):
    SELF = "self", _("The teacher")
    ADMIN = "admin", _("An administrator on the teacher's behalf")
    QUOTA = "quota", _("A region's quota")


class Assessment(models.TextChoices):
    NONE = "", _("Not assessed")
    PASS = "pass", _("Passed")
    FAIL = "fail", _("Failed")


class CheckIn(models.TextChoices):
    ROSTER = "roster", _("Roster check by the provider")
    CODE = "code", _("One-time code in the room")
