"""GB/T 2260 administrative divisions and the named region groups of the plan."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A province, city or county.

    ``path`` is the materialised path of codes from the province down, each followed by
    a slash (``130000/131000/131082/``), so "everything under this region" is one
    indexed prefix query on any database.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")

    code = models.CharField(_("code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/")

    @property
    def province_code(self) -> str:
        return self.code[:2]


class RegionGroup(models.Model):
    """A named set of regions that is not a division of its own (雄安新区, 北三县 …)."""

    key = models.SlugField(_("key"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    members = models.ManyToManyField(Region, related_name="groups", verbose_name=_("members"))

    class Meta:
        ordering = ["key"]
        verbose_name = _("region group")
        verbose_name_plural = _("region groups")

    def __str__(self) -> str:
        return self.name
