"""Teacher training: providers' programs with sessions, enrollments, attendance, certificates.

A program's places are counted on the row itself (``taken``), and the database refuses a
``taken`` above ``capacity`` (a check constraint): the services take a place with one
conditional ``UPDATE … SET taken = taken + 1 WHERE taken < capacity``, so two teachers
racing for the last place can never both get it, whatever the isolation level. A
region's quota (``Quota``) is counted the same way. One enrollment per teacher and
program (a unique constraint); withdrawing keeps the row, enrolling again reuses it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xietong.core.delimited import unpack
from xietong.regions.models import Region, RegionGroup
from xietong.training.choices import (
    Assessment,
    CheckIn,
    CreditType,
    EnrolledBy,
    EnrollmentStatus,
    Mode,
    ProgramStatus,
)

HOURS_DIGITS, HOURS_PLACES = 6, 1


class Program(models.Model):
    provider = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="training_programs",
        verbose_name=_("provider"),
    )
    provider_path = models.CharField(max_length=40, db_index=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    # The target audience; blank lists admit everyone.
    stages = models.CharField(_("stages"), max_length=120, blank=True)
    subjects = models.CharField(_("subjects"), max_length=200, blank=True)
    positions = models.CharField(_("positions"), max_length=120, blank=True)
    titles = models.CharField(_("titles"), max_length=120, blank=True)
    regions: models.ManyToManyField[Region, ProgramRegion] = models.ManyToManyField(
        Region, through="ProgramRegion", related_name="+", verbose_name=_("regions")
    )
    region_groups = models.ManyToManyField(
        RegionGroup, blank=True, related_name="+", verbose_name=_("region groups")
    )
    eligibility = models.TextField(_("eligibility"), blank=True, max_length=2000)
    hours = models.DecimalField(
        _("hours"),
        validators=[MinValueValidator(Decimal("0.5"))],
        max_digits=HOURS_DIGITS,
        decimal_places=HOURS_PLACES,
    )
    credit_type = models.CharField(
        _("credit type"), max_length=16, choices=CreditType.choices, default=CreditType.CENTRALISED
    )
    capacity = models.PositiveIntegerField(_("capacity"))
    taken = models.PositiveIntegerField(default=0, editable=False)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.OFFLINE)
    fee_yuan = models.DecimalField(
        _("fee (yuan)"), max_digits=9, decimal_places=2, default=Decimal("0")
    )
    applications_open = models.DateField(_("applications open"))
    applications_close = models.DateField(_("applications close"))
    min_attendance = models.PositiveSmallIntegerField(_("attendance required (%)"), default=80)
    assessed = models.BooleanField(_("an assessment must be passed"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT
    )
    cancel_reason = models.TextField(blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-applications_open", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(taken__lte=F("capacity")), name="program_not_overbooked"
            ),
            models.CheckConstraint(
                condition=Q(applications_close__gte=F("applications_open")),
                name="program_window_in_order",
            ),
            models.CheckConstraint(
                condition=Q(min_attendance__lte=100), name="program_attendance_percent"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "applications_close"], name="program_status_close")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def stage_list(self) -> list[str]:
        return unpack(self.stages)

    @property
    def subject_list(self) -> list[str]:
        return unpack(self.subjects)

    @property
    def free_places(self) -> int:
        return max(0, self.capacity - self.taken)


class ProgramRegion(models.Model):
    """A region whose teachers the program is for (with those of its region groups)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="region_rows")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "region"], name="program_region_once")
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.region_id}"


class Session(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    link = models.URLField(_("link"), max_length=400, blank=True)
    trainer = models.CharField(_("trainer"), max_length=100, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    # A one-time check-in code shown in the room: kept as a keyed hash, valid until then.
    code_hash = models.CharField(max_length=64, blank=True, editable=False)
    code_expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Quota(models.Model):
    """Places of a program reserved for one region's teachers, given by an authority."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="quotas")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    region_path = models.CharField(max_length=40, editable=False)
    places = models.PositiveIntegerField(_("places"))
    taken = models.PositiveIntegerField(default=0, editable=False)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["region_path"]
        constraints = [
            models.UniqueConstraint(fields=["program", "region"], name="quota_once"),
            models.CheckConstraint(
                condition=Q(taken__lte=F("places")), name="quota_not_overbooked"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.region_id} {self.places}"


class Enrollment(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="enrollments")
    staff = models.ForeignKey(
        "institutions.Staff", on_delete=models.PROTECT, related_name="training_enrollments"
    )
    # The teacher's institution when enrolling (the record stays where it was earned).
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=40, editable=False)
    status = models.CharField(
        _("status"), max_length=14, choices=EnrollmentStatus.choices, db_index=True
    )
    enrolled_by = models.CharField(max_length=6, choices=EnrolledBy.choices)
    quota = models.ForeignKey(
        Quota, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrollments"
    )
    # The waitlist is served in the order of joining it.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    enrolled_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    assessment = models.CharField(
        _("assessment"), max_length=4, choices=Assessment.choices, blank=True, default=""
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    hours_credited = models.DecimalField(
        _("hours credited"),
        null=True,
        blank=True,
        max_digits=HOURS_DIGITS,
        decimal_places=HOURS_PLACES,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "enrolled_at", "waitlisted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "staff"], name="enrollment_once"),
        ]
        indexes = [
            models.Index(fields=["program", "status", "waitlisted_at"], name="enrollment_waitlist"),
            models.Index(fields=["staff", "status"], name="enrollment_staff_status"),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.staff_id} {self.status}"


class Attendance(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attendance")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(default=True)
    method = models.CharField(max_length=6, choices=CheckIn.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "session"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.session_id} {self.present}"


class Certificate(models.Model):
    """Issued on completion: its number and fields signed with the platform's key
    (:mod:`xietong.training.signing`), checked on the public verification page."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.PROTECT, related_name="certificate"
    )
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    holder = models.CharField(max_length=50)  # the name as issued
    program_title = models.CharField(max_length=200)
    provider_name = models.CharField(max_length=100)
    hours = models.DecimalField(max_digits=HOURS_DIGITS, decimal_places=HOURS_PLACES)
    credit_type = models.CharField(max_length=16, choices=CreditType.choices)
    completed_on = models.DateField()
    signature = models.CharField(max_length=128)
    key_version = models.PositiveSmallIntegerField(default=1)
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number
