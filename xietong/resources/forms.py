"""Forms of the resource pages: they parse and render; the services validate and write.

Field names are the services' own (``ResourceIn``, ``ReviewIn``, ``UseIn``), so an
``InvalidInput.fields`` key lands on its field; the authors' and the audience's rows are
pickers whose messages land on the hidden ``authors`` and ``audience`` fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.core.codefields import CodeListField
from xietong.core.codes import STAGES, SUBJECTS
from xietong.core.filters import filter_form
from xietong.core.pickers import BoundPicker, PickerField, PickerForm
from xietong.core.terms import SchoolTerm
from xietong.core.widgets import QuickSelect
from xietong.resources import selectors, services
from xietong.resources.choices import Edition, Licence, ResourceKind, UseKind, Verdict, Visibility
from xietong.resources.models import Resource

FilterForm = filter_form(selectors.Filters)
AUTHOR_ROWS = 4
AUDIENCE_ROWS = 6
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCORES = [(str(n), str(n)) for n in range(1, 6)]


class ResourceForm(PickerForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *ResourceKind.choices], widget=QuickSelect
    )
    title = forms.CharField(label=pgettext_lazy("resources", "Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    stages = CodeListField(STAGES, label=_("Stages"), widget=forms.CheckboxSelectMultiple)
    grade = forms.CharField(
        label=_("Grade"), max_length=20, required=False, help_text=_("Such as 八年级 or 高一.")
    )
    subjects = CodeListField(
        SUBJECTS,
        label=_("Subjects"),
        help_text=_("Choose one or more; hold Ctrl (⌘ on a Mac) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    edition = forms.ChoiceField(
        label=_("Textbook edition"), choices=[("", "—"), *Edition.choices], required=False
    )
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices, initial=Licence.REGION)
    link = forms.CharField(
        label=pgettext_lazy("resources", "Link"),
        max_length=400,
        required=False,
        help_text=_("Where the resource is online (https://…); or attach files once saved."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=1, max_value=100000
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=200,
        required=False,
        help_text=_("Practice bases and labs only."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity (people)"),
        required=False,
        min_value=1,
        max_value=100000,
        help_text=_("Practice bases and labs only."),
    )
    open_terms = forms.CharField(
        label=_("Open in terms"),
        max_length=120,
        required=False,
        help_text=_(
            "Practice bases and labs only: terms such as 2025-2026-1, separated by commas."
        ),
    )
    visibility = forms.ChoiceField(
        label=_("Who may see it"), choices=Visibility.choices, widget=forms.RadioSelect
    )
    visible_group = forms.ChoiceField(
        label=_("Region group"),
        required=False,
        help_text=_("For “a region group” only."),
    )
    provider_id = forms.TypedChoiceField(
        label=_("Provider"), coerce=int, empty_value=None, required=False
    )
    authors = forms.CharField(required=False, widget=forms.HiddenInput)  # carries messages
    audience = forms.CharField(required=False, widget=forms.HiddenInput)  # carries messages

    def __init__(
        self,
        *args: Any,
        actor: Any,
        authors: BoundPicker,
        audience: BoundPicker,
        resource: Resource | None = None,
        author_ids: list[int] | None = None,
        audience_ids: list[int] | None = None,
        **kwargs: Any,
    ) -> None:
        if resource is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": resource.kind,
                "title": resource.title,
                "description": resource.description,
                "stages": resource.stage_list,
                "grade": resource.grade,
                "subjects": resource.subject_list,
                "edition": resource.edition,
                "licence": resource.licence,
                "link": resource.link,
                "duration_minutes": resource.duration_minutes,
                "address": resource.address,
                "capacity": resource.capacity,
                "open_terms": ", ".join(
                    SchoolTerm.from_key(k).code for k in resource.open_term_keys
                ),
                "visibility": resource.visibility,
                "visible_group": resource.visible_group.key if resource.visible_group else "",
                "provider_id": resource.provider_id,
                **{f"author_{i}": pk for i, pk in enumerate(author_ids or [])},
                **{f"audience_{i}": pk for i, pk in enumerate(audience_ids or [])},
            }
        kwargs.setdefault("initial", {}).setdefault("visibility", Visibility.REGION)
        super().__init__(*args, **kwargs)
        self.resource = resource
        groups = selectors.region_groups()
        self.fields["visible_group"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((g.key, g.name) for g in groups),
        ]
        kept = list(selectors.kept_institutions(actor))
        provider = self.fields["provider_id"]
        provider.choices = [(i.pk, i.name) for i in kept]  # type: ignore[attr-defined]
        if resource is not None or len(kept) < 2:
            provider.widget = forms.HiddenInput()
        for i in range(AUTHOR_ROWS):
            self.fields[f"author_{i}"] = PickerField(
                "resource_authors",
                label=_("Author"),
                required=False,
                empty_label=_("No author"),
            )
            self.bind_picker(f"author_{i}", authors, keep=(author_ids or [])[i : i + 1])
        for i in range(AUDIENCE_ROWS):
            self.fields[f"audience_{i}"] = PickerField(
                "resource_audience",
                label=_("Institution"),
                required=False,
                empty_label=_("No institution"),
            )
            self.bind_picker(f"audience_{i}", audience, keep=(audience_ids or [])[i : i + 1])
        self.author_rows = [self[f"author_{i}"] for i in range(AUTHOR_ROWS)]
        self.audience_rows = [self[f"audience_{i}"] for i in range(AUDIENCE_ROWS)]

    PLACE_FIELDS = ("address", "capacity", "open_terms")

    def main_fields(self) -> list[Any]:
        """The fields shown in the form's main column (not the place's, not the rows)."""
        skip = {*self.PLACE_FIELDS, "visibility", "visible_group", "authors", "audience"}
        return [
            b
            for b in self
            if b.name not in skip
            and not b.is_hidden
            and not b.name.startswith(("author_", "audience_"))
        ]

    def place_fields(self) -> list[Any]:
        return [self[n] for n in self.PLACE_FIELDS]

    def service_data(self) -> services.ResourceIn:
        d = self.cleaned_data
        return services.ResourceIn(
            kind=d["kind"],
            title=d["title"],
            description=d.get("description") or "",
            stages=d.get("stages") or [],
            grade=d.get("grade") or "",
            subjects=d.get("subjects") or [],
            edition=d.get("edition") or "",
            licence=d.get("licence") or Licence.REGION,
            link=d.get("link") or "",
            duration_minutes=d.get("duration_minutes"),
            address=d.get("address") or "",
            capacity=d.get("capacity"),
            open_terms=d.get("open_terms") or "",
            visibility=d["visibility"],
            visible_group=d.get("visible_group") or "",
            audience=[d[f"audience_{i}"] for i in range(AUDIENCE_ROWS) if d.get(f"audience_{i}")],
            authors=[d[f"author_{i}"] for i in range(AUTHOR_ROWS) if d.get(f"author_{i}")],
            provider_id=d.get("provider_id") if self.resource is None else None,
        )


class UseForm(forms.Form):
    """ "Record a lesson use": the day (today) and the class (the teacher's last one)."""

    used_on = forms.DateField(label=_("Taught on"), widget=DATE)
    class_name = forms.CharField(
        label=_("Class"), max_length=40, help_text=_("Such as 初二（3）班.")
    )
    feedback = forms.CharField(
        label=_("How it went (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, last_class: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"used_on": timezone.localdate(), "class_name": last_class})
        super().__init__(*args, **kwargs)

    def service_data(self) -> services.UseIn:
        d = self.cleaned_data
        return services.UseIn(
            kind=UseKind.LESSON,
            used_on=d["used_on"],
            class_name=d["class_name"],
            feedback=d.get("feedback") or "",
        )


class FeedbackForm(forms.Form):
    """Feedback to the provider on a resource the teacher used (a use of its own kind)."""

    feedback = forms.CharField(
        label=_("Feedback to the provider"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What worked in your class, what could be better."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "fb_%s")  # beside the lesson form's own feedback field
        super().__init__(*args, **kwargs)

    def service_data(self) -> services.UseIn:
        return services.UseIn(kind=UseKind.FEEDBACK, feedback=self.cleaned_data["feedback"])


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Stars"),
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=pgettext_lazy("resources", "Comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(forms.Form):
    """The review rubric: three scores from 1 to 5, a comment; publish or return."""

    accuracy = forms.TypedChoiceField(
        label=_("Accuracy of content"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    pedagogy = forms.TypedChoiceField(
        label=_("Teaching design"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    presentation = forms.TypedChoiceField(
        label=_("Presentation quality"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=pgettext_lazy("resources", "Comment"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you return the resource: say what should change."),
    )
    verdict = forms.ChoiceField(choices=Verdict.choices, widget=forms.HiddenInput, required=False)

    def service_data(self, verdict: str) -> services.ReviewIn:
        d = self.cleaned_data
        return services.ReviewIn(
            verdict=verdict,
            accuracy=d["accuracy"],
            pedagogy=d["pedagogy"],
            presentation=d["presentation"],
            comment=d.get("comment") or "",
        )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is withdrawn"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AppointForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    subject = forms.ChoiceField(label=_("Subject"), choices=[])
    region = forms.ChoiceField(label=_("Region"), choices=[])

    def __init__(self, *args: Any, regions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [("", "—"), *SUBJECTS.choices()]  # type: ignore[attr-defined]
        self.fields["region"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((r.code, r.name) for r in regions),
        ]
