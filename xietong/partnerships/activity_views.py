"""Pages of activities: the list with its filters, log one (with evidence), its page, edit,
delete, and the timelines of a partnership (a section of its page) and of an institution."""

from __future__ import annotations

import typing
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xietong import access
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied
from xietong.core.htmx import list_response
from xietong.core.paging import paginate
from xietong.core.views import apply_errors, refusals
from xietong.institutions.models import Staff
from xietong.jobs import exports
from xietong.partnerships import activity_selectors as sel
from xietong.partnerships import selectors
from xietong.partnerships.choices import ActivityKind
from xietong.partnerships.exports import ACTIVITIES
from xietong.partnerships.forms import ActivityFilterForm
from xietong.partnerships.models import Activity, Partnership
from xietong.partnerships.services import activities as services

TIMELINE_SIZE = 20
PEOPLE_LIMIT = 500


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=gettext_lazy("Name of the activity"), max_length=150)
    occurred_on = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    location = forms.CharField(label=gettext_lazy("Place"), max_length=150, required=False)
    hours = forms.DecimalField(
        label=gettext_lazy("Duration (hours)"),
        required=False,
        min_value=0,
        max_value=24,
        decimal_places=1,
    )
    teachers = forms.IntegerField(
        label=gettext_lazy("Teachers taking part"), min_value=0, initial=0, required=False
    )
    students = forms.IntegerField(
        label=gettext_lazy("Students taking part"), min_value=0, initial=0, required=False
    )
    institutions = forms.MultipleChoiceField(
        label=gettext_lazy("Participating institutions"), widget=forms.CheckboxSelectMultiple
    )
    people = forms.MultipleChoiceField(label=gettext_lazy("People"), required=False)
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = list(partnership.members.select_related("institution"))
        typing.cast(forms.ChoiceField, self.fields["institutions"]).choices = [
            (str(m.institution_id), m.institution.name) for m in members
        ]
        staff = (
            Staff.objects.filter(institution__in=[m.institution_id for m in members])
            .select_related("institution")
            .only("pk", "name", "institution__name")
        )
        typing.cast(forms.ChoiceField, self.fields["people"]).choices = [
            (str(s.pk), f"{s.name} · {s.institution.name}") for s in staff[:PEOPLE_LIMIT]
        ]

    def service_data(self) -> services.ActivityIn:
        d = self.cleaned_data
        return services.ActivityIn(
            kind=d["kind"],
            title=d["title"],
            occurred_on=d["occurred_on"],
            location=d.get("location") or "",
            hours=d.get("hours"),
            teachers=d.get("teachers") or 0,
            students=d.get("students") or 0,
            summary=d.get("summary") or "",
            institutions=[int(i) for i in d["institutions"]],
            people=[int(i) for i in d.get("people") or []],
        )


def _initial(a: Activity) -> dict[str, Any]:
    return {
        "kind": a.kind,
        "title": a.title,
        "occurred_on": a.occurred_on,
        "location": a.location,
        "hours": a.hours,
        "teachers": a.teachers,
        "students": a.students,
        "summary": a.summary,
        "institutions": [str(i) for i in a.institutions.values_list("pk", flat=True)],
        "people": [str(i) for i in a.people.values_list("pk", flat=True)],
    }


@login_required
@refusals
def activity_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.can(actor, "partnerships.list"):
        raise PermissionDenied(_("Your roles do not include partnerships."))
    form = ActivityFilterForm(request.GET, actor=actor)
    page = None
    if form.is_valid():
        qs = sel.activities_for(actor, form.filters())
        page = paginate(qs, request.GET.get("page"), form.cleaned_data["page_size"])
    panel = exports.panel(actor, ACTIVITIES, form.filters() if page is not None else None)
    return list_response(
        request,
        "partnerships/activities/list.html",
        "partnerships/activities/_results.html",
        {"form": form, "page": page, **panel},
    )


@login_required
@require_POST
@refusals
def activity_export(request: HttpRequest) -> HttpResponseBase:
    """The activity list's rows for its filters, as xlsx or CSV."""
    return exports.respond(request, ACTIVITIES, "partnerships:activities")


@login_required
@refusals
def activity_log(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    p = selectors.partnership_detail(actor, pk)
    if not services.may_log(actor, p):
        services._logged_for(actor, p, None)  # raises the specific refusal
    if request.method == "POST":
        form = ActivityForm(request.POST, partnership=p)
        if form.is_valid():
            try:
                a = services.log_activity(
                    actor, pk, form.service_data(), request.FILES.getlist("evidence")
                )
            except InvalidInput as e:
                if "file" in e.fields:
                    e.fields = {"evidence": e.fields.pop("file"), **e.fields}
                    form.fields["evidence"] = forms.FileField(required=False)
                apply_errors(form, e)
            except (PermissionDenied, Conflict) as e:
                form.add_error(None, str(e.message))
            else:
                messages.success(
                    request, _("The activity “%(title)s” was logged.") % {"title": a.title}
                )
                return redirect("partnerships:detail", pk=pk)
    else:
        mine = [m.institution_id for m in services.member_admin_of(actor, p)]
        form = ActivityForm(partnership=p, initial={"institutions": [str(i) for i in mine]})
    return render(
        request,
        "partnerships/activities/form.html",
        {"form": form, "partnership": p, "activity": None, "title": _("Log an activity")},
    )


@login_required
@refusals
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    a = sel.activity_detail(actor, pk)
    return render(
        request,
        "partnerships/activities/detail.html",
        {"activity": a, "actions": access.actions(actor, a), "partnership": a.partnership},
    )


@login_required
@refusals
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    a = sel.activity_detail(actor, pk)
    access.require(actor, "edit", a)
    p = a.partnership
    if request.method == "POST":
        form = ActivityForm(request.POST, partnership=p)
        if form.is_valid():
            try:
                services.update_activity(actor, pk, form.service_data())
            except InvalidInput as e:
                apply_errors(form, e)
            except (PermissionDenied, Conflict) as e:
                form.add_error(None, str(e.message))
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("partnerships:activity", pk=pk)
    else:
        form = ActivityForm(partnership=p, initial=_initial(a))
    return render(
        request,
        "partnerships/activities/form.html",
        {"form": form, "partnership": p, "activity": a, "title": _("Edit the activity")},
    )


@login_required
@require_POST
@refusals
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    a = sel.activity_detail(actor, pk)
    try:
        services.delete_activity(actor, pk)
    except (Conflict, InvalidInput) as e:
        messages.error(request, str(e.message))
        return redirect("partnerships:activity", pk=pk)
    messages.success(request, _("The activity was deleted."))
    return redirect("partnerships:detail", pk=a.partnership_id)


@login_required
@refusals
def institution_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    inst = sel.institution_for_timeline(actor, pk)
    qs = sel.activities_for(actor, sel.ActivityFilters(institution_id=pk))
    page = paginate(qs, request.GET.get("page"), TIMELINE_SIZE)
    return render(
        request,
        "partnerships/activities/institution.html",
        {"institution": inst, "page": page},
    )


def timeline_section(actor: Any, p: Partnership) -> dict[str, Any] | None:
    """The partnership page's activities: the latest, their evidence, the log button."""
    from django.contrib.contenttypes.models import ContentType

    from xietong.attachments.models import Attachment

    rows = list(sel.activities_for(actor, sel.ActivityFilters(partnership_id=p.pk))[:TIMELINE_SIZE])
    ct = ContentType.objects.get_for_model(Activity)
    files: dict[int, list[Attachment]] = {}
    for att in Attachment.objects.filter(owner_type=ct, owner_id__in=[a.pk for a in rows]).order_by(
        "pk"
    ):
        files.setdefault(att.owner_id, []).append(att)
    for a in rows:
        a.evidence = files.get(a.pk, [])  # type: ignore[attr-defined]
    return {
        "activities": rows,
        "total": p.activities.count(),
        "may_log": services.may_log(actor, p),
    }
