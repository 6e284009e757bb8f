"""Codes of the exchanges capability."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xietong.institutions.choices import TEACHING_POSITIONS


class ProgramKind(models.TextChoices):
    SECONDMENT = "secondment", _("Secondment (挂职)")
    SHADOWING = "shadowing", _("Shadowing (跟岗)")
    VISIT = "visit", _("Study visit")
    TEACHING_SUPPORT = "teaching_support", _("Teaching support (支教)")
    HIGHER_ED_SECONDMENT = "higher_ed_secondment", _("Higher-education secondment")


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for applications")
    CLOSED = "closed", _("Applications closed")
    MATCHING = "matching", _("Matching")
    PUBLISHED = "published", _("Results published")
    FINISHED = "finished", _("Finished")


# Allowed manual status changes of a program; "matching" and "published" are set by runs.
PROGRAM_STATUS_MOVES: dict[str, set[str]] = {
    ProgramStatus.DRAFT: {ProgramStatus.OPEN},
    ProgramStatus.OPEN: {ProgramStatus.CLOSED, ProgramStatus.DRAFT},
    ProgramStatus.CLOSED: {ProgramStatus.OPEN},
    ProgramStatus.MATCHING: {ProgramStatus.CLOSED},
    ProgramStatus.PUBLISHED: {ProgramStatus.FINISHED},
    ProgramStatus.FINISHED: set(),
}


class Side(models.TextChoices):
    SENDING = "sending", _("Sending")
    HOST = "host", _("Host")


class AppStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RECOMMENDED = "recommended", _("Recommended by the home institution")
    APPROVED = "approved", _("Approved by the authority")
    MATCHED = "matched", _("Matched")
    CONFIRMED = "confirmed", _("Confirmed")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Rejected")


WITHDRAWABLE = {
    AppStatus.DRAFT,
    AppStatus.SUBMITTED,
    AppStatus.RECOMMENDED,
    AppStatus.APPROVED,
    AppStatus.MATCHED,
}
CLOSED_STATES = {AppStatus.WITHDRAWN, AppStatus.REJECTED}
# Counted as "rotated" by the national rule: out on exchange or back from one.
ROTATED_STATES = {AppStatus.CONFIRMED, AppStatus.IN_PROGRESS, AppStatus.COMPLETED}


class RunMode(models.TextChoices):
    STABLE = "stable", _("Stable matching (deferred acceptance)")
    MIN_COST = "min_cost", _("Minimum-cost assignment")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    PUBLISHED = "published", _("Published")


RANKING_RULES = ("backbone_first", "years_desc", "score_desc", "title_desc", "applied_first")


class PlacementStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended (reports due)")
    COMPLETED = "completed", _("Completed")


class ReportKind(models.TextChoices):
    MIDTERM = "midterm", _("Mid-term report")
    COMPLETION = "completion", _("Completion report")


class AuthorSide(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    HOST = "host", _("Host")


class DutyKind(models.TextChoices):
    OPEN_LESSON = "open_lesson", _("Open lesson")
    REPORT = "report", _("Report to colleagues")
    OTHER = "other", _("Other")


ELIGIBLE_POSITIONS = tuple(str(p) for p in TEACHING_POSITIONS)
BACKBONE_HONOURS = ("backbone", "subject_leader", "special_grade")


TERMS = [(1, _("First term")), (2, _("Second term"))]
