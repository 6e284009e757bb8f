"""Forms of the exchange pages: they parse and render; the services validate and write.

Field names are the services' own, so an ``InvalidInput.fields`` key lands on its field
(``choices`` and ``eligibility`` are hidden fields that only carry those messages).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.codefields import CodeField, CodeListField
from xietong.core.codes import STAGES, SUBJECTS, TITLES
from xietong.core.filters import filter_form, page_size_field
from xietong.core.pickers import BoundPicker, PickerField, PickerForm
from xietong.core.termfields import SchoolTermField, SchoolYearField, span
from xietong.core.terms import TermSpan
from xietong.core.widgets import QuickSelect
from xietong.exchanges.choices import (
    PROGRAM_STATUS_MOVES,
    TERMS,
    DutyKind,
    ProgramKind,
    ProgramStatus,
    ReportKind,
    RunMode,
)
from xietong.exchanges.coverage import DEFAULT_SORT, sort_choices
from xietong.exchanges.models import HostOffer, Program
from xietong.exchanges.selectors import (
    PlacementFilters,
    ProgramFilters,
    ReviewFilters,
    RunFilters,
)
from xietong.institutions.choices import Position
from xietong.institutions.forms import area_choices

Choices = list[tuple[Any, Any]]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


# --- programs ----------------------------------------------------------------------------------


ProgramFilterForm = filter_form(ProgramFilters)
ReviewFilterForm = filter_form(ReviewFilters)
PlacementFilterForm = filter_form(PlacementFilters)
RunFilterForm = filter_form(RunFilters, paging=None)


class ProgramForm(PickerForm):
    title = forms.CharField(label=_("Program title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *ProgramKind.choices])
    organiser = PickerField("institutions", label=_("Organising authority"))
    region = forms.CharField(label=_("Owning region"), widget=forms.Select)
    school_term = SchoolTermField(label=_("Term"))
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    duration_weeks = forms.IntegerField(
        label=_("Duration in weeks"), required=False, min_value=1, max_value=104
    )
    opens_at = forms.DateTimeField(label=_("Applications open"), widget=DATETIME)
    closes_at = forms.DateTimeField(label=_("Applications close"), widget=DATETIME)
    max_choices = forms.IntegerField(
        label=_("Maximum choices"), min_value=1, max_value=10, initial=3
    )
    quota = forms.IntegerField(label=_("Quota"), required=False, min_value=0)
    sending_areas = forms.MultipleChoiceField(
        label=_("Sending area"),
        required=False,
        help_text=_("Regions or region groups teachers come from; none means anywhere."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    host_areas = forms.MultipleChoiceField(
        label=_("Host area"),
        required=False,
        help_text=_("Regions or region groups that host; none means anywhere."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    elig_stages = CodeListField(
        STAGES, label=_("Eligible stages"), widget=forms.CheckboxSelectMultiple
    )
    elig_subjects = CodeListField(
        SUBJECTS,
        label=_("Eligible subjects"),
        help_text=_("None chosen means any subject; hold Ctrl (⌘ on a Mac) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    elig_titles = CodeListField(
        TITLES, label=_("Eligible titles"), widget=forms.CheckboxSelectMultiple
    )
    elig_positions = forms.MultipleChoiceField(
        label=_("Eligible positions"),
        required=False,
        choices=Position.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    min_years = forms.IntegerField(
        label=_("Minimum years at the institution"), required=False, min_value=0, max_value=60
    )
    min_age = forms.IntegerField(label=_("Minimum age"), required=False, min_value=18)
    max_age = forms.IntegerField(label=_("Maximum age"), required=False, max_value=70)

    def __init__(
        self,
        *args: Any,
        organisers: BoundPicker,
        regions: Choices,
        keep_organiser: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.bind_picker("organiser", organisers, keep=[keep_organiser])
        self.fields["region"].widget.choices = [("", "—"), *regions]
        areas = area_choices()[1:]
        for name in ("sending_areas", "host_areas"):
            cast(forms.MultipleChoiceField, self.fields[name]).choices = areas

    @staticmethod
    def initial_for(p: Program) -> dict[str, Any]:
        areas: dict[str, list[str]] = {"sending": [], "host": []}
        for a in p.areas.all():
            if a.region is not None:
                areas[a.side].append(a.region.code)
            elif a.group is not None:
                areas[a.side].append(a.group.key)
        return {
            "title": p.title,
            "kind": p.kind,
            "organiser": p.organiser_id,
            "region": p.region.code,
            "school_term": p.school_term,
            "starts_on": p.starts_on,
            "ends_on": p.ends_on,
            "duration_weeks": p.duration_weeks,
            "opens_at": timezone.localtime(p.opens_at),
            "closes_at": timezone.localtime(p.closes_at),
            "max_choices": p.max_choices,
            "quota": p.quota,
            "sending_areas": areas["sending"],
            "host_areas": areas["host"],
            "elig_stages": p.codes("elig_stages"),
            "elig_subjects": p.codes("elig_subjects"),
            "elig_titles": p.codes("elig_titles"),
            "elig_positions": p.codes("elig_positions"),
            "min_years": p.min_years,
            "min_age": p.min_age,
            "max_age": p.max_age,
        }

    def service_data(self, *, changed_only: bool = False) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        names = self.changed_data if changed_only else list(self.fields)
        return {name: d[name] for name in names}


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ProgramStatus.choices)


def status_moves(program: Program) -> list[tuple[str, Any]]:
    """The manual status changes open to a program now, with their labels."""
    moves = PROGRAM_STATUS_MOVES.get(program.status, set())
    return [(s, ProgramStatus(s).label) for s in ProgramStatus.values if s in moves]


# --- offers ----------------------------------------------------------------------------------

SLOT_ROWS = 4


class OfferForm(PickerForm):
    host = PickerField("institutions", label=_("Host institution"))
    mentor = PickerField("staff", label=_("Mentor"), required=False, empty_label=_("No mentor yet"))
    requirements = forms.CharField(
        label=_("Requirements"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    slots = forms.CharField(required=False, widget=forms.HiddenInput)  # carries slot messages

    def __init__(
        self,
        *args: Any,
        hosts: BoundPicker,
        mentors: BoundPicker,
        offer: HostOffer | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offer = offer
        host = self.fields["host"]
        self.bind_picker("host", hosts, keep=[offer.host_id] if offer else [])
        self.bind_picker("mentor", mentors, keep=[offer.mentor_id] if offer else [])
        if offer is not None:
            host.required = False
            host.disabled = True
            for slot in offer.slots.all():
                self.fields[f"capacity_{slot.pk}"] = forms.IntegerField(
                    label=f"{STAGES.label(slot.stage)} · {slot.subject_label}",
                    min_value=0,
                    max_value=1000,
                    initial=slot.capacity,
                )
        else:
            for i in range(SLOT_ROWS):
                self.fields[f"stage_{i}"] = CodeField(STAGES, label=_("Stage"), required=False)
                self.fields[f"subject_{i}"] = CodeField(
                    SUBJECTS, label=_("Subject"), required=False
                )
                self.fields[f"capacity_{i}"] = forms.IntegerField(
                    label=_("Places"), required=False, min_value=0, max_value=1000
                )

    def slot_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"stage_{i}"], self[f"subject_{i}"], self[f"capacity_{i}"])
            for i in range(SLOT_ROWS)
        ]

    def capacity_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("capacity_")]

    def slot_data(self) -> list[Mapping[str, Any]]:
        d = self.cleaned_data
        rows: list[Mapping[str, Any]] = []
        for i in range(SLOT_ROWS):
            stage, subject, capacity = d[f"stage_{i}"], d[f"subject_{i}"], d[f"capacity_{i}"]
            if stage or subject or capacity is not None:
                rows.append({"stage": stage, "subject": subject, "capacity": capacity})
        return rows

    def capacities(self) -> dict[int, int]:
        return {
            int(name.split("_")[1]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("capacity_")
        }


# --- applications ---------------------------------------------------------------------------


class ApplicationForm(PickerForm):
    """Up to N ranked choices as N selects (works without JavaScript), and a statement."""

    statement = forms.CharField(
        label=_("Statement"),
        required=False,
        max_length=4000,
        help_text=_("Why you apply and what you hope to learn or contribute."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    choices = forms.CharField(required=False, widget=forms.HiddenInput)  # carries messages
    eligibility = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        offers: Choices,
        max_choices: int,
        statement: bool = True,
        applicants: BoundPicker | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if applicants is not None:  # an administrator applies on a teacher's behalf
            self.fields["applicant"] = PickerField(
                "staff",
                label=_("Teacher"),
                empty_label=_("— choose the teacher —"),
                error_messages={"required": _("Choose the teacher you apply for.")},
            )
            self.bind_picker("applicant", applicants)
        # More choices than allowed are read too (a crafted request), so the service refuses
        # them with its message rather than the form dropping them silently.
        sent = [
            int(k.removeprefix("choice_"))
            for k in (self.data or {})
            if k.startswith("choice_") and k.removeprefix("choice_").isdigit()
        ]
        self.max_choices = max([max_choices, *(n for n in sent if n <= 20)])
        if not statement:
            del self.fields["statement"]
        for i in range(1, self.max_choices + 1):
            self.fields[f"choice_{i}"] = forms.TypedChoiceField(
                label=_("Choice %(n)d") % {"n": i},
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", _("— none —")), *offers],
            )

    def choice_fields(self) -> list[Any]:
        return [self[f"choice_{i}"] for i in range(1, self.max_choices + 1)]

    def ranked(self) -> list[int]:
        """The chosen offers in rank order; gaps close up, repeats are left for the service."""
        return [
            v
            for i in range(1, self.max_choices + 1)
            if (v := self.cleaned_data.get(f"choice_{i}")) is not None
        ]


def _notice_help() -> str:
    from xietong.exchanges.services import notice_min_days

    return str(
        _(
            "From today at the earliest (a notice cannot be back-dated), for at least "
            "%(n)d working days; the authority approves after it has ended."
        )
    ) % {"n": notice_min_days()}


class _NoticeDates(forms.Form):
    notice_starts_on = forms.DateField(label=_("Public notice from"), widget=DATE)
    notice_ends_on = forms.DateField(label=_("Public notice until"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notice_ends_on"].help_text = _notice_help()


COMMENT = forms.CharField(
    label=_("Review comment"),
    required=False,
    max_length=500,
    widget=forms.Textarea(attrs={"rows": 2}),
)


class RecommendForm(_NoticeDates):
    score = forms.DecimalField(
        label=_("Assessment score"),
        required=False,
        max_digits=5,
        decimal_places=1,
        help_text=_("Optional; used by the matching rule “score first”."),
    )
    comment = COMMENT


class ApproveForm(forms.Form):
    comment = COMMENT


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The applicant sees this reason."),
    )


class IdsField(forms.Field):
    """The ids of the rows ticked in a list (checked as ids by the service)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        return [str(v) for v in (value if isinstance(value, list | tuple) else [value])]


class BatchForm(forms.Form):
    """A review queue's batch action: the rows ticked, one verb, one comment for all."""

    verb = forms.ChoiceField(choices=[(v, v) for v in ("recommend", "approve", "reject")])
    ids = IdsField(required=False)
    comment = forms.CharField(
        label=_("Review comment"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notice_starts_on = forms.DateField(label=_("Public notice from"), widget=DATE, required=False)
    notice_ends_on = forms.DateField(label=_("Public notice until"), widget=DATE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notice_ends_on"].help_text = _notice_help()
        if self.data.get("verb") == "reject" or self.initial.get("verb") == "reject":
            self.fields["comment"].label = _("Reason for rejecting (sent to each applicant)")


# --- matching runs --------------------------------------------------------------------------

RANKING_PRESETS: dict[str, tuple[Any, list[str]]] = {
    "backbone": (
        _("Backbone teachers first, then years, then score"),
        ["backbone_first", "years_desc", "score_desc"],
    ),
    "score": (_("Assessment score first, then years"), ["score_desc", "years_desc"]),
    "title": (_("Professional title first, then years"), ["title_desc", "years_desc"]),
    "applied": (_("First come, first served"), ["applied_first"]),
}


class RunForm(forms.Form):
    mode = forms.ChoiceField(label=_("Algorithm"), choices=RunMode.choices, initial=RunMode.STABLE)
    ranking = forms.ChoiceField(
        label=_("How hosts rank applicants"),
        choices=[(k, label) for k, (label, _rules) in RANKING_PRESETS.items()],
        initial="backbone",
    )

    def parameters(self) -> dict[str, Any]:
        return {"ranking": RANKING_PRESETS[self.cleaned_data["ranking"]][1]}


# --- placements ------------------------------------------------------------------------------


class _OwnIds(forms.Form):
    """Several of these forms share a page: each gets its own element ids (log_content …)."""

    id_prefix = "id"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class LogForm(_OwnIds):
    id_prefix = "log"
    week_starting = forms.DateField(label=_("Week starting"), widget=DATE)
    hours = forms.IntegerField(label=_("Hours"), min_value=0, max_value=80, initial=0)
    content = forms.CharField(
        label=_("What happened this week"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReportForm(_OwnIds):
    id_prefix = "report"
    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 4}))


class EvaluateForm(_OwnIds):
    id_prefix = "evaluate"
    score = forms.DecimalField(
        label=_("Evaluation score"), min_value=0, max_value=100, max_digits=5, decimal_places=1
    )
    grade = forms.ChoiceField(
        label=_("Evaluation grade"),
        choices=[
            ("优秀", _("Excellent")),
            ("良好", _("Good")),
            ("合格", _("Pass")),
            ("不合格", _("Fail")),
        ],
    )


class CompletePlacementForm(_OwnIds):
    id_prefix = "complete"
    hours_credited = forms.IntegerField(
        label=_("Hours credited"), min_value=0, max_value=5000, initial=0
    )


class DutyForm(_OwnIds):
    id_prefix = "duty"
    kind = forms.ChoiceField(label=_("Return duty"), choices=DutyKind.choices)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)


class DutyDoneForm(_OwnIds):
    id_prefix = "done"
    done_on = forms.DateField(label=_("Done on"), widget=DATE)
    evidence = forms.CharField(
        label=_("Evidence"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example the date, place and audience of the open lesson."),
    )


# --- coverage ---------------------------------------------------------------------------------


class CoverageForm(PickerForm):
    school_year = SchoolYearField(label=_("School year"))
    term = forms.TypedChoiceField(
        label=_("Term"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Whole school year")), *TERMS],
    )
    area = forms.ChoiceField(label=_("Area"), required=False, widget=QuickSelect)
    institution = PickerField(
        "institutions", label=_("Institution"), required=False, empty_label=_("All institutions")
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=sort_choices)
    page_size = page_size_field()

    def __init__(self, *args: Any, institutions: BoundPicker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = area_choices()
        self.bind_picker("institution", institutions)

    @staticmethod
    def terms(cleaned: Mapping[str, Any]) -> TermSpan | None:
        return span(cleaned.get("school_year"), cleaned.get("term"))

    def is_valid(self) -> bool:
        # A search for an institution still shows the figures of the other filters.
        picking, self.picking = self.picking, ""
        try:
            return super().is_valid()
        finally:
            self.picking = picking

    def params(self) -> dict[str, Any]:
        """The valid filters as plain values (an export's parameters, the API's query)."""
        d = self.cleaned_data
        return {
            "school_year": d["school_year"],
            "term": d.get("term"),
            "area": d.get("area") or "",
            "institution": d.get("institution"),
            "sort": d.get("sort") or DEFAULT_SORT,
        }


class CompareForm(PickerForm):
    """Two schools side by side, each chosen through the institutions picker."""

    a = PickerField("institutions", label=_("School A"))
    b = PickerField("institutions", label=_("School B"))

    def __init__(self, *args: Any, institutions: BoundPicker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("a", "b"):
            self.bind_picker(name, institutions)
