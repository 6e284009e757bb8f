"""The catalogue export: exactly the catalogue's rows for its filters, in its order.

Everyone who browses the catalogue exports it (capability ``resources.browse``): the rows
come from the catalogue's own scoped selector and filters dataclass. Past
``XIETONG_EXPORT_SYNC_ROWS`` rows the export is a job (see ``xietong.jobs.exports``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from xietong.accounts.access import Actor
from xietong.core.codes import STAGES, SUBJECTS
from xietong.core.delimited import unpack
from xietong.core.tables import Column
from xietong.jobs.exports import ExportKind, Params, filter_params, filters_from, register
from xietong.resources import selectors
from xietong.resources.choices import Edition, ResourceKind, ResourceStatus, Visibility

CATALOGUE = "resources"


def _resources(actor: Actor, p: Params) -> Any:
    return selectors.catalogue(actor, filters_from(selectors.Filters, p))


def check(actor: Actor, raw: Mapping[str, Any]) -> Params:
    """The catalogue's filters, checked by its own form."""
    return filter_params(selectors.Filters, actor, raw)


def columns(p: Params) -> Sequence[Column]:
    return [
        Column(pgettext("resources", "Title"), "text", 40),
        Column(_("Kind"), "text", 14),
        Column(_("Provider"), "text", 28),
        Column(_("Stages"), "text", 16),
        Column(_("Subjects"), "text", 16),
        Column(_("Textbook edition"), "text", 16),
        Column(_("Visibility"), "text", 14),
        Column(pgettext("resources", "State"), "text", 10),
        Column(_("Published on"), "date", 12),
        Column(_("Uses"), "int", 8),
        Column(_("Lesson uses"), "int", 8),
        Column(_("Rating"), "float", 8),
        Column(_("Ratings"), "int", 8),
    ]


def rows(actor: Actor, p: Params) -> Iterator[list[Any]]:
    kinds = {k: str(v) for k, v in ResourceKind.choices}
    editions = {k: str(v) for k, v in Edition.choices}
    visibility = {k: str(v) for k, v in Visibility.choices}
    states = {k: str(v) for k, v in ResourceStatus.choices}
    fields = (
        "title",
        "kind",
        "provider__name",
        "stages",
        "subjects",
        "edition",
        "visibility",
        "status",
        "published_at",
        "uses",
        "lesson_uses",
        "rating_sum",
        "rating_count",
    )
    for (
        title,
        kind,
        provider,
        stages,
        subjects,
        edition,
        vis,
        status,
        published,
        uses,
        lessons,
        rating_sum,
        rating_count,
    ) in _resources(actor, p).values_list(*fields).iterator(chunk_size=2000):
        yield [
            title,
            kinds.get(kind, kind),
            provider,
            "、".join(STAGES.labels(unpack(stages))),
            "、".join(SUBJECTS.labels(unpack(subjects))),
            editions.get(edition, ""),
            visibility.get(vis, vis),
            states.get(status, status),
            timezone.localdate(published) if published else None,
            uses,
            lessons,
            round(rating_sum / rating_count, 1) if rating_count else None,
            rating_count,
        ]


register(
    ExportKind(
        name=CATALOGUE,
        label=gettext_lazy("Shared resources export"),
        capability="resources.browse",
        denied=gettext_lazy("Your roles do not include shared resources."),
        check=check,
        count=lambda actor, p: _resources(actor, p).count(),
        columns=columns,
        rows=rows,
        filename=lambda p: f"{_('shared-resources')}_{timezone.localdate().isoformat()}",
        sheet=lambda p: _("Shared resources"),
    )
)
