"""The kinds, roles and states of partnerships, agreements and activities."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnershipKind(models.TextChoices):
    COOPERATIVE = "cooperative", _("Cooperative schooling")
    PAIRED = "paired", _("Paired assistance")
    GROUP = "group", _("Education group")
    SCHOOL_ALLIANCE = "school_alliance", _("School alliance")
    UNIVERSITY_ALLIANCE = "university_alliance", _("University alliance")
    BRANCH = "branch", _("Branch campus")
    ENTRUSTMENT = "entrustment", _("Management entrustment")
    DISPATCHED_TEAM = "dispatched_team", _("Dispatched management team")
    AID = "aid", _("Aid program")
    INSTITUTE = "institute", _("Co-built institute")
    RESEARCH_COMMUNITY = "research_community", _("Teaching-research community")
    DISTANCE = "distance", _("Distance-education link")


class AllianceType(models.TextChoices):
    """The three types of university alliance the plan names."""

    HIGH_LEVEL = "high_level", _("High-level universities")
    APPLIED = "applied", _("Applied and technical universities")
    NORMAL = "normal", _("Normal universities")


class AidRound(models.TextChoices):
    """Beijing's aid programs for Xiong'an: three schools built (建三), four supported (援四)."""

    BUILD_THREE = "build_three", _("Build three (建三)")
    AID_FOUR = "aid_four", _("Aid four (援四)")


class PartnershipStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class MemberRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    MEMBER = "member", _("Member")
    SUPPORTED = "supported", _("Supported")


class VersionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved by every party")
    SUPERSEDED = "superseded", _("Superseded")


class ActivityKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    LECTURE = "lecture", _("Lecture")
    JOINT_RESEARCH = "joint_research", _("Joint teaching research")
    REMOTE_CLASS = "remote_class", _("Remote class")
    SHARED_LESSON = "shared_lesson", _("Shared lesson")
    TRAINING = "training", _("Training")
    TEAM_WORK = "team_work", _("Dispatched team work")
    STUDENT_EXCHANGE = "student_exchange", _("Student exchange")
