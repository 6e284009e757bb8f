"""Periodic progress reports: an authority's numbers for a period as xlsx and PDF.

:func:`request_report` checks the request and queues a job (``dashboard.periodic_report``);
the job computes the dashboard's numbers for the authority's region and the period
(:func:`xietong.dashboard.overview.build`, the same numbers the dashboard shows at that
moment), fingerprints them (SHA-256 of their canonical JSON) and stores a workbook (a sheet
of the numbers, then one sheet per section of the plan) and a PDF as attachments of the
:class:`~xietong.plan.models.PeriodicReport`, downloadable again from the reports page.
"""

from __future__ import annotations

import hashlib
import io
import json
from decimal import Decimal
from typing import Any, Literal

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.accounts import audit
from xietong.accounts.access import Actor
from xietong.attachments import services as attachments
from xietong.core import tables
from xietong.core.errors import InvalidInput, PermissionDenied
from xietong.core.periods import Period
from xietong.dashboard import overview, pdf
from xietong.dashboard.access import covers
from xietong.dashboard.scope import Area, token_of
from xietong.institutions.choices import Kind
from xietong.institutions.models import Institution
from xietong.jobs import services as jobs
from xietong.plan.metrics import Scope
from xietong.plan.models import PeriodicReport, Task

JOB_KIND = "dashboard.periodic_report"


def authority_named(value: Institution | str | int) -> Institution:
    """An authority by itself, its id, or its region's code (``110000``)."""
    if isinstance(value, Institution):
        inst: Institution | None = value
    else:
        text = str(value).strip()
        qs = Institution.objects.filter(kind=Kind.AUTHORITY).select_related("region")
        inst = qs.filter(region__code=text).order_by("pk").first() if text.isdigit() else None
        if inst is None and text.isdigit() and len(text) != 6:
            inst = qs.filter(pk=int(text)).first()
    if inst is None or inst.kind != Kind.AUTHORITY:
        raise InvalidInput(
            _("“%(value)s” is not an education authority.") % {"value": str(value)[:40]}
        )
    return inst


def request_report(
    actor: Actor,
    authority: Institution | str | int,
    period: str | Period,
    *,
    dispatch: bool = True,
) -> PeriodicReport:
    """Queue the periodic report of ``authority`` for ``period``.

    Refuses an authority outside the actor's regions and a period that does not parse,
    with a message and nothing written. ``dispatch=False`` leaves the job queued for
    :func:`xietong.jobs.services.run_now` (the command line runs it in the foreground).
    """
    inst = authority_named(authority)
    if not covers(actor, inst.region_path):
        raise PermissionDenied(
            _("%(authority)s is outside the regions your roles reach.") % {"authority": inst.name}
        )
    p = overview.read_period(str(period) if isinstance(period, str) else period.code)
    plan = overview.plan_for(p)
    if plan is None:
        raise InvalidInput(_("No plan is loaded: there is nothing to report on."))
    from django.utils import translation

    with transaction.atomic():
        report = PeriodicReport.objects.create(
            authority=inst, plan=plan, period=p.code, requested_by_id=actor.user_id
        )
        job = jobs.enqueue(
            actor,
            JOB_KIND,
            {"report": report.pk, "language": translation.get_language() or "zh-hans"},
            target=report,
            dispatch=dispatch,
        )
        report.job = job
        report.save(update_fields=["job"])
        audit.record(
            actor,
            "plan.report.request",
            target=report,
            detail={"authority": inst.pk, "period": p.code, "job": job.pk},
        )
    return report


def area_of(report: PeriodicReport) -> Area:
    scope = Scope(region_path=report.authority_path)
    return Area(token_of(scope), report.authority.region.name, scope, report.authority.region)


def fingerprint(numbers: dict[str, Any]) -> str:
    canonical = json.dumps(numbers, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _cell(value: Decimal) -> int | float:
    """A number as the dashboard shows it: a count as a whole number, else a decimal."""
    return int(value) if value == value.to_integral_value() else float(value)


def _number_kind(values: list[Decimal]) -> Literal["int", "float"]:
    """Whole numbers are written as such (Excel shows 28, not 28.00)."""
    return "int" if all(v == v.to_integral_value() for v in values) else "float"


def workbook(data: overview.Overview) -> bytes:
    """The numbers' sheet, a sheet per chart, then one per top section with its tasks."""
    col = tables.Column
    numbers = [(n.label, n.value) for n in data.kpis] + [
        (_("Active partnerships") + " · " + n.label, n.value) for n in data.partnerships_by_kind
    ]
    sheets = [
        tables.Sheet(
            _("Numbers"),
            [
                col(_("Indicator"), width=44),
                col(_("Number"), _number_kind([v for _l, v in numbers]), 14),
            ],
            [[label, _cell(value)] for label, value in numbers],
        )
    ]
    for c in data.charts:
        sheets.append(
            tables.Sheet(
                c.title,
                [col(_("Category"), width=24)]
                + [col(name, _number_kind([n.value for n in ns]), 16) for name, ns in c.numbers],
                [
                    [cat] + [_cell(ns[i].value) for _name, ns in c.numbers]
                    for i, cat in enumerate(c.categories)
                ],
            )
        )
    for row in data.board:
        tasks = (
            Task.objects.filter(plan=data.plan)
            .filter(
                section__in=[row.section.pk, *row.section.children.values_list("pk", flat=True)]
            )
            .select_related("section")
            .order_by("order", "pk")
        )
        sheets.append(
            tables.Sheet(
                f"{row.section.number} {row.section.display_title}",
                [
                    col(_("Code"), width=10),
                    col(_("Task"), width=60),
                    col(_("Section"), width=24),
                    col(_("Deadline"), "date", 12),
                    col(_("Status"), width=12),
                ],
                [
                    [
                        t.code,
                        t.display_title,
                        f"{t.section.number} {t.section.display_title}",
                        t.deadline,
                        t.get_status_display(),
                    ]
                    for t in tasks
                ],
            )
        )
    out = io.BytesIO()
    tables.write_workbook(sheets, out)
    return out.getvalue()


def produce(actor: Actor, report: PeriodicReport, progress: Any) -> dict[str, Any]:
    """Compute, fingerprint and store the report's two files (the job's work)."""
    period = overview.read_period(report.period)
    progress(0, 3, "Computing the numbers")
    data = overview.build(area_of(report), period, {})
    numbers = data.numbers()
    sha = fingerprint(numbers)
    progress(1, 3, "Writing the workbook")
    name = f"{report.authority.region.code}-{report.period}"
    xlsx = workbook(data)
    progress(2, 3, "Writing the PDF")
    title = _("Progress report of %(authority)s, %(period)s") % {
        "authority": report.authority.name,
        "period": period.label(),
    }
    subtitle = _("%(plan)s · numbers read on %(day)s") % {
        "plan": report.plan.display_name,
        "day": data.day.isoformat(),
    }
    document = pdf.render(title, subtitle, data, sha)
    for content, ext in ((xlsx, "xlsx"), (document, "pdf")):
        attachments.attach(
            actor,
            report,
            File(io.BytesIO(content), name=f"{name}.{ext}"),
            kind="report",
            label=title,
        )
    PeriodicReport.objects.filter(pk=report.pk).update(fingerprint=sha, finished_at=timezone.now())
    progress(3, 3, "Done")
    return {"fingerprint": sha, "numbers": numbers}
