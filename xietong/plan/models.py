"""The Action Plan as data: plans, their sections and tasks, the bodies responsible,
indicators with their history, progress reports and the records linked to tasks.

A plan is data, not code: the 2023–2025 plan and its predecessors are rows loaded from a
file (``plan/data/``). An indicator is either *computed* — a numerator (and optional
denominator) named from the metric registry (``plan.metrics``), never a formula typed in —
or *reported* per period by a named body and counted once approved. Its history
(``IndicatorValue``) keeps a value per period and scope, so trends survive later edits.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from xietong.core.locale import localized
from xietong.institutions.models import Institution
from xietong.plan.choices import (
    BodyRole,
    IndicatorSource,
    ReportStatus,
    TaskStatus,
    Unit,
    ValueOrigin,
    ValueStatus,
)
from xietong.regions.models import Region, RegionGroup

PERIOD_LENGTH = 8  # "2025Q3", "2025-07", "2025"


class Plan(models.Model):
    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signatories = models.ManyToManyField(
        Institution, blank=True, related_name="signed_plans", verbose_name=_("signatories")
    )
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("predecessor"),
    )
    summary = models.TextField(_("summary"), blank=True, max_length=8000)
    # Outcomes reported for a finished plan, as published (text, not computed).
    outcomes = models.TextField(_("reported outcomes"), blank=True, max_length=8000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="plan_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the page's language (``core.locale.localized``)."""
        return localized(self.name, self.name_en)


class Section(models.Model):
    """A part of a plan (一、…) or a section within a part (``parent``)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    number = models.CharField(_("number"), max_length=12)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=250, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="section_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def display_title(self) -> str:
        """The title in the page's language (``core.locale.localized``)."""
        return localized(self.title, self.title_en)


class Task(models.Model):
    """One measure of a plan, with its responsible bodies, deadline and target area."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("section")
    )
    code = models.CharField(_("code"), max_length=16)
    title = models.CharField(_("title"), max_length=250)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    deadline = models.DateField(_("deadline"))
    # The area the task targets: a region (and what lies beneath) or a region group.
    target_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target region"),
    )
    target_group = models.ForeignKey(
        RegionGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target region group"),
    )
    # The state the latest accepted progress report gave it (kept by the report service).
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TaskStatus.choices,
        default=TaskStatus.NOT_STARTED,
        db_index=True,
    )
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="task_code_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def display_title(self) -> str:
        """The title in the page's language (``core.locale.localized``)."""
        return localized(self.title, self.title_en)


class TaskBody(models.Model):
    """An authority or a named institution responsible (or co-responsible) for a task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="bodies")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="plan_tasks", verbose_name=_("body")
    )
    # Copy of institution.region_path: "tasks of bodies under a region" is a prefix scan.
    region_path = models.CharField(max_length=40, db_index=True, editable=False)
    role = models.CharField(_("role"), max_length=16, choices=BodyRole.choices)
    # Whether this body files progress reports on the task (every responsible body does).
    reports = models.BooleanField(_("files progress reports"), default=True)

    class Meta:
        ordering = ["task", "role", "id"]
        verbose_name = _("responsible body")
        verbose_name_plural = _("responsible bodies")
        constraints = [
            models.UniqueConstraint(fields=["task", "institution"], name="task_body_once")
        ]

    def __str__(self) -> str:
        return f"{self.task.code}: {self.institution}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.region_path = self.institution.region_path
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class TaskLink(models.Model):
    """A record (partnership, activity, exchange program, placement …) serving a task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="links")
    record_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    record_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("record_type", "record_id")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task", "record_type", "record_id"]
        verbose_name = _("linked record")
        verbose_name_plural = _("linked records")
        indexes = [models.Index(fields=["record_type", "record_id"], name="task_link_record")]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "record_type", "record_id"], name="task_link_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task.code} → {self.record_type_id}:{self.record_id}"


class Indicator(models.Model):
    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    tasks = models.ManyToManyField(Task, related_name="indicators", verbose_name=_("tasks"))
    source = models.CharField(_("source"), max_length=10, choices=IndicatorSource.choices)
    # Computed: metric keys from plan.metrics (numerator, optional denominator) and the
    # metric's parameters (a partnership kind, a region group …).
    numerator = models.CharField(_("numerator"), max_length=60, blank=True)
    denominator = models.CharField(_("denominator"), max_length=60, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # Reported: the body that reports it each period.
    reporter = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_indicators",
        verbose_name=_("reported by"),
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    period_kind = models.CharField(_("period"), max_length=8, default="quarter")
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_period = models.CharField(_("baseline period"), max_length=PERIOD_LENGTH, blank=True)
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the page's language (``core.locale.localized``)."""
        return localized(self.name, self.name_en)


class IndicatorValue(models.Model):
    """One value in an indicator's history: for a period and a scope.

    The scope is the whole plan area (``""``), a region with everything beneath it, or a
    region group (``plan.metrics.Scope``); ``stage`` narrows it to one stage of education.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period = models.CharField(_("period"), max_length=PERIOD_LENGTH, db_index=True)
    # plan.metrics.Scope.key: "" (the whole area), "region:130000" or "group:xiongan".
    scope = models.CharField(_("scope"), max_length=40, blank=True, default="")
    stage = models.CharField(_("stage"), max_length=12, blank=True)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    numerator = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=ValueOrigin.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ValueStatus.choices, default=ValueStatus.APPROVED
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    source_note = models.CharField(_("source"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.CharField(_("review comment"), max_length=1000, blank=True)

    class Meta:
        ordering = ["indicator", "period", "id"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "scope", "stage"], name="indicator_value_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.key} {self.period}: {self.value}"


class ProgressReport(models.Model):
    """A body's report on a task for a period: status, narrative, evidence, values."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    body = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="progress_reports")
    body_path = models.CharField(max_length=40, db_index=True, editable=False)
    period = models.CharField(_("period"), max_length=PERIOD_LENGTH, db_index=True)
    due_on = models.DateField(_("due on"))
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ReportStatus.choices,
        default=ReportStatus.DRAFT,
        db_index=True,
    )
    progress = models.CharField(
        _("progress"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.ON_TRACK
    )
    narrative = models.TextField(_("narrative"), blank=True, max_length=8000)
    # The task's indicator values when the report was submitted: {key: {value, period…}}.
    values = models.JSONField(default=dict, blank=True, editable=False)
    review_comment = models.TextField(_("review comment"), blank=True, max_length=4000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    returned_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period", "task", "body"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(fields=["task", "body", "period"], name="progress_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.task.code} {self.period} {self.body}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.body_path = self.body.region_path
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ReviewNote(models.Model):
    """One return or acceptance comment, kept so a report's review history survives."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="notes")
    verdict = models.CharField(max_length=10, choices=ReportStatus.choices)
    comment = models.TextField(max_length=4000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "written_at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.verdict}"


class PeriodicReport(models.Model):
    """A generated progress report of an authority for a period (xlsx and PDF)."""

    authority = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="plan_reports"
    )
    authority_path = models.CharField(max_length=40, db_index=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="periodic_reports")
    period = models.CharField(_("period"), max_length=PERIOD_LENGTH)
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # SHA-256 of the numbers the report shows (canonical JSON), and of each file.
    fingerprint = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("periodic report")
        verbose_name_plural = _("periodic reports")

    def __str__(self) -> str:
        return f"{self.authority_id} {self.period}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.authority_path = self.authority.region_path
        super().save(*args, **kwargs)  # type: ignore[arg-type]
