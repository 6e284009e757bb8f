"""Partnerships between institutions: members, yearly terms, people dispatched, versioned
agreements approved by every party, and the activities done under them.

A partnership is registered by an education authority (``region`` is the area whose
authorities manage it); its members are institutions — schools, universities, institutes
or authorities themselves — each with a role. Agreement versions are immutable once
written: an edit writes the next version, which every party approves again.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xietong.core.terms import SchoolTerm
from xietong.institutions.models import Institution, Staff
from xietong.partnerships.choices import (
    ActivityKind,
    AidRound,
    AllianceType,
    MemberRole,
    PartnershipKind,
    PartnershipStatus,
    VersionStatus,
)
from xietong.regions.models import Region


class Partnership(models.Model):
    kind = models.CharField(_("kind"), max_length=24, choices=PartnershipKind.choices)
    name = models.CharField(_("name"), max_length=150)
    alliance_type = models.CharField(
        _("alliance type"), max_length=16, choices=AllianceType.choices, blank=True
    )
    aid_round = models.CharField(
        _("aid round"), max_length=16, choices=AidRound.choices, blank=True
    )
    # A co-built institute: the institute in the registry (its labs are the registry's).
    institute = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institute"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("managing region"),
        help_text=_("The authorities of this area register and manage the partnership."),
    )
    region_path = models.CharField(max_length=40, db_index=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PartnershipStatus.choices,
        default=PartnershipStatus.DRAFT,
        db_index=True,
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    # Set when the partnership was created by accepting a partner recommendation.
    recommended = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        indexes = [models.Index(fields=["kind", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="partnership_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Member(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="members")
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="partnership_memberships",
        verbose_name=_("institution"),
    )
    # Copy of institution.region_path: "partnerships with a member under a region" is one
    # indexed prefix scan.
    region_path = models.CharField(max_length=40, db_index=True, editable=False)
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        ordering = ["partnership", "role", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "institution"], name="member_once_per_partnership"
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(left_on__gte=models.F("joined_on")),
                name="member_leaves_after_joining",
            ),
        ]
        indexes = [models.Index(fields=["institution", "partnership"])]

    def __str__(self) -> str:
        return f"{self.institution} ({self.get_role_display()})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.region_path = self.institution.region_path
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class PartnershipTerm(models.Model):
    """What the partners commit to for one school year."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="terms")
    school_year = models.PositiveSmallIntegerField(
        _("school year"), help_text=_("The calendar year the school year starts in.")
    )
    commitments = models.TextField(_("commitments"), blank=True, max_length=4000)
    quota = models.PositiveIntegerField(
        _("places or students"),
        null=True,
        blank=True,
        help_text=_("Places, enrolment or participants agreed for the year."),
    )
    dispatch_planned = models.PositiveIntegerField(_("people to dispatch"), null=True, blank=True)
    budget_yuan = models.DecimalField(
        _("budget (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["partnership", "school_year"]
        verbose_name = _("yearly term")
        verbose_name_plural = _("yearly terms")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "school_year"], name="one_term_per_school_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership} {self.school_year}-{self.school_year + 1}"


class Dispatch(models.Model):
    """A person sent under a partnership (a dispatched team's principal, a teacher)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="dispatches"
    )
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="dispatches", verbose_name=_("person")
    )
    host = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("host")
    )
    post = models.CharField(_("post at the host"), max_length=60)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        ordering = ["partnership", "starts_on", "id"]
        verbose_name = _("dispatched person")
        verbose_name_plural = _("dispatched people")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="dispatch_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff} → {self.host} ({self.post})"


class Agreement(models.Model):
    """One agreement of a partnership (framework, yearly, …); its text lives in versions."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="agreements"
    )
    title = models.CharField(_("title"), max_length=150)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partnership", "created_at", "id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return self.title


class AgreementVersion(models.Model):
    """An immutable version: its fields, its clauses, and the SHA-256 of their canonical form.

    ``clauses`` is a list of ``{"heading": str, "text": str}``; ``fingerprint`` is computed
    by the service from the canonical JSON of every field that makes the version.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=150)
    starts_on = models.DateField(_("in force from"))
    ends_on = models.DateField(_("in force until"), null=True, blank=True)
    clauses = models.JSONField(_("clauses"), default=list)
    fingerprint = models.CharField(_("SHA-256"), max_length=64, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=VersionStatus.choices,
        default=VersionStatus.PENDING,
        db_index=True,
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["agreement", "number"]
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="version_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class VersionApproval(models.Model):
    """One party's approval of one version, by an authorised admin of that member."""

    version = models.ForeignKey(
        AgreementVersion, on_delete=models.CASCADE, related_name="approvals"
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="approvals")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField()
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        ordering = ["version", "approved_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "member"], name="one_approval_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.version} ✓ {self.member}"


class Activity(models.Model):
    """Something that happened under a partnership, logged by a member's admin."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=150)
    occurred_on = models.DateField(_("date"), db_index=True)
    # Copy of the school term the date falls in (core.terms key): "no activity last term".
    term_key = models.PositiveIntegerField(db_index=True, editable=False)
    location = models.CharField(_("location"), max_length=150, blank=True)
    hours = models.DecimalField(
        _("hours"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    teachers = models.PositiveIntegerField(_("teachers taking part"), default=0)
    students = models.PositiveIntegerField(_("students taking part"), default=0)
    summary = models.TextField(_("summary"), blank=True, max_length=4000)
    institutions = models.ManyToManyField(
        Institution, related_name="partnership_activities", verbose_name=_("institutions")
    )
    people = models.ManyToManyField(
        Staff, blank=True, related_name="partnership_activities", verbose_name=_("people")
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    logged_for = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        help_text=_("The member whose admin logged it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["partnership", "occurred_on"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        # Bulk writers (the demo) set term_key themselves with the same rule.
        self.term_key = SchoolTerm.containing(self.occurred_on).key
        super().save(*args, **kwargs)  # type: ignore[arg-type]


# Partner recommendations (their own module; registered with the app here).
from xietong.partnerships.recommendation_models import Proposal, RecommendationRun  # noqa: E402, F401
