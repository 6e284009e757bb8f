"""Forms of the training pages. Numbers, dates and times are taken as typed and checked
by the services (one set of rules and messages for the pages, the API and the CLI)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.core.codefields import CodeListField
from xietong.core.codes import STAGES, SUBJECTS, TITLES
from xietong.core.pickers import BoundPicker, PickerField, PickerForm
from xietong.institutions.choices import Position
from xietong.regions.models import RegionGroup
from xietong.training.choices import CreditType, Mode
from xietong.training.services.programs import ProgramIn, SessionIn


def _text(label: Any, *, required: bool = False, max_length: int = 40, **attrs: Any) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs=attrs) if attrs else None,
    )


def _group_choices() -> list[tuple[str, str]]:
    return [(g.key, str(g)) for g in RegionGroup.objects.order_by("name")]


class ProgramForm(forms.Form):
    provider_id = forms.TypedChoiceField(
        label=pgettext_lazy("training", "Provider"), coerce=int, required=False, empty_value=None
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    hours = _text(_("Hours"), required=True, inputmode="decimal")
    credit_type = forms.ChoiceField(label=_("Credit type"), choices=CreditType.choices)
    capacity = _text(_("Capacity"), required=True, inputmode="numeric")
    mode = forms.ChoiceField(label=pgettext_lazy("training", "Mode"), choices=Mode.choices)
    fee_yuan = _text(_("Fee (yuan)"), inputmode="decimal")
    applications_open = _text(_("Applications open"), required=True, type="date")
    applications_close = _text(_("Applications close"), required=True, type="date")
    min_attendance = _text(_("Attendance required (%)"), inputmode="numeric")
    assessed = forms.BooleanField(label=_("An assessment must be passed"), required=False)
    stages = CodeListField(STAGES, label=_("Stages"), widget=forms.CheckboxSelectMultiple)
    subjects = CodeListField(SUBJECTS, label=_("Subjects"), widget=forms.SelectMultiple)
    positions = forms.MultipleChoiceField(
        label=_("Positions"),
        choices=Position.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    titles = CodeListField(TITLES, label=_("Titles"), widget=forms.CheckboxSelectMultiple)
    regions = forms.CharField(
        label=_("Regions (codes)"),
        required=False,
        max_length=2000,
        help_text=_("Six-digit region codes separated by commas, such as 130638, 131082."),
    )
    region_groups = forms.MultipleChoiceField(
        label=_("Region groups"),
        choices=_group_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    eligibility = forms.CharField(
        label=_("Eligibility"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, providers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["provider_id"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = providers
        if len(providers) <= 1:
            field.widget = forms.HiddenInput()

    def service_data(self) -> ProgramIn:
        d = self.cleaned_data
        codes = [c for c in str(d.get("regions") or "").replace("，", ",").split(",") if c.strip()]
        return ProgramIn(
            title=d["title"],
            description=d.get("description") or "",
            stages=d.get("stages") or [],
            subjects=d.get("subjects") or [],
            positions=list(d.get("positions") or []),
            titles=d.get("titles") or [],
            regions=[c.strip() for c in codes],
            region_groups=list(d.get("region_groups") or []),
            eligibility=d.get("eligibility") or "",
            hours=d.get("hours"),
            credit_type=d["credit_type"],
            capacity=d.get("capacity"),
            mode=d["mode"],
            fee_yuan=d.get("fee_yuan") or 0,
            applications_open=d.get("applications_open"),
            applications_close=d.get("applications_close"),
            min_attendance=d.get("min_attendance"),
            assessed=bool(d.get("assessed")),
            provider_id=d.get("provider_id"),
        )


class SessionForm(forms.Form):
    starts_at = _text(_("Starts at"), required=True, type="datetime-local")
    ends_at = _text(_("Ends at"), required=True, type="datetime-local")
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    link = forms.CharField(label=_("Link"), required=False, max_length=400)
    trainer = forms.CharField(label=_("Trainer"), required=False, max_length=100)
    topic = forms.CharField(label=_("Topic"), required=False, max_length=200)

    def service_data(self) -> SessionIn:
        d = self.cleaned_data
        return SessionIn(
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            place=d.get("place") or "",
            link=d.get("link") or "",
            trainer=d.get("trainer") or "",
            topic=d.get("topic") or "",
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class QuotaForm(PickerForm):
    region = PickerField("regions", label=_("Region"))
    places = _text(_("Places"), required=True, inputmode="numeric")

    def __init__(self, *args: Any, regions: BoundPicker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bind_picker("region", regions)


class EnrollForForm(PickerForm):
    staff = PickerField("staff", label=_("Teacher"))

    def __init__(self, *args: Any, staff: BoundPicker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bind_picker("staff", staff)


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


class VerifyForm(forms.Form):
    number = forms.CharField(
        label=_("Certificate number"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "XT2025-000123-ABCDEFGH", "autofocus": True}),
    )
