"""The code lists of shared resources: kinds, textbook editions, licences, visibility, states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ResourceKind(models.TextChoices):
    COURSE = "course", _("Course")
    LESSON_VIDEO = "lesson_video", _("Lesson video")
    COURSEWARE = "courseware", _("Courseware")
    EXERCISES = "exercises", _("Exercise set")
    STUDIO = "studio", _("Famous-teacher studio")
    PRACTICE_BASE = "practice_base", _("Practice base")
    LAB = "lab", _("Lab")
    PLATFORM = "platform", _("Digital platform")


# Kinds that are places: they carry an address, a capacity and the terms they open.
PLACES = frozenset({ResourceKind.PRACTICE_BASE, ResourceKind.LAB})


class Edition(models.TextChoices):
    """Textbook editions (教材版本) a lesson follows."""

    TONGBIAN = "tongbian", _("统编版 (national unified edition)")
    RENJIAO = "renjiao", _("人教版 (People's Education Press)")
    BEISHIDA = "beishida", _("北师大版 (Beijing Normal University Press)")
    SUJIAO = "sujiao", _("苏教版 (Jiangsu Education Press)")
    WAIYAN = "waiyan", _("外研版 (FLTRP)")
    HUJIAO = "hujiao", _("沪教版 (Shanghai Education Press)")
    JIJIAO = "jijiao", _("冀教版 (Hebei Education Press)")
    BEIJING = "beijing", _("北京版 (Beijing Press)")
    OTHER = "other", pgettext_lazy("edition", "Other")


class Licence(models.TextChoices):
    CC_BY = "CC-BY-4.0", "CC BY 4.0"
    CC_BY_SA = "CC-BY-SA-4.0", "CC BY-SA 4.0"
    CC_BY_NC = "CC-BY-NC-4.0", "CC BY-NC 4.0"
    CC_BY_NC_SA = "CC-BY-NC-SA-4.0", "CC BY-NC-SA 4.0"
    CC_BY_ND = "CC-BY-ND-4.0", "CC BY-ND 4.0"
    CC0 = "CC0-1.0", "CC0 1.0"
    REGION = "region-share", _("Shared within the collaboration region")
    RESERVED = "all-rights-reserved", _("All rights reserved (use with permission)")


# The licences' public addresses (for metadata exports); the two Xietong licences have none.
LICENCE_URLS = {
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC_BY_NC: "https://creativecommons.org/licenses/by-nc/4.0/",
    Licence.CC_BY_NC_SA: "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    Licence.CC_BY_ND: "https://creativecommons.org/licenses/by-nd/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
}


class Visibility(models.TextChoices):
    REGION = "region", _("The whole region")
    PARTNERS = "partners", _("Partners only")
    GROUP = "group", _("A region group")
    NAMED = "named", _("Named institutions")


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("resource", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("resource", "Submitted for review")
    RETURNED = "returned", pgettext_lazy("resource", "Returned")
    PUBLISHED = "published", pgettext_lazy("resource", "Published")
    WITHDRAWN = "withdrawn", pgettext_lazy("resource", "Withdrawn")


class UseKind(models.TextChoices):
    VIEW = "view", _("Viewed")
    DOWNLOAD = "download", _("Downloaded")
    LESSON = "lesson", _("Used in a lesson")
    FEEDBACK = "feedback", _("Feedback")


class Verdict(models.TextChoices):
    PUBLISH = "publish", _("Publish")
    RETURN = "return", _("Return for changes")
