"""Teacher training's metrics for the plan's indicators (registered from the app's ready()).

Both count completed enrollments (``status = completed``) whose completion falls within
the span (``completed_at`` from the first day's midnight to the day after the last, in the
platform's time zone). A scope narrows the teacher's side — the region the enrollment was
earned in (``region_path``, kept on the row) — and a stage the stages of the teacher's
institution then; the ``provider`` parameter (an institution's id) keeps one provider's
programs:

* ``training.teachers_trained`` — distinct teachers (staff records) with such an
  enrollment;
* ``training.credited_hours`` — the hours credited on those enrollments (one decimal).

A period of the dashboard is the span, so a term is read as the term's days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.delimited import needle
from xietong.institutions.models import Staff
from xietong.plan.metrics import Metric, Params, Scope, Span, count_by_area, register, scope_paths
from xietong.regions.selectors import under_paths_q
from xietong.training.choices import EnrollmentStatus
from xietong.training.models import Enrollment

AREAS = frozenset({"region", "group", "stage"})
PARAMS: Mapping[str, tuple[str, ...] | None] = {"provider": None}


def bounds(span: Span) -> tuple[dt.datetime, dt.datetime]:
    """The span's first midnight and the midnight after its last day (local time)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(span.starts_on, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(span.ends_on + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _completed(span: Span, params: Params, stage: str) -> QuerySet[Enrollment]:
    start, end = bounds(span)
    qs = Enrollment.objects.filter(
        status=EnrollmentStatus.COMPLETED, completed_at__gte=start, completed_at__lt=end
    )
    provider = str(params.get("provider") or "").strip()
    if provider:
        if not provider.isdigit():
            return qs.none()
        qs = qs.filter(program__provider_id=int(provider))
    if stage:
        qs = qs.filter(institution__stages__contains=needle(stage))
    return qs


def completed(scope: Scope, span: Span, params: Params) -> QuerySet[Enrollment]:
    """The completed enrollments the metrics count, in the scope."""
    qs = _completed(span, params, scope.stage)
    paths = scope_paths(scope)
    return qs if paths is None else qs.filter(under_paths_q(paths, "region_path"))


def teachers_trained(scope: Scope, span: Span, params: Params) -> QuerySet[Staff]:
    return Staff.objects.filter(pk__in=completed(scope, span, params).values("staff_id"))


def teachers_by_area(
    stage: str, span: Span, params: Params, areas: Mapping[int, Sequence[str]]
) -> dict[int, int]:
    return count_by_area(_completed(span, params, stage), areas, "staff_id")


def credited_hours(scope: Scope, span: Span, params: Params) -> Decimal:
    total = completed(scope, span, params).aggregate(h=Sum("hours_credited"))["h"]
    return Decimal(total or 0).quantize(Decimal("0.1"))


def register_all() -> None:
    register(
        Metric(
            key="training.teachers_trained",
            label=_("Teachers trained"),
            description=_(
                "Teachers of the area who completed a training program within the period "
                "(each teacher once), optionally of one provider."
            ),
            records=teachers_trained,
            by_area=teachers_by_area,
            model=Staff,
            breakdowns=AREAS,
            params=PARAMS,
        )
    )
    register(
        Metric(
            key="training.credited_hours",
            label=_("Training hours credited"),
            description=_(
                "Continuing-education hours credited on the training programs that teachers "
                "of the area completed within the period, optionally of one provider."
            ),
            records=completed,
            value=credited_hours,
            model=Enrollment,
            breakdowns=AREAS,
            params=PARAMS,
        )
    )
