"""Institutions (schools, colleges, authorities, training providers, institutes), labs, staff."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xietong.core.codes import HONOURS, STAGES, SUBJECTS
from xietong.core.delimited import unpack
from xietong.institutions.choices import (
    Gender,
    Kind,
    Locality,
    Ownership,
    Position,
    Title,
)
from xietong.institutions.validators import validate_school_code
from xietong.regions.models import Region


def full_years(since: dt.date, day: dt.date) -> int:
    """Whole years from ``since`` to ``day`` (0 when ``day`` comes first)."""
    years = day.year - since.year
    if (day.month, day.day) < (since.month, since.day):
        years -= 1
    return max(years, 0)


class Institution(models.Model):
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, db_index=True)
    school_code = models.CharField(
        _("school identifier"),
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_school_code],
        error_messages={"unique": _("Another institution already has this school identifier.")},
        help_text=_("The national ten-digit school identifier (学校标识码), where known."),
    )
    stages = models.CharField(_("stages"), max_length=120, blank=True, db_index=True)
    ownership = models.CharField(
        _("ownership"), max_length=10, choices=Ownership.choices, default=Ownership.PUBLIC
    )
    locality = models.CharField(
        _("urban or rural"), max_length=10, choices=Locality.choices, default=Locality.URBAN
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="institutions", verbose_name=_("region")
    )
    # Copy of region.path: "everything under a region" is one indexed prefix scan here.
    region_path = models.CharField(max_length=40, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name=_("parent institution"),
        help_text=_("For a branch campus: the institution it belongs to."),
    )
    # A roll-up kept by ``tallies`` with the StaffTally rows: staff in TEACHING_POSITIONS.
    # A province's coverage reads one row per school instead of summing its tallies.
    teaching_staff = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region_path", "name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"], name="institution_unique_name_in_region"
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="institution_not_own_parent"
            ),
        ]
        indexes = [models.Index(fields=["name"]), models.Index(fields=["kind", "region_path"])]

    def __str__(self) -> str:
        return self.name

    @property
    def stage_list(self) -> list[str]:
        return unpack(self.stages)

    def stage_labels(self) -> list[str]:
        return STAGES.labels(self.stage_list)


class Lab(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="labs")
    name = models.CharField(_("name"), max_length=100)
    field = models.CharField(_("field"), max_length=50, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lab")
        verbose_name_plural = _("labs")
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="lab_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    """A teacher, principal, cadre or researcher at one institution (their home post)."""

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    # ID number and phone are sealed at rest (SM4-GCM) and shown from the stored masks;
    # the ID number's blind index (HMAC-SM3) finds duplicates. Written and opened only by
    # xietong.institutions.personal_data (see docs/decisions/0002).
    id_number_sealed = models.BinaryField(editable=False)
    id_number_index = models.CharField(max_length=32, editable=False)
    masked_id_number = models.CharField(_("ID number"), max_length=18, editable=False)
    phone_sealed = models.BinaryField(null=True, blank=True, editable=False)
    masked_phone = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    key_version = models.PositiveSmallIntegerField(editable=False)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="staff", verbose_name=_("institution")
    )
    position = models.CharField(
        _("position"), max_length=20, choices=Position.choices, default=Position.TEACHER
    )
    stages = models.CharField(_("stages"), max_length=120, blank=True)
    subjects = models.CharField(_("subjects"), max_length=200, blank=True)
    title = models.CharField(
        _("professional title"), max_length=12, choices=Title.choices, blank=True
    )
    honours = models.CharField(_("honours"), max_length=100, blank=True)
    joined_on = models.DateField(_("at this institution since"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_record",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["institution_id", "name", "id"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            # Replaces the unique index on the ID number: one record per person.
            models.UniqueConstraint(fields=["id_number_index"], name="staff_one_per_id_number")
        ]
        indexes = [
            # The staff list's keyset order (selectors.STAFF_KEYSET) and name searches.
            models.Index(fields=["name", "id"], name="staff_name_id"),
            models.Index(fields=["institution", "position"]),
            # The list's order: a page is an index range, not a sort of 1.4 M rows.
            models.Index(fields=["institution", "name", "id"], name="staff_list_order"),
        ]

    def __str__(self) -> str:
        return self.name

    # The audit log records the masks under the names people know, never the sealed
    # values, the index or the version (accounts.audit.snapshot).
    audit_names = {"masked_id_number": "id_number", "masked_phone": "phone"}
    audit_excluded = frozenset(
        {"id_number_sealed", "phone_sealed", "id_number_index", "key_version"}
    )

    @property
    def stage_list(self) -> list[str]:
        return unpack(self.stages)

    @property
    def subject_list(self) -> list[str]:
        return unpack(self.subjects)

    def subject_labels(self) -> list[str]:
        return SUBJECTS.labels(self.subject_list)

    @property
    def honour_list(self) -> list[str]:
        return unpack(self.honours)

    def honour_labels(self) -> list[str]:
        return HONOURS.labels(self.honour_list)

    def stage_labels(self) -> list[str]:
        return STAGES.labels(self.stage_list)

    def years_at_institution(self, today: dt.date | None = None) -> int:
        return full_years(self.joined_on, today or dt.date.today())


class StaffTally(models.Model):
    """How many staff one institution has in one position: a roll-up, not a record.

    The home page, the region browser, coverage and the staff list's totals sum these rows
    (about ten per hundred staff) instead of counting 1.4 M staff on every view. Kept by
    ``xietong.institutions.tallies``, which the services and the demo loader call; see
    docs/decisions/0010-staff-tallies.md.
    """

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    # Copies of the institution's, so per-region sums need no join.
    region_path = models.CharField(max_length=40)
    position = models.CharField(max_length=20, choices=Position.choices)
    staff = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "position"], name="staff_tally_one_per_position"
            )
        ]
        indexes = [models.Index(fields=["region_path", "position"])]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.position}: {self.staff}"


class RegionTally(models.Model):
    """Staff of one region's own institutions in one position: the sum of its StaffTally rows.

    A few hundred rows, so "how many staff under 河北省" is a sum of a handful of rows.
    ``region_path`` is the region's path, so the registry's ``under_paths_q`` rules apply to
    these rows as they do to institutions.
    """

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=40)
    position = models.CharField(max_length=20, choices=Position.choices)
    staff = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region", "position"], name="region_tally_one_per_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.position}: {self.staff}"


class RegionMix(models.Model):
    """How many of one region's institutions have staff in exactly this set of positions.

    With it "institutions that have a teacher, a principal or a vice-principal" is a sum of
    a few rows for any set of positions (coverage lists those institutions). ``positions``
    is packed like the other code lists (``,principal,teacher,``), sorted.
    """

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=40)
    positions = models.CharField(max_length=120)
    institutions = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "positions"], name="region_mix_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.positions}: {self.institutions}"
