"""The plan's indicators over JSON (under /api/plan/indicators): the list, one indicator
with its history, projection and breakdown, its value for a scope and period computed now,
reported values and their review, and snapshots on demand (a job)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from xietong.core.errors import NotFound
from xietong.core.periods import containing, read
from xietong.plan.api import ERRORS
from xietong.plan.indicators import selectors as sel
from xietong.plan.indicators import services, snapshots
from xietong.plan.indicators.services import parse_scope
from xietong.plan.models import Indicator, IndicatorValue

router = Router(tags=["plan indicators"])


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


class ValueOut(Schema):
    id: int
    period: str
    scope: str
    stage: str
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    origin: str
    status: str
    note: str
    source_note: str
    review_comment: str


class ProjectionOut(Schema):
    latest: Decimal | None
    progress: Decimal | None = Field(description="share of the way from baseline to target")
    slope: Decimal | None = Field(description="change per period of the least-squares trend")
    points: int
    projected: Decimal | None = Field(description="the trend's value at the target period")
    target_period: str | None
    at_risk: bool | None
    explanation: str


class IndicatorOut(Schema):
    key: str
    name: str
    name_en: str
    source: str
    numerator: str
    denominator: str
    unit: str
    period_kind: str
    reporter: str | None
    baseline: Decimal | None
    baseline_period: str
    target: Decimal | None
    target_date: dt.date | None
    projection: ProjectionOut


class PartOut(Schema):
    scope: str
    label: str
    value: Decimal | None


class IndicatorDetailOut(IndicatorOut):
    description: str
    tasks: list[str]
    history: list[ValueOut]
    breakdown_period: str | None
    provinces: list[PartOut]
    groups: list[PartOut]


class ComputedOut(Schema):
    period: str
    scope: str
    stage: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None


class ReportIn(Schema):
    period: str = Field(max_length=40)
    value: str = Field(max_length=40)
    scope: str = Field("", max_length=40)
    stage: str = Field("", max_length=12)
    note: str = Field("", max_length=500)
    submit: bool = False


class ReviewIn(Schema):
    verdict: str = Field(max_length=10, description="approve or return")
    comment: str = Field("", max_length=1000)


class SnapshotIn(Schema):
    periods: list[str] = Field(max_length=40)
    indicators: list[str] = Field(default_factory=list, max_length=200)


class JobOut(Schema):
    job: int
    status: str


def _value(v: IndicatorValue) -> dict[str, Any]:
    return {
        f: getattr(v, f)
        for f in (
            "id",
            "period",
            "scope",
            "stage",
            "value",
            "numerator",
            "denominator",
            "origin",
            "status",
            "note",
            "source_note",
            "review_comment",
        )
    }


def _projection(i: Indicator, scope: str = "") -> dict[str, Any]:
    a = sel.assessment(i, scope)
    return {
        "latest": a.latest,
        "progress": a.progress,
        "slope": a.trend.slope if a.trend else None,
        "points": a.trend.points if a.trend else 0,
        "projected": a.projected,
        "target_period": a.target_period.code if a.target_period else None,
        "at_risk": a.at_risk,
        "explanation": a.explanation,
    }


def _indicator(i: Indicator, scope: str = "") -> dict[str, Any]:
    return {
        "key": i.key,
        "name": i.name,
        "name_en": i.name_en,
        "source": i.source,
        "numerator": i.numerator,
        "denominator": i.denominator,
        "unit": i.unit,
        "period_kind": i.period_kind,
        "reporter": i.reporter.name if i.reporter else None,
        "baseline": i.baseline,
        "baseline_period": i.baseline_period,
        "target": i.target,
        "target_date": i.target_date,
        "projection": _projection(i, scope),
    }


@router.post("/snapshot", response={202: JobOut, **ERRORS})
def snapshot(request: HttpRequest, data: SnapshotIn) -> Any:
    job: Any = snapshots.request_snapshot(_actor(request), data.periods, data.indicators)
    return 202, {"job": job.pk, "status": job.status}


@router.get("", response={200: list[IndicatorOut], **ERRORS})
def list_indicators(request: HttpRequest) -> Any:
    return [_indicator(i) for i in sel.indicators_for(_actor(request))]


@router.get("/{key}", response={200: IndicatorDetailOut, **ERRORS})
def indicator(request: HttpRequest, key: str, scope: str = "") -> Any:
    i = sel.indicator_detail(_actor(request), key)
    parse_scope(scope)
    rows = sel.history(i, scope)
    latest = rows[-1].period if rows else None
    parts = sel.breakdown(i, latest) if latest else {"provinces": [], "groups": []}
    return {
        **_indicator(i, scope),
        "description": i.description,
        "tasks": [t.code for t in i.tasks.all()],
        "history": [_value(v) for v in rows],
        "breakdown_period": latest,
        "provinces": [p.__dict__ for p in parts["provinces"]],
        "groups": [p.__dict__ for p in parts["groups"]],
    }


@router.get("/{key}/value", response={200: ComputedOut, **ERRORS})
def value_now(
    request: HttpRequest, key: str, period: str = "", scope: str = "", stage: str = ""
) -> Any:
    """The value computed now from the records (a reported indicator: its approved value)."""
    i = sel.indicator_detail(_actor(request), key)
    p = read(period) if period else containing(timezone.localdate())
    s = parse_scope(scope, stage)
    c = sel.value_for(i, s, p)
    return {
        "period": p.code,
        "scope": s.key,
        "stage": s.stage,
        "value": c.value,
        "numerator": c.numerator,
        "denominator": c.denominator,
    }


@router.post("/{key}/values", response={201: ValueOut, **ERRORS})
def report(request: HttpRequest, key: str, data: ReportIn) -> Any:
    actor = _actor(request)
    i = sel.indicator_detail(actor, key)
    row = services.report_value(
        actor, i, data.period, data.value, scope=data.scope, stage=data.stage, note=data.note
    )
    if data.submit:
        row = services.submit_value(actor, row)
    return 201, _value(row)


def _reported(actor: Any, pk: int) -> IndicatorValue:
    from xietong import access

    row = (
        IndicatorValue.objects.filter(access.read_q(actor, IndicatorValue), pk=pk)
        .select_related("indicator")
        .first()
    )
    if row is None:
        raise NotFound()
    return row


@router.post("/values/{pk}/submit", response={200: ValueOut, **ERRORS})
def submit(request: HttpRequest, pk: int) -> Any:
    actor = _actor(request)
    return _value(services.submit_value(actor, _reported(actor, pk)))


@router.post("/values/{pk}/review", response={200: ValueOut, **ERRORS})
def review(request: HttpRequest, pk: int, data: ReviewIn) -> Any:
    actor = _actor(request)
    return _value(services.review_value(actor, _reported(actor, pk), data.verdict, data.comment))
