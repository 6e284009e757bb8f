"""Shared resources: the catalogue, its reviewers and reviews, ratings and records of use.

A resource is provided by one institution (a school's famous-teacher course, a
university's lab) and seen by the audience its ``visibility`` names once published.
Stages and subjects are packed code lists (``core.delimited``); the terms a place opens
are packed school-term keys (``SchoolTerm.key``: 20241 is 2024–2025学年第一学期).
Counts of use and ratings are kept on the resource by the services that record them, so
the catalogue can rank by use without counting on every search.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xietong.core.delimited import unpack
from xietong.institutions.models import Institution, Staff
from xietong.resources.choices import (
    Edition,
    Licence,
    ResourceKind,
    ResourceStatus,
    UseKind,
    Verdict,
    Visibility,
)
from xietong.resources.search_models import TokensField

STARS = [MinValueValidator(1), MaxValueValidator(5)]


class Resource(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    stages = models.CharField(_("stages"), max_length=120, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    subjects = models.CharField(_("subjects"), max_length=200, blank=True)
    edition = models.CharField(
        _("textbook edition"), max_length=12, choices=Edition.choices, blank=True
    )
    provider = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("provider"),
    )
    provider_path = models.CharField(max_length=40, db_index=True, editable=False)
    authors: models.ManyToManyField[Staff, ResourceAuthor] = models.ManyToManyField(
        Staff,
        through="ResourceAuthor",
        related_name="authored_resources",
        verbose_name=_("authors"),
    )
    licence = models.CharField(
        _("licence"), max_length=24, choices=Licence.choices, default=Licence.REGION
    )
    link = models.URLField(_("link"), max_length=400, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (people)"), null=True, blank=True)
    open_terms = models.CharField(_("open in terms"), max_length=120, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.REGION
    )
    visible_group = models.ForeignKey(
        "regions.RegionGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region group"),
    )
    audience: models.ManyToManyField[Institution, ResourceAudience] = models.ManyToManyField(
        Institution,
        through="ResourceAudience",
        related_name="+",
        verbose_name=_("named institutions"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ResourceStatus.choices,
        default=ResourceStatus.DRAFT,
        db_index=True,
    )
    return_comment = models.TextField(blank=True, max_length=4000)
    withdraw_reason = models.TextField(blank=True, max_length=2000)
    uses = models.PositiveIntegerField(default=0, editable=False)
    lesson_uses = models.PositiveIntegerField(default=0, editable=False)
    rating_count = models.PositiveIntegerField(default=0, editable=False)
    rating_sum = models.PositiveIntegerField(default=0, editable=False)
    # the title's search tokens (``search_text.title_tokens``), kept by ``search.index``:
    # a GIN-indexed tsvector on PostgreSQL, where the first page of a search is read in
    # use order from the title matches (``search.ranked_ids``); text on SQLite
    search_title = TokensField(default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    returned_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "kind"], name="resource_status_kind"),
            models.Index(fields=["provider", "status"], name="resource_provider_status"),
            # the search's order among published resources: a first page reads it from
            # the top and stops once the page is full
            models.Index(
                fields=["-uses", "-lesson_uses", "-id"],
                name="resource_use_order",
                condition=models.Q(status="published"),
            ),
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
    def open_term_keys(self) -> list[int]:
        return [int(k) for k in unpack(self.open_terms)]

    @property
    def rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None


class ResourceAuthor(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="author_rows")
    staff = models.ForeignKey("institutions.Staff", on_delete=models.CASCADE, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "staff"], name="resource_author_once")
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.staff_id}"


class ResourceAudience(models.Model):
    """An institution a resource of visibility "named institutions" is shown to."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="audience_rows")
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "institution"], name="resource_audience_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.institution_id}"


class Reviewer(models.Model):
    """A reviewer of one subject's resources, appointed by an authority over its region:
    reviews the resources of that subject whose provider lies in the region."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_roles"
    )
    subject = models.CharField(_("subject"), max_length=20)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    region_path = models.CharField(max_length=40, editable=False)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    appointed_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["region_path", "subject", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "subject", "region"],
                condition=models.Q(ended_at__isnull=True),
                name="reviewer_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.subject} {self.region_path}"


class Review(models.Model):
    """One reviewer's verdict on a submitted resource, with the rubric's three scores."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    accuracy = models.PositiveSmallIntegerField(_("accuracy of content"), validators=STARS)
    pedagogy = models.PositiveSmallIntegerField(_("teaching design"), validators=STARS)
    presentation = models.PositiveSmallIntegerField(_("presentation quality"), validators=STARS)
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    verdict = models.CharField(_("verdict"), max_length=8, choices=Verdict.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.verdict}"


class Use(models.Model):
    """A record of use: viewed, downloaded, used in a lesson (class and date), feedback.

    ``institution`` and ``region_path`` are the user's institution when it was recorded
    and ``provider`` the resource's, kept on the row so the flows (provider → user
    region) are one grouped query; ``term`` is the school-term key of the day of use.
    """

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="use_rows")
    kind = models.CharField(_("kind"), max_length=10, choices=UseKind.choices)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    staff = models.ForeignKey(
        "institutions.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    region_path = models.CharField(max_length=40, blank=True)
    provider = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="+"
    )
    used_on = models.DateField(_("date"))
    term = models.PositiveIntegerField(_("term"))
    class_name = models.CharField(_("class"), max_length=40, blank=True)
    feedback = models.TextField(_("feedback"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-used_on", "-id"]
        indexes = [
            models.Index(fields=["resource", "kind"], name="use_resource_kind"),
            models.Index(fields=["provider", "term"], name="use_provider_term"),
            models.Index(fields=["institution", "term"], name="use_institution_term"),
            models.Index(fields=["term", "kind"], name="use_term_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.kind} {self.used_on}"


class Rating(models.Model):
    """A user's stars (1–5) and comment on a resource they used; one per user, changeable."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="ratings")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    stars = models.PositiveSmallIntegerField(_("stars"), validators=STARS)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "account"], name="rating_once"),
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="rating_stars_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.stars}"


# The search index's rows (xietong.resources.search), registered with the app here.
from xietong.resources.search_models import SearchEntry  # noqa: E402, F401
