from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.plan.choices import TaskStatus
from xietong.plan.reports.services import ReportIn


class ReportForm(forms.Form):
    period = forms.CharField(
        label=pgettext_lazy("progress report", "Period"),
        max_length=20,
        required=False,
        help_text=_("A quarter, such as 2025Q3 or 2025年第3季度."),
    )
    progress = forms.ChoiceField(label=_("State of the task"), choices=TaskStatus.choices)
    narrative = forms.CharField(
        label=pgettext_lazy("progress report", "Narrative"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def service_data(self) -> ReportIn:
        d = self.cleaned_data
        return ReportIn(
            period=d.get("period") or "", progress=d["progress"], narrative=d.get("narrative") or ""
        )


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=pgettext_lazy("progress report", "Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
