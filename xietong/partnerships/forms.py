"""Forms of the partnership pages: they parse and render; the services validate and write.

Field names are the services' own, so an ``InvalidInput.fields`` key lands on its field
(``members`` is a hidden field that carries the members' messages).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xietong.core.filters import filter_form
from xietong.core.pickers import BoundPicker, PickerField, PickerForm
from xietong.core.widgets import QuickSelect
from xietong.partnerships import services
from xietong.partnerships.activity_selectors import ActivityFilters
from xietong.partnerships.choices import AidRound, AllianceType, MemberRole, PartnershipKind
from xietong.partnerships.models import Partnership
from xietong.partnerships.selectors import PartnershipFilters

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MEMBER_ROWS = 8  # members given with a new partnership; more are added on its page

PartnershipFilterForm = filter_form(PartnershipFilters)
ActivityFilterForm = filter_form(ActivityFilters)


def _date(label: Any, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE, **kwargs)


class PartnershipForm(PickerForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *PartnershipKind.choices], widget=QuickSelect
    )
    alliance_type = forms.ChoiceField(
        label=_("Alliance type"),
        choices=[("", "—"), *AllianceType.choices],
        required=False,
        help_text=_("University alliances only."),
    )
    aid_round = forms.ChoiceField(
        label=_("Aid round"),
        choices=[("", "—"), *AidRound.choices],
        required=False,
        help_text=_("Aid programs only."),
    )
    institute = PickerField(
        "institutions",
        label=_("Institute"),
        required=False,
        empty_label=_("No institute"),
        help_text=_("Co-built institutes only: the institute in the registry."),
    )
    region = PickerField(
        "regions",
        label=_("Managing region"),
        help_text=_("The authorities of this area register and manage the partnership."),
    )
    starts_on = _date(_("Starts on"))
    ends_on = _date(_("Ends on"), required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    members = forms.CharField(required=False, widget=forms.HiddenInput)  # carries messages

    def __init__(
        self,
        *args: Any,
        institutions: BoundPicker,
        institutes: BoundPicker,
        regions: BoundPicker,
        partnership: Partnership | None = None,
        **kwargs: Any,
    ) -> None:
        if partnership is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": partnership.name,
                "kind": partnership.kind,
                "alliance_type": partnership.alliance_type,
                "aid_round": partnership.aid_round,
                "institute": partnership.institute_id,
                "region": partnership.region_id,
                "starts_on": partnership.starts_on,
                "ends_on": partnership.ends_on,
                "description": partnership.description,
            }
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        keep_region = [partnership.region_id] if partnership else []
        keep_institute = [partnership.institute_id] if partnership else []
        self.bind_picker("region", regions, keep=keep_region)
        self.bind_picker("institute", institutes, keep=keep_institute)
        self.member_rows: list[tuple[Any, Any, Any]] = []
        if partnership is None:
            for i in range(MEMBER_ROWS):
                self.fields[f"member_{i}"] = PickerField(
                    "institutions",
                    label=_("Member institution"),
                    required=False,
                    empty_label=_("No member"),
                )
                self.fields[f"role_{i}"] = forms.ChoiceField(
                    label=_("Role"),
                    choices=MemberRole.choices,
                    initial=MemberRole.MEMBER,
                    required=False,
                )
                self.fields[f"joined_on_{i}"] = _date(_("Joined on"), required=False)
                self.bind_picker(f"member_{i}", institutions)
            self.member_rows = [
                (self[f"member_{i}"], self[f"role_{i}"], self[f"joined_on_{i}"])
                for i in range(MEMBER_ROWS)
            ]

    def service_data(self) -> services.PartnershipIn:
        d = self.cleaned_data
        members = None
        if self.partnership is None:
            members = [
                services.MemberIn(
                    institution=d[f"member_{i}"],
                    role=d.get(f"role_{i}") or MemberRole.MEMBER,
                    joined_on=d.get(f"joined_on_{i}"),
                )
                for i in range(MEMBER_ROWS)
                if d.get(f"member_{i}")
            ]
        return services.PartnershipIn(
            kind=d["kind"],
            name=d["name"],
            region=d["region"],
            starts_on=d["starts_on"],
            ends_on=d.get("ends_on"),
            alliance_type=d.get("alliance_type") or "",
            aid_round=d.get("aid_round") or "",
            institute=d.get("institute"),
            description=d.get("description") or "",
            members=members,
        )


class MemberForm(PickerForm):
    institution = PickerField("institutions", label=_("Institution"))
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)
    joined_on = _date(_("Joined on"), required=False, help_text=_("Default: the start."))
    left_on = _date(_("Left on"), required=False)
    members = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, institutions: BoundPicker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bind_picker("institution", institutions)

    def service_data(self) -> services.MemberIn:
        d = self.cleaned_data
        return services.MemberIn(
            institution=d["institution"],
            role=d["role"],
            joined_on=d.get("joined_on"),
            left_on=d.get("left_on"),
        )


class TermForm(forms.Form):
    school_year = forms.IntegerField(
        label=_("School year starting in"),
        min_value=2000,
        max_value=2100,
        help_text=_("2024 for the school year 2024–2025."),
    )
    commitments = forms.CharField(
        label=_("Commitments"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    quota = forms.IntegerField(label=_("Places or students"), required=False, min_value=0)
    dispatch_planned = forms.IntegerField(
        label=_("People to dispatch"), required=False, min_value=0
    )
    budget_yuan = forms.DecimalField(
        label=_("Budget (yuan)"), required=False, min_value=0, max_digits=14, decimal_places=2
    )

    def service_data(self) -> services.TermIn:
        d = self.cleaned_data
        return services.TermIn(
            school_year=d["school_year"],
            commitments=d.get("commitments") or "",
            quota=d.get("quota"),
            dispatch_planned=d.get("dispatch_planned"),
            budget_yuan=d.get("budget_yuan"),
        )


class DispatchForm(PickerForm):
    staff = PickerField("partnership_staff", label=_("Person"))
    host = PickerField("partnership_members", label=_("Host"))
    post = forms.CharField(label=_("Post at the host"), max_length=60)
    starts_on = _date(_("Starts on"))
    ends_on = _date(_("Ends on"), required=False)

    def __init__(self, *args: Any, staff: BoundPicker, hosts: BoundPicker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bind_picker("staff", staff)
        self.bind_picker("host", hosts)

    def service_data(self) -> services.DispatchIn:
        d = self.cleaned_data
        return services.DispatchIn(
            staff=d["staff"],
            host=d["host"],
            post=d["post"],
            starts_on=d["starts_on"],
            ends_on=d.get("ends_on"),
        )
