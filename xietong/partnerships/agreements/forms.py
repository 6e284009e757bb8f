"""The version form: clauses in one text area, each clause starting with a ``## heading``
line (works without JavaScript)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xietong.partnerships.agreements.services import VersionIn

HEADING = "## "


def parse_clauses(text: str) -> list[dict[str, str]]:
    """``"## 一、目标\\n共同教研\\n## 二、期限\\n三年"`` → two clauses; text before the first
    heading line is a clause without a heading."""
    clauses: list[dict[str, str]] = []
    heading, lines = "", []  # type: ignore[var-annotated]
    started = False
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        if line.lstrip().startswith("##"):
            if started or "".join(lines).strip():
                clauses.append({"heading": heading, "text": "\n".join(lines).strip()})
            heading, lines, started = line.lstrip()[2:].strip(), [], True
        else:
            lines.append(line)
    if started or "".join(lines).strip():
        clauses.append({"heading": heading, "text": "\n".join(lines).strip()})
    return [c for c in clauses if c["heading"] or c["text"]]


def clauses_text(clauses: Sequence[Mapping[str, Any]]) -> str:
    """The inverse of :func:`parse_clauses`, to edit a version's clauses."""
    return "\n\n".join(f"{HEADING}{c.get('heading', '')}\n{c.get('text', '')}" for c in clauses)


class VersionForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=150)
    starts_on = forms.DateField(
        label=_("in force from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("in force until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    clauses = forms.CharField(
        label=_("clauses"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Start each clause with a line “## heading”, followed by its text."),
    )
    note = forms.CharField(label=_("what changed"), max_length=300, required=False)

    def service_data(self) -> VersionIn:
        d = self.cleaned_data
        return VersionIn(
            title=d["title"],
            starts_on=d["starts_on"],
            ends_on=d.get("ends_on"),
            clauses=parse_clauses(d["clauses"]),
            note=d.get("note") or "",
        )


class CompareForm(forms.Form):
    left = forms.TypedChoiceField(label=_("Compare"), coerce=int)
    right = forms.TypedChoiceField(label=_("with"), coerce=int)

    def __init__(self, *args: Any, numbers: Sequence[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(n, f"v{n}") for n in numbers]
        self.fields["left"].choices = choices  # type: ignore[attr-defined]
        self.fields["right"].choices = choices  # type: ignore[attr-defined]
        for name in ("left", "right"):
            self.fields[name].widget.attrs["class"] = "form-select"
