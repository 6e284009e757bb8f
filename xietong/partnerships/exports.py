"""The partnership export: exactly the partnership list's rows for its filters, in its order.

The list's readers export it (capability ``partnerships.export``): the rows come from the
list's own scoped selector and filters dataclass. Past ``XIETONG_EXPORT_SYNC_ROWS`` rows the
export is a job (see ``xietong.jobs.exports``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.access import Actor
from xietong.core.tables import Column
from xietong.jobs.exports import ExportKind, Params, filter_params, filters_from, register
from xietong.partnerships import selectors
from xietong.partnerships.choices import PartnershipKind, PartnershipStatus

PARTNERSHIPS = "partnerships"
ORDER = ("-starts_on", "name", "id")  # the partnership list's order


def _partnerships(actor: Actor, p: Params) -> Any:
    filters = filters_from(selectors.PartnershipFilters, p)
    return selectors.partnerships_for(actor, filters).order_by(*ORDER)


def check(actor: Actor, raw: Mapping[str, Any]) -> Params:
    """The partnership list's filters, checked by its own form."""
    return filter_params(selectors.PartnershipFilters, actor, raw)


def columns(p: Params) -> Sequence[Column]:
    return [
        Column(_("Name"), "text", 36),
        Column(_("Kind"), "text", 14),
        Column(_("Managing region"), "text", 12),
        Column(_("Starts on"), "date", 12),
        Column(_("Ends on"), "date", 12),
        Column(_("Members"), "int", 8),
        Column(_("Status"), "text", 10),
    ]


def rows(actor: Actor, p: Params) -> Iterator[list[Any]]:
    kinds = {k: str(v) for k, v in PartnershipKind.choices}
    statuses = {k: str(v) for k, v in PartnershipStatus.choices}
    fields = ("name", "kind", "region__name", "starts_on", "ends_on", "member_count", "status")
    for name, kind, region, starts, ends, members, status in (
        _partnerships(actor, p).values_list(*fields).iterator(chunk_size=2000)
    ):
        yield [name, kinds.get(kind, kind), region, starts, ends, members, statuses.get(status)]


register(
    ExportKind(
        name=PARTNERSHIPS,
        label=gettext_lazy("Partnerships export"),
        capability="partnerships.export",
        denied=gettext_lazy("Your roles do not include partnerships."),
        check=check,
        count=lambda actor, p: _partnerships(actor, p).count(),
        columns=columns,
        rows=rows,
        filename=lambda p: f"{_('partnerships')}_{timezone.localdate().isoformat()}",
        sheet=lambda p: _("Partnerships"),
    )
)


# --- the activity list ---------------------------------------------------------------------

ACTIVITIES = "partnerships.activities"


def _activities(actor: Actor, p: Params) -> Any:
    from xietong.partnerships import activity_selectors

    filters = filters_from(activity_selectors.ActivityFilters, p)
    return activity_selectors.activities_for(actor, filters)  # in the list's order


def check_activities(actor: Actor, raw: Mapping[str, Any]) -> Params:
    """The activity list's filters, checked by its own form."""
    from xietong.partnerships import activity_selectors

    return filter_params(activity_selectors.ActivityFilters, actor, raw)


def activity_columns(p: Params) -> Sequence[Column]:
    from django.utils.text import capfirst

    from xietong.partnerships.models import Activity

    def label(field: str) -> str:  # the model's own words ("title" is not a person's 职称)
        return str(capfirst(getattr(Activity._meta.get_field(field), "verbose_name", field)))

    return [
        Column(_("Date"), "date", 12),
        Column(_("Kind"), "text", 12),
        Column(label("title"), "text", 36),
        Column(_("Partnership"), "text", 30),
        Column(_("Institutions"), "text", 40),
        Column(label("location"), "text", 20),
        Column(label("hours"), "float", 8),
        Column(label("teachers"), "int", 8),
        Column(label("students"), "int", 8),
    ]


def activity_rows(actor: Actor, p: Params) -> Iterator[list[Any]]:
    """The activities, 500 at a time with their institutions (one prefetch a chunk)."""
    for a in _activities(actor, p).iterator(chunk_size=500):
        yield [
            a.occurred_on,
            a.get_kind_display(),
            a.title,
            a.partnership.name,
            "、".join(i.name for i in a.institutions.all()),
            a.location,
            float(a.hours) if a.hours is not None else None,
            a.teachers,
            a.students,
        ]


register(
    ExportKind(
        name=ACTIVITIES,
        label=gettext_lazy("Partnership activities export"),
        capability="partnerships.export",
        denied=gettext_lazy("Your roles do not include partnerships."),
        check=check_activities,
        count=lambda actor, p: _activities(actor, p).count(),
        columns=activity_columns,
        rows=activity_rows,
        filename=lambda p: f"{_('partnership-activities')}_{timezone.localdate().isoformat()}",
        sheet=lambda p: _("Activities"),
    )
)
