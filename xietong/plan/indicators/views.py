"""The indicator pages: the list (latest value, progress, at risk) and one indicator (its
history as a table and a line chart with the target and the projection, the at-risk
sentence, the latest period by province and region group, reported values and review)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from xietong import access
from xietong.core.views import refusals, through_service
from xietong.plan.choices import IndicatorSource, ValueStatus
from xietong.plan.indicators import access as rules
from xietong.plan.indicators import selectors as sel
from xietong.plan.indicators import services
from xietong.plan.indicators.projection import ordinal
from xietong.plan.models import Indicator, IndicatorValue


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    period = forms.CharField(label=pgettext_lazy("indicator", "Period"), max_length=40)
    value = forms.CharField(label=pgettext_lazy("indicator", "Value"), max_length=40)
    note = forms.CharField(label=pgettext_lazy("indicator", "Note"), max_length=500, required=False)
    submit = forms.BooleanField(label=gettext_lazy("Submit for review now"), required=False)


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        choices=[
            ("approve", pgettext_lazy("indicator", "Approve")),
            ("return", pgettext_lazy("indicator", "Return")),
        ]
    )
    comment = forms.CharField(
        label=pgettext_lazy("indicator", "Comment"), max_length=1000, required=False
    )


@login_required
@refusals
def indicator_list(request: HttpRequest) -> HttpResponse:
    rows = []
    for i in sel.indicators_for(_actor(request)):
        a = sel.assessment(i)
        rows.append({"indicator": i, "a": a, "percent": _percent(a.progress)})
    return render(request, "plan_indicators/list.html", {"rows": rows})


def _percent(share: Decimal | None) -> Decimal | None:
    return None if share is None else (share * 100).quantize(Decimal("0.1"))


def _chart(i: Indicator, history: list[IndicatorValue], a: Any) -> dict[str, Any]:
    """The line chart's data: the history, the target line, the projection to the target."""
    periods = [v.period for v in history]
    values = [float(v.value) for v in history]
    projection: list[float | None] = [None] * len(periods)
    if a.trend is not None and a.target_period is not None and history:
        last = history[-1]
        from xietong.core.periods import parse

        p = parse(last.period)
        projection[-1] = float(last.value)
        while ordinal(p) < ordinal(a.target_period):
            p = p.next()
            periods.append(p.code)
            values.append(None)  # type: ignore[arg-type]
            projection.append(float(a.trend.at(p)))
    return {
        "periods": periods,
        "values": values,
        "projection": projection,
        "target": float(i.target) if i.target is not None else None,
        "names": {
            "values": pgettext("indicator", "Value"),
            "projection": pgettext("indicator", "Projection"),
            "target": pgettext("indicator", "Target"),
        },
    }


@login_required
@refusals
def indicator_detail(request: HttpRequest, key: str) -> HttpResponse:
    actor = _actor(request)
    i = sel.indicator_detail(actor, key)
    history = sel.history(i)
    a = sel.assessment(i)
    latest = history[-1].period if history else None
    context: dict[str, Any] = {
        "indicator": i,
        "history": history,
        "a": a,
        "percent": _percent(a.progress),
        "chart": _chart(i, history, a),
        "latest": latest,
        "parts": sel.breakdown(i, latest) if latest else None,
    }
    if i.source == IndicatorSource.REPORTED:
        context["reported"] = list(sel.reported_values(actor, i))
        context["to_review"] = {v.pk for v in sel.values_to_review(actor).filter(indicator=i)}
        if rules.reports(actor, i):
            context["report_form"] = ReportForm()
        context["review_form"] = ReviewForm()
    return render(request, "plan_indicators/detail.html", context)


@login_required
@require_POST
@refusals
def report(request: HttpRequest, key: str) -> HttpResponse:
    actor = _actor(request)
    i = sel.indicator_detail(actor, key)
    form = ReportForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data

        def write() -> IndicatorValue:
            row = services.report_value(actor, i, d["period"], d["value"], note=d["note"])
            return services.submit_value(actor, row) if d["submit"] else row

        row = through_service(form, write)
        if row is not None:
            messages.success(
                request, _("The value for %(period)s is saved.") % {"period": row.period}
            )
            return redirect("plan_indicators:detail", key=i.key)
    for error in form.non_field_errors():
        messages.error(request, str(error))
    for name, errors in form.errors.items():
        if name != "__all__":
            for error in errors:
                messages.error(request, f"{form.fields[name].label}: {error}")
    return redirect("plan_indicators:detail", key=i.key)


def _value_of(actor: Any, i: Indicator, pk: int) -> IndicatorValue:
    from xietong.core.errors import NotFound

    row = IndicatorValue.objects.filter(
        access.read_q(actor, IndicatorValue), indicator=i, pk=pk
    ).first()
    if row is None:
        raise NotFound()
    return row


@login_required
@require_POST
@refusals
def submit(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    actor = _actor(request)
    i = sel.indicator_detail(actor, key)
    form = forms.Form(request.POST)
    if through_service(form, lambda: services.submit_value(actor, _value_of(actor, i, pk))):
        messages.success(request, _("The value is submitted for review."))
    for error in form.non_field_errors():
        messages.error(request, str(error))
    return redirect("plan_indicators:detail", key=i.key)


@login_required
@require_POST
@refusals
def review(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    actor = _actor(request)
    i = sel.indicator_detail(actor, key)
    form = ReviewForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        row = through_service(
            form,
            lambda: services.review_value(
                actor, _value_of(actor, i, pk), d["verdict"], d["comment"]
            ),
        )
        if row is not None:
            if row.status == ValueStatus.APPROVED:
                messages.success(request, _("The value is approved; it counts from now."))
            else:
                messages.success(request, _("The value is returned to its reporter."))
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return redirect("plan_indicators:detail", key=i.key)
