"""QuickSelect writes the HTML Django's Select writes, without a template per option."""

from __future__ import annotations

import pytest
from django import forms

from xietong.core.widgets import QuickSelect, quick

CHOICES = [
    ("", "All <areas>"),
    ("Region groups", [("beisanxian", "北三县 & co"), ("xiongan", "雄安新区")]),
    ("131082", "三河市"),
]
ATTRS = {"class": "form-select", "id": "id_area", "aria-invalid": "true", "disabled": True}


def _lines(html: str) -> list[str]:
    return [line for line in html.splitlines() if line.strip()]


@pytest.mark.parametrize("value", ["131082", "xiongan", "", None, "unknown"])
def test_it_renders_the_same_select_as_django(value):
    expected = forms.Select(attrs=ATTRS, choices=CHOICES).render("area", value)
    assert _lines(QuickSelect(attrs=ATTRS, choices=CHOICES).render("area", value)) == _lines(
        expected
    )


def test_it_replaces_only_a_plain_select_keeping_choices_and_attributes():
    field = quick(forms.ChoiceField(choices=CHOICES, widget=forms.Select(attrs={"x": "1"})))
    assert isinstance(field.widget, QuickSelect)
    assert field.widget.attrs == {"x": "1"} and list(field.widget.choices) == CHOICES
    many = quick(forms.MultipleChoiceField(choices=CHOICES))
    assert type(many.widget) is forms.SelectMultiple
