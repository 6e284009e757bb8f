from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    """The upload form of the attachments partial; every check of the file is the service's."""

    file = forms.FileField(
        label=_("File"),
        required=False,  # the service says what is wrong with a missing file, as for the API
        widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm"}),
    )
    label = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
