"""Forms of the registry pages: they parse and render; the services validate and write.

Field names are the model's, so a service's ``InvalidInput.fields`` lands on the right
field. Codes the services check themselves (region, parent, institution) are plain text
fields shown as selects, so an unknown code gets the service's own specific message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xietong.core.codefields import CodeField, CodeListField
from xietong.core.codes import HONOURS, STAGES, SUBJECTS, TITLES
from xietong.core.filters import CURSOR, filter_form
from xietong.core.pickers import BoundPicker, PickerField, PickerForm
from xietong.institutions import selectors
from xietong.institutions.choices import (
    Gender,
    Kind,
    Locality,
    Ownership,
    Position,
)
from xietong.institutions.models import Institution, Lab, Staff
from xietong.institutions.selectors import InstitutionFilters, StaffFilters
from xietong.regions.choices import group_choices, region_choices
from xietong.regions.models import Region

__all__ = ["group_choices", "region_choices"]

NBSP = "\u00a0"
Choices = list[tuple[Any, Any]]


def _label(model: Any, name: str) -> Any:
    return model._meta.get_field(name).verbose_name


def _help(model: Any, name: str) -> Any:
    return model._meta.get_field(name).help_text


def area_choices() -> Choices:
    """The area filter: every region group, then every region (reference data, two queries)."""
    return [("", _("All areas")), *selectors.area_choices()]


def page_size_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Per page"),
        choices=[(n, str(n)) for n in settings.XIETONG_PAGE_SIZES],
        coerce=int,
        required=False,
    )


# --- filters -----------------------------------------------------------------------------


InstitutionFilterForm = filter_form(InstitutionFilters)
StaffFilterForm = filter_form(StaffFilters, paging=CURSOR)


# --- institutions --------------------------------------------------------------------------


class InstitutionForm(PickerForm):
    name = forms.CharField(label=_label(Institution, "name"), max_length=100)
    name_en = forms.CharField(label=_label(Institution, "name_en"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_label(Institution, "kind"), choices=[("", "—"), *Kind.choices])
    school_code = forms.CharField(
        label=_label(Institution, "school_code"),
        required=False,
        help_text=_help(Institution, "school_code"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    stages = CodeListField(
        STAGES,
        label=_label(Institution, "stages"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to use the usual stages of the kind."),
    )
    ownership = forms.ChoiceField(label=_label(Institution, "ownership"), choices=Ownership.choices)
    locality = forms.ChoiceField(label=_label(Institution, "locality"), choices=Locality.choices)
    region = forms.CharField(label=_label(Institution, "region"), widget=forms.Select)
    address = forms.CharField(label=_label(Institution, "address"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=_label(Institution, "latitude"),
        required=False,
        max_digits=8,
        decimal_places=5,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    longitude = forms.DecimalField(
        label=_label(Institution, "longitude"),
        required=False,
        max_digits=8,
        decimal_places=5,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    parent = PickerField(
        "institutions",
        label=_label(Institution, "parent"),
        required=False,
        help_text=_help(Institution, "parent"),
        empty_label=_("None (a main campus)"),
    )

    def __init__(
        self,
        *args: Any,
        regions: Iterable[Region],
        parents: BoundPicker,
        keep_parent: Institution | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.choices = [("", "—"), *region_choices(regions)]
        self.bind_picker("parent", parents, keep=[keep_parent])

    @staticmethod
    def initial_for(inst: Institution) -> dict[str, Any]:
        return {
            "name": inst.name,
            "name_en": inst.name_en,
            "kind": inst.kind,
            "school_code": inst.school_code or "",
            "stages": inst.stage_list,
            "ownership": inst.ownership,
            "locality": inst.locality,
            "region": inst.region.code,
            "address": inst.address,
            "latitude": inst.latitude,
            "longitude": inst.longitude,
            "parent": inst.parent_id,
        }

    def service_data(self, *, changed_only: bool = False) -> dict[str, Any]:
        """The ``data`` of ``create_institution`` / ``update_institution``."""
        d = self.cleaned_data
        names = self.changed_data if changed_only else list(self.fields)
        data = {name: d[name] for name in names}
        if not changed_only and not data.get("stages"):
            data.pop("stages", None)  # the kind's usual stages
        return data


class LabForm(forms.Form):
    name = forms.CharField(label=_label(Lab, "name"), max_length=100)
    field = forms.CharField(label=_label(Lab, "field"), max_length=50, required=False)
    opened_on = forms.DateField(
        label=_label(Lab, "opened_on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


# --- staff -------------------------------------------------------------------------------


class StaffForm(PickerForm):
    name = forms.CharField(label=_("Full name"), max_length=50)
    id_number = forms.CharField(
        label=_label(Staff, "masked_id_number"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    gender = forms.ChoiceField(
        label=_label(Staff, "gender"),
        required=False,
        choices=[("", _("From the ID number")), *Gender.choices],
    )
    birth_date = forms.DateField(
        label=_label(Staff, "birth_date"),
        required=False,
        help_text=_("Leave blank to take it from the ID number."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    phone = forms.CharField(
        label=_label(Staff, "masked_phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    institution = PickerField("institutions", label=_label(Staff, "institution"))
    position = forms.ChoiceField(label=_label(Staff, "position"), choices=Position.choices)
    title = CodeField(TITLES, label=_label(Staff, "title"), required=False)
    stages = CodeListField(
        STAGES, label=_label(Staff, "stages"), widget=forms.CheckboxSelectMultiple
    )
    subjects = CodeListField(
        SUBJECTS,
        label=_label(Staff, "subjects"),
        help_text=_("Choose one or more; hold Ctrl (⌘ on a Mac) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    honours = CodeListField(
        HONOURS, label=_label(Staff, "honours"), widget=forms.CheckboxSelectMultiple
    )
    joined_on = forms.DateField(
        label=_label(Staff, "joined_on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self,
        *args: Any,
        institutions: BoundPicker,
        masked: Staff | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        kept = [masked.institution_id] if masked is not None else []
        self.bind_picker("institution", institutions, keep=kept)
        if masked is not None:
            # Editing: personal data is never put into the page; blank keeps the stored value.
            keep = _("Leave blank to keep the stored value.")
            for name, shown in (
                ("id_number", masked.masked_id_number),
                ("phone", masked.masked_phone),
            ):
                f = self.fields[name]
                f.required = False
                f.help_text = keep
                f.widget.attrs["placeholder"] = shown

    @staticmethod
    def initial_for(staff: Staff) -> dict[str, Any]:
        return {
            "name": staff.name,
            "id_number": "",
            "gender": staff.gender,
            "birth_date": staff.birth_date,
            "phone": "",
            "institution": staff.institution_id,
            "position": staff.position,
            "title": staff.title,
            "stages": staff.stage_list,
            "subjects": staff.subject_list,
            "honours": staff.honour_list,
            "joined_on": staff.joined_on,
        }

    def service_data(self, *, changed_only: bool = False) -> dict[str, Any]:
        """The ``data`` of ``create_staff`` / ``update_staff``."""
        d = self.cleaned_data
        names = self.changed_data if changed_only else list(self.fields)
        data = {name: d[name] for name in names}
        if changed_only:
            for name in ("id_number", "phone"):
                if name in data and not data[name]:
                    data.pop(name)  # blank keeps the stored value
        return data
