"""The progress report export: exactly the report list's rows for its filters, in its order.

The list's readers export it (capability ``plan.export_reports``): the rows come from the
list's own scoped selector and filters dataclass. Past ``XIETONG_EXPORT_SYNC_ROWS`` rows the
export is a job (see ``xietong.jobs.exports``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from xietong.accounts.access import Actor
from xietong.core.tables import Column
from xietong.jobs.exports import ExportKind, Params, filter_params, filters_from, register
from xietong.plan.reports import selectors as sel

REPORTS = "plan.reports"


def _reports(actor: Actor, p: Params) -> Any:
    return sel.reports_for(actor, filters_from(sel.Filters, p))  # in the list's order


def check(actor: Actor, raw: Mapping[str, Any]) -> Params:
    """The report list's filters, checked by its own form; a period that does not read is
    refused by the selector with its message."""
    params = filter_params(sel.Filters, actor, raw)
    _reports(actor, params)
    return params


def columns(p: Params) -> Sequence[Column]:
    return [
        Column(pgettext("progress report", "Task code"), "text", 10),
        Column(pgettext("progress report", "Task"), "text", 40),
        Column(pgettext("progress report", "Body"), "text", 28),
        Column(pgettext("progress report", "Period"), "text", 10),
        Column(pgettext("progress report", "Due on"), "date", 12),
        Column(pgettext("progress report", "Progress"), "text", 12),
        Column(pgettext("progress report", "State"), "text", 10),
        Column(pgettext("progress report", "Submitted at"), "datetime", 18),
    ]


def rows(actor: Actor, p: Params) -> Iterator[list[Any]]:
    for r in _reports(actor, p).iterator(chunk_size=2000):
        yield [
            r.task.code,
            r.task.display_title,
            r.body.name,
            r.period,
            r.due_on,
            r.get_progress_display(),
            r.get_state_display(),
            r.submitted_at,
        ]


register(
    ExportKind(
        name=REPORTS,
        label=gettext_lazy("Progress reports export"),
        capability="plan.export_reports",
        denied=gettext_lazy("Your roles do not include progress reports."),
        check=check,
        count=lambda actor, p: _reports(actor, p).count(),
        columns=columns,
        rows=rows,
        filename=lambda p: f"{_('progress-reports')}_{timezone.localdate().isoformat()}",
        sheet=lambda p: pgettext("progress report", "Progress reports"),
    )
)
