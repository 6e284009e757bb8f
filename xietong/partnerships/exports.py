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
