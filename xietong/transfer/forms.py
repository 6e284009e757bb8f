from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xietong.transfer.rosters import Roster


class UploadForm(forms.Form):
    roster = forms.ChoiceField(label=_("Roster"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("xlsx, xls or CSV (UTF-8 or GBK), in the template's shape."),
    )

    def __init__(self, *args: object, rosters: list[Roster], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["roster"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(r.name, r.label) for r in rosters]
