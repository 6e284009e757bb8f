"""Codes of the registry: institution kinds, stages, titles, honours, positions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary school")
    SENIOR = "senior", _("Senior secondary school")
    COMPLETE_SECONDARY = "complete_secondary", _("Complete secondary school")
    NINE_YEAR = "nine_year", _("Nine-year school")
    TWELVE_YEAR = "twelve_year", _("Twelve-year school")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("Secondary vocational school")
    HIGHER_VOCATIONAL = "higher_vocational", _("Higher vocational college")
    UNIVERSITY = "university", _("University")
    AUTHORITY = "authority", _("Education authority")
    TRAINING = "training", _("Teacher-training institution")
    RESEARCH = "research", _("Research institute")


class Stage(models.TextChoices):
    PRESCHOOL = "preschool", _("Preschool")
    PRIMARY = "primary", _("Primary")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary")
    SECONDARY_VOCATIONAL = "sec_voc", _("Secondary vocational")
    HIGHER_VOCATIONAL = "higher_voc", _("Higher vocational")
    UNDERGRADUATE = "undergrad", _("Undergraduate")
    POSTGRADUATE = "postgrad", _("Postgraduate")


# The stages a kind of institution offers unless told otherwise.
DEFAULT_STAGES: dict[str, list[str]] = {
    Kind.KINDERGARTEN: [Stage.PRESCHOOL],
    Kind.PRIMARY: [Stage.PRIMARY],
    Kind.JUNIOR: [Stage.JUNIOR],
    Kind.SENIOR: [Stage.SENIOR],
    Kind.COMPLETE_SECONDARY: [Stage.JUNIOR, Stage.SENIOR],
    Kind.NINE_YEAR: [Stage.PRIMARY, Stage.JUNIOR],
    Kind.TWELVE_YEAR: [Stage.PRIMARY, Stage.JUNIOR, Stage.SENIOR],
    Kind.SECONDARY_VOCATIONAL: [Stage.SECONDARY_VOCATIONAL],
    Kind.HIGHER_VOCATIONAL: [Stage.HIGHER_VOCATIONAL],
    Kind.UNIVERSITY: [Stage.UNDERGRADUATE, Stage.POSTGRADUATE],
    Kind.AUTHORITY: [],
    Kind.TRAINING: [],
    Kind.RESEARCH: [Stage.POSTGRADUATE],
}

HIGHER_EDUCATION_KINDS = {Kind.HIGHER_VOCATIONAL, Kind.UNIVERSITY}


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


class Locality(models.TextChoices):
    URBAN = "urban", _("Urban")
    TOWN = "town", _("Town")
    RURAL = "rural", _("Rural")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Position(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    PRINCIPAL = "principal", _("Principal")
    VICE_PRINCIPAL = "vice_principal", _("Vice-principal")
    CADRE = "cadre", _("Cadre")
    RESEARCHER = "researcher", _("Researcher")


# The positions whose holders teach or lead a school: the staff the national rotation rule
# counts, kept per institution as ``Institution.teaching_staff``.
TEACHING_POSITIONS = (Position.TEACHER, Position.PRINCIPAL, Position.VICE_PRINCIPAL)


class Title(models.TextChoices):
    PROFESSOR = "professor", _("Senior professional (正高级)")
    SENIOR = "senior", _("Senior (高级)")
    FIRST = "first", _("First grade (一级)")
    SECOND = "second", _("Second grade (二级)")
    THIRD = "third", _("Third grade (三级)")


class Honour(models.TextChoices):
    SPECIAL_GRADE = "special_grade", _("Special-grade teacher (特级教师)")
    SUBJECT_LEADER = "subject_leader", _("Subject leader (学科带头人)")
    BACKBONE = "backbone", _("Backbone teacher (骨干教师)")


# Stages, titles and honours above are named constants; their code tables (names in
# Chinese and English, aliases) and the subject table live in xietong/core/data/*.tsv.
