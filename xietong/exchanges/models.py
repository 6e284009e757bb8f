"""Exchange programs, host offers with slots, applications, matching runs and placements.

Rules that must hold under concurrency live in the database: an offer slot never has more
places taken than it has (``taken <= capacity``), a teacher applies once per program.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xietong.core.codes import SUBJECTS
from xietong.core.delimited import unpack
from xietong.core.termfields import term_key_expression
from xietong.core.terms import SchoolTerm
from xietong.exchanges.choices import (
    AppStatus,
    AuthorSide,
    DutyKind,
    PlacementStatus,
    ProgramKind,
    ProgramStatus,
    ReportKind,
    RunMode,
    RunStatus,
    Side,
)


class Program(models.Model):
    kind = models.CharField(_("kind"), max_length=24, choices=ProgramKind.choices)
    organiser = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="organised_programs",
        verbose_name=_("organising authority"),
    )
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="exchange_programs",
        verbose_name=_("owning region"),
    )
    title = models.CharField(_("title"), max_length=200)
    school_year = models.CharField(_("school year"), max_length=9, db_index=True)
    term = models.PositiveSmallIntegerField(_("term"))
    # SchoolTerm.key (start year * 10 + term), computed by the database: order and filter on it.
    term_key = models.GeneratedField(
        expression=term_key_expression("school_year", "term"),
        output_field=models.IntegerField(),
        db_persist=True,
        db_index=True,
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    duration_weeks = models.PositiveSmallIntegerField(_("duration in weeks"), null=True, blank=True)
    # Eligibility: packed code lists (empty means "any") and numeric bounds.
    elig_stages = models.CharField(_("eligible stages"), max_length=120, blank=True)
    elig_subjects = models.CharField(_("eligible subjects"), max_length=300, blank=True)
    elig_titles = models.CharField(_("eligible titles"), max_length=100, blank=True)
    elig_positions = models.CharField(_("eligible positions"), max_length=100, blank=True)
    min_years = models.PositiveSmallIntegerField(
        _("minimum years at the institution"), null=True, blank=True
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    max_choices = models.PositiveSmallIntegerField(_("maximum choices"), default=3)
    opens_at = models.DateTimeField(_("applications open"))
    closes_at = models.DateTimeField(_("applications close"))
    quota = models.PositiveIntegerField(_("quota"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ProgramStatus.choices,
        default=ProgramStatus.DRAFT,
        db_index=True,
    )
    repeated_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="repeats"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-term_key", "title", "id"]
        verbose_name = _("exchange program")
        verbose_name_plural = _("exchange programs")
        constraints = [
            models.CheckConstraint(condition=Q(term__in=[1, 2]), name="program_term_1_or_2"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="program_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="program_window_ordered"
            ),
            models.CheckConstraint(condition=Q(max_choices__gte=1), name="program_max_choices"),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(max_age__gte=F("min_age")),
                name="program_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def school_term(self) -> SchoolTerm:
        return SchoolTerm.parse((self.school_year, self.term))

    def codes(self, field: str) -> list[str]:
        return unpack(getattr(self, field))


class ProgramArea(models.Model):
    """One entry of a program's sending or host scope: a region, a group or an institution."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="areas")
    side = models.CharField(_("side"), max_length=8, choices=Side.choices)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, null=True, blank=True)
    group = models.ForeignKey(
        "regions.RegionGroup", on_delete=models.PROTECT, null=True, blank=True
    )
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, null=True, blank=True
    )

    class Meta:
        verbose_name = _("program area")
        verbose_name_plural = _("program areas")
        constraints = [
            models.CheckConstraint(
                name="program_area_exactly_one_target",
                condition=(
                    Q(region__isnull=False, group__isnull=True, institution__isnull=True)
                    | Q(region__isnull=True, group__isnull=False, institution__isnull=True)
                    | Q(region__isnull=True, group__isnull=True, institution__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.side}: {self.label}"

    @property
    def label(self) -> str:
        """The name of the region, group or institution this entry names."""
        named = self.region or self.group or self.institution
        return named.name if named is not None else ""


class HostOffer(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="offers")
    host = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="exchange_offers",
        verbose_name=_("host institution"),
    )
    mentor = models.ForeignKey(
        "institutions.Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentored_offers",
        verbose_name=_("mentor"),
    )
    requirements = models.TextField(_("requirements"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program_id", "id"]
        verbose_name = _("host offer")
        verbose_name_plural = _("host offers")

    def __str__(self) -> str:
        return f"{self.host} · {self.program}"


class OfferSlot(models.Model):
    offer = models.ForeignKey(HostOffer, on_delete=models.CASCADE, related_name="slots")
    stage = models.CharField(_("stage"), max_length=12)
    subject = models.CharField(_("subject"), max_length=30)
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    taken = models.PositiveSmallIntegerField(_("taken"), default=0)

    class Meta:
        ordering = ["offer_id", "id"]
        verbose_name = _("offer slot")
        verbose_name_plural = _("offer slots")
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="slot_not_overfull"),
            models.CheckConstraint(condition=Q(taken__gte=0), name="slot_taken_not_negative"),
            models.UniqueConstraint(
                fields=["offer", "stage", "subject"], name="slot_unique_stage_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer.host} · {self.stage} · {self.subject}"

    @property
    def subject_label(self) -> str:
        return SUBJECTS.label(self.subject)

    @property
    def free(self) -> int:
        return self.capacity - self.taken


class Application(models.Model):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        "institutions.Staff", on_delete=models.PROTECT, related_name="exchange_applications"
    )
    # The home post: kept for the whole exchange, even if the staff record moves later.
    home = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="sent_applications"
    )
    statement = models.TextField(_("statement"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AppStatus.choices,
        default=AppStatus.DRAFT,
        db_index=True,
    )
    score = models.DecimalField(
        _("assessment score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    recommended_at = models.DateTimeField(null=True, blank=True)
    notice_starts_on = models.DateField(_("public notice from"), null=True, blank=True)
    notice_ends_on = models.DateField(_("public notice until"), null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # 审批意见: the home school's and the authority's comments on their step (a return's
    # comment is its reason, below).
    recommend_comment = models.CharField(_("recommendation comment"), max_length=500, blank=True)
    approve_comment = models.CharField(_("approval comment"), max_length=500, blank=True)
    matched_at = models.DateTimeField(null=True, blank=True)
    matched_slot = models.ForeignKey(
        OfferSlot, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    matched_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("exchange application")
        verbose_name_plural = _("exchange applications")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "applicant"],
                condition=~Q(status__in=[AppStatus.WITHDRAWN, AppStatus.REJECTED]),
                name="application_once_per_program",
            ),
            models.CheckConstraint(
                condition=Q(notice_starts_on__isnull=True)
                | Q(notice_ends_on__gte=F("notice_starts_on")),
                name="application_notice_ordered",
            ),
        ]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"{self.applicant} → {self.program}"


class ApplicationChoice(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="choices")
    rank = models.PositiveSmallIntegerField(_("rank"))
    offer = models.ForeignKey(HostOffer, on_delete=models.PROTECT, related_name="choices")

    class Meta:
        ordering = ["application_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="choice_unique_rank"),
            models.UniqueConstraint(fields=["application", "offer"], name="choice_unique_offer"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="choice_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.offer}"


class MatchingRun(models.Model):
    """A run's inputs and results; how far its execution got lives on its :class:`Job`.

    ``status`` is the run's own lifecycle — ``queued`` until results are stored (the job
    says whether it waits, runs or failed), then ``done`` and ``published``.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="runs")
    mode = models.CharField(_("mode"), max_length=10, choices=RunMode.choices)
    parameters = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    # Null only between the run's insert and its job's, inside start_matching_run.
    job = models.OneToOneField(
        "jobs.Job", on_delete=models.PROTECT, null=True, blank=True, related_name="matching_run"
    )
    inputs = models.JSONField(null=True, blank=True)
    statistics = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.program} ({self.mode})"

    @property
    def state(self) -> str:
        """The status to show: the run's once it has results, else its job's."""
        if self.status != RunStatus.QUEUED or self.job is None:
            return self.status
        return _JOB_STATE.get(self.job.status, RunStatus.QUEUED)

    @property
    def state_label(self) -> str:
        return str(RunStatus(self.state).label)


_JOB_STATE = {"queued": RunStatus.QUEUED, "running": RunStatus.RUNNING}
_JOB_STATE.update(failed=RunStatus.FAILED, cancelled=RunStatus.FAILED, succeeded=RunStatus.DONE)


class MatchResult(models.Model):
    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="results")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="match_results"
    )
    slot = models.ForeignKey(OfferSlot, on_delete=models.PROTECT, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    # Reason codes with parameters (see xietong.exchanges.explanations), rendered when read.
    explanation = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["run_id", "application_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "application"], name="result_once_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.application_id} → {self.slot_id}"


class Placement(models.Model):
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="placement"
    )
    slot = models.ForeignKey(OfferSlot, on_delete=models.PROTECT, related_name="placements")
    host = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="hosted_placements"
    )
    home = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="sent_placements"
    )
    mentor = models.ForeignKey(
        "institutions.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        max_length=10,
        choices=PlacementStatus.choices,
        default=PlacementStatus.PLANNED,
    )
    score = models.DecimalField(
        _("evaluation score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    grade = models.CharField(_("evaluation grade"), max_length=20, blank=True)
    hours_credited = models.PositiveIntegerField(_("hours credited"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # When the placement's time was over: set by the daily job once ``ends_on`` has passed,
    # or by completing it before then.
    ended_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="placement_ends_after_start"
            )
        ]
        # The daily job looks for active placements whose end date has passed.
        indexes = [models.Index(fields=["status", "ends_on"], name="placement_status_ends")]

    def __str__(self) -> str:
        return f"{self.application.applicant} @ {self.host}"


class PlacementLog(models.Model):
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="logs")
    week_starting = models.DateField(_("week starting"))
    content = models.TextField(_("content"))
    hours = models.PositiveSmallIntegerField(_("hours"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["placement_id", "week_starting"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "week_starting"], name="log_once_per_week")
        ]

    def __str__(self) -> str:
        return f"{self.placement_id} {self.week_starting}"


class PlacementReport(models.Model):
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=10, choices=ReportKind.choices)
    side = models.CharField(max_length=8, choices=AuthorSide.choices)
    content = models.TextField(_("content"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["placement_id", "kind", "side"]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "kind", "side"], name="report_once_per_kind_side"
            )
        ]

    def __str__(self) -> str:
        return f"{self.placement_id} {self.kind} {self.side}"


class ReturnDuty(models.Model):
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="duties")
    kind = models.CharField(max_length=12, choices=DutyKind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        ordering = ["placement_id", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_on}"
