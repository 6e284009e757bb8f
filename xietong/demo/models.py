"""What the synthetic generator has loaded, so that loading is idempotent and reversible."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DemoLoad(models.Model):
    """One synthetic population in the database.

    The generated rows carry no marker of their own (the registry's tables stay as they
    are); instead the ids they were given are recorded here as inclusive ``[first, last]``
    runs, which is what ``xietong demo --replace`` deletes.
    """

    scale = models.DecimalField(_("scale"), max_digits=9, decimal_places=6)
    seed = models.BigIntegerField(_("seed"))
    counts = models.JSONField(_("counts"), default=dict)
    institution_ids = models.JSONField(default=list)
    staff_ids = models.JSONField(default=list)
    seconds = models.FloatField(_("seconds to load"), null=True, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        ordering = ["-loaded_at"]
        verbose_name = _("demo load")
        verbose_name_plural = _("demo loads")

    def __str__(self) -> str:
        return f"scale {self.scale.normalize()} seed {self.seed}"
