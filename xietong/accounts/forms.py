"""Forms of the account pages: they parse and render; the services validate and write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from xietong.accounts.models import Role
from xietong.accounts.selectors import USER_STATE_CHOICES, AuditFilters
from xietong.core.filters import CURSOR, DateTextField, filter_form
from xietong.core.pickers import BoundPicker, PickerField, PickerForm
from xietong.institutions.forms import page_size_field, region_choices
from xietong.regions.models import Region


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _new_password_field(label: Any, *, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=help_text,
    )


class _NewPasswordTwice(forms.Form):
    """A new password typed twice; subclasses name the fields."""

    differ = _("The two new passwords differ.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password2") != data.get("password"):
            self.add_error("password2", self.differ)
        return data


class PasswordChangeForm(_NewPasswordTwice):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    password = _new_password_field(
        _("New password"), help_text=password_validation.password_validators_help_text_html
    )
    password2 = _new_password_field(_("New password again"))


class PasswordResetForm(_NewPasswordTwice):
    """The security admin's temporary password for another account."""

    differ = _("The two passwords differ.")
    password = _new_password_field(
        _("Temporary password"), help_text=password_validation.password_validators_help_text_html
    )
    password2 = _new_password_field(_("Temporary password again"))


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. roster import script")}),
    )
    # The range is the service's rule (and message): the form only reads a whole number.
    days = forms.IntegerField(label=_("Valid for (days)"), initial=90)


class UserSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("User name or name")}),
    )
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All accounts")), *USER_STATE_CHOICES],
    )
    page_size = page_size_field()


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=50, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )


class RoleGrantForm(PickerForm):
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices])
    region = forms.CharField(
        label=_("Region"),
        required=False,
        widget=forms.Select,
        help_text=_("For the authority roles: the region they cover."),
    )
    institution = PickerField(
        "institutions_to_name",
        label=_("Institution"),
        required=False,
        help_text=_("For the institution administrator: search by name or school identifier."),
    )

    def __init__(self, *args: Any, institutions: BoundPicker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = Region.objects.only("code", "name", "path")
        self.fields["region"].widget.choices = [("", "—"), *region_choices(regions)]
        self.bind_picker("institution", institutions)


AuditFilterForm = filter_form(AuditFilters, paging=CURSOR)


class AuditExportForm(forms.Form):
    """The export panel of the audit log: which days, which format (the export checks)."""

    start = DateTextField(label=_("First day"), required=False)
    end = DateTextField(label=_("Last day"), required=False)
    format = forms.ChoiceField(label=_("Format"), choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from xietong.jobs import exports

        formats = exports.format_choices(exports.kind_named("audit"))
        cast(forms.ChoiceField, self.fields["format"]).choices = formats
