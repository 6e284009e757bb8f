"""Pages of the registry: institutions, labs and staff.

Thin: parse with a form, call a selector or a service, render. Every scope rule lives in
``selectors`` and ``services``; a refusal from them becomes an inline field error, a
message, a 403 or a 404 (``xietong.core.views.refusals``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xietong import access
from xietong.accounts.second_factor_views import reauthenticated_at
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.core.htmx import list_response
from xietong.core.paging import paginate
from xietong.core.pickers import BoundPicker, bound
from xietong.core.views import apply_errors, refusals, through_service
from xietong.institutions import selectors, services
from xietong.institutions.forms import (
    InstitutionFilterForm,
    InstitutionForm,
    LabForm,
    StaffFilterForm,
    StaffForm,
)
from xietong.institutions.models import Institution, Staff
from xietong.jobs import exports


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _managed_institutions(actor: Any) -> BoundPicker:
    """The institutions picker over those the actor manages (parents, staff's institution)."""
    return bound("institutions", actor, mine=True)


# --- institutions ------------------------------------------------------------------------


@login_required
@refusals
def institution_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.can(actor, "registry.read"):
        raise PermissionDenied(_("Your roles do not include the institution directory."))
    form = InstitutionFilterForm(request.GET, actor=actor)
    page = None
    if form.is_valid():
        try:
            qs = selectors.institutions_for(actor, form.filters())
            page = paginate(qs, request.GET.get("page"), form.cleaned_data["page_size"])
            page.object_list = access.with_actions(actor, page.object_list)
        except NotFound as e:
            form.add_error("area", str(e.message))
    creates = access.can(actor, "institutions.register")
    context = {
        "form": form,
        "page": page,
        "creates": creates,
        **exports.panel(actor, "institutions", form.filters() if page is not None else None),
    }
    return list_response(request, "institutions/list.html", "institutions/_results.html", context)


def _detail_context(request: HttpRequest, inst: Institution, **extra: Any) -> dict[str, Any]:
    actor = _actor(request)
    staff = selectors.staff_for(actor, selectors.StaffFilters(institution_id=inst.pk))
    context = {
        "inst": inst,
        "actions": access.actions(actor, inst),
        "branches": list(selectors.branches_of(actor, inst)),
        "labs": list(selectors.labs_of(actor, inst)),
        "staff_page": paginate(staff, 1, 20),
        "lab_form": LabForm(),
    }
    context.update(extra)
    return context


@login_required
@refusals
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inst = selectors.institution_detail(_actor(request), pk)
    return render(request, "institutions/detail.html", _detail_context(request, inst))


@login_required
@refusals
def institution_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    regions = list(selectors.writable_regions(actor))
    if not regions:
        raise PermissionDenied(_("Your roles do not let you register institutions."))
    kwargs: dict[str, Any] = {"regions": regions, "parents": _managed_institutions(actor)}
    if request.method == "POST":
        form = InstitutionForm(request.POST, **kwargs)
        if form.is_valid():
            inst = through_service(
                form, lambda: services.create_institution(actor, form.service_data())
            )
            if inst is not None:
                messages.success(request, _("%(name)s was registered.") % {"name": inst.name})
                return redirect("institutions:detail", pk=inst.pk)
    else:
        initial = {"region": regions[0].code if len(regions) == 1 else ""}
        form = InstitutionForm(initial=initial, **kwargs)
    return render(request, "institutions/form.html", {"form": form, "inst": None})


@login_required
@refusals
def institution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    inst = selectors.institution_detail(actor, pk)
    access.require(actor, "edit", inst)
    regions = list(selectors.writable_regions(actor))
    if inst.region not in regions:
        regions.append(inst.region)
    kwargs: dict[str, Any] = {
        "regions": regions,
        "parents": _managed_institutions(actor),
        "keep_parent": inst.parent,
        "initial": InstitutionForm.initial_for(inst),
    }
    if request.method == "POST":
        form = InstitutionForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.service_data(changed_only=True)
            if not data:
                messages.info(request, _("Nothing was changed."))
                return redirect("institutions:detail", pk=pk)
            saved = through_service(form, lambda: services.update_institution(actor, pk, data))
            if saved is not None:
                messages.success(request, _("The changes were saved."))
                return redirect("institutions:detail", pk=pk)
    else:
        form = InstitutionForm(**kwargs)
    return render(request, "institutions/form.html", {"form": form, "inst": inst})


@login_required
@refusals
def institution_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    inst = selectors.institution_detail(actor, pk)
    access.require(actor, "delete", inst)
    if request.method == "POST":
        try:
            services.delete_institution(actor, pk)
        except Conflict as e:
            messages.error(request, str(e.message))
            return redirect("institutions:detail", pk=pk)
        messages.success(request, _("%(name)s was removed.") % {"name": inst.name})
        return redirect("institutions:list")
    return render(request, "institutions/confirm_delete.html", {"inst": inst})


@login_required
@require_POST
@refusals
def lab_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    form = LabForm(request.POST)
    if form.is_valid():
        try:
            lab = services.add_lab(actor, pk, form.cleaned_data)
        except InvalidInput as e:
            apply_errors(form, e)
        except Conflict as e:
            form.add_error(None, str(e.message))
        else:
            messages.success(request, _("The lab %(name)s was added.") % {"name": lab.name})
            return redirect("institutions:detail", pk=pk)
    inst = selectors.institution_detail(actor, pk)
    context = _detail_context(request, inst, lab_form=form, lab_form_open=True)
    return render(request, "institutions/detail.html", context, status=422)


@login_required
@require_POST
@refusals
def lab_remove(request: HttpRequest, pk: int, lab_pk: int) -> HttpResponse:
    services.remove_lab(_actor(request), lab_pk)
    messages.success(request, _("The lab was removed."))
    return redirect("institutions:detail", pk=pk)


# --- staff -------------------------------------------------------------------------------


@login_required
@refusals
def staff_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.can(actor, "staff.read"):
        raise PermissionDenied(_("Your roles do not include the staff directory."))
    form = StaffFilterForm(request.GET, actor=actor)
    page = None
    if form.is_valid():
        try:
            page = selectors.staff_page(
                actor,
                form.filters(),
                request.GET.get("cursor", ""),
                form.cleaned_data["page_size"],
            )
            page.object_list = access.with_actions(actor, page.object_list)
        except NotFound as e:
            form.add_error("area", str(e.message))
        except InvalidInput as e:
            form.add_error(None, e.fields["cursor"][0])
    context = {
        "form": form,
        "page": page,
        "creates": access.can(actor, "staff.register"),
        **exports.panel(
            actor,
            "staff",
            form.filters() if page is not None else None,
            unmasked=access.can(actor, "staff.export_personal"),
        ),
    }
    return list_response(
        request, "institutions/staff_list.html", "institutions/_staff_results.html", context
    )


@login_required
@require_POST
@refusals
def institution_export(request: HttpRequest) -> HttpResponseBase:
    """The institution list's rows for its filters, as xlsx or CSV."""
    return exports.respond(request, "institutions", "institutions:list")


@login_required
@require_POST
@refusals
def staff_export(request: HttpRequest) -> HttpResponseBase:
    """The staff list's rows for its filters, as xlsx or CSV (masked unless asked)."""
    return exports.respond(request, "staff", "institutions:staff_list")


@login_required
@refusals
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    staff = selectors.staff_detail(actor, pk)
    access.with_actions(actor, [staff])
    context = {"staff": staff, "actions": staff.actions}  # type: ignore[attr-defined]
    return render(request, "institutions/staff_detail.html", context)


@never_cache
@login_required
@require_POST
@refusals
def staff_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The unmasked ID number and phone of a record the actor owns (audited by the selector)."""
    actor = _actor(request)
    revealed = selectors.reveal_personal_data(
        actor, pk, reauthenticated_at=reauthenticated_at(request)
    )
    staff = selectors.staff_detail(actor, pk)
    access.with_actions(actor, [staff])
    context = {"staff": staff, "revealed": revealed, "actions": staff.actions}  # type: ignore[attr-defined]
    if getattr(request, "htmx", None):
        layout = request.POST.get("layout", "detail")
        return render(request, "institutions/_personal_data.html", {**context, "layout": layout})
    return render(request, "institutions/staff_detail.html", context)


@login_required
@refusals
def staff_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.can(actor, "staff.register"):
        raise PermissionDenied(_("Your roles do not let you register staff."))
    institutions = _managed_institutions(actor)
    if request.method == "POST":
        form = StaffForm(request.POST, institutions=institutions)
        if form.is_valid():
            staff = through_service(form, lambda: services.create_staff(actor, form.service_data()))
            if staff is not None:
                messages.success(request, _("%(name)s was registered.") % {"name": staff.name})
                return redirect("institutions:staff_detail", pk=staff.pk)
    else:
        only = institutions.only_one()
        form = StaffForm(
            initial={"institution": request.GET.get("institution", only)},
            institutions=institutions,
        )
    return render(request, "institutions/staff_form.html", {"form": form, "staff": None})


def _kept_staff(actor: Any, pk: int, verb: str) -> Staff:
    staff = selectors.staff_detail(actor, pk)
    access.require(actor, verb, staff)
    return staff


@login_required
@refusals
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    staff = _kept_staff(actor, pk, "edit")
    kwargs: dict[str, Any] = {
        "institutions": _managed_institutions(actor),
        "masked": staff,
        "initial": StaffForm.initial_for(staff),
    }
    if request.method == "POST":
        form = StaffForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.service_data(changed_only=True)
            if not data:
                messages.info(request, _("Nothing was changed."))
                return redirect("institutions:staff_detail", pk=pk)
            saved = through_service(form, lambda: services.update_staff(actor, pk, data))
            if saved is not None:
                messages.success(request, _("The changes were saved."))
                return redirect("institutions:staff_detail", pk=pk)
    else:
        form = StaffForm(**kwargs)
    return render(request, "institutions/staff_form.html", {"form": form, "staff": staff})


@login_required
@refusals
def staff_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    staff = _kept_staff(actor, pk, "delete")
    if request.method == "POST":
        try:
            services.delete_staff(actor, pk)
        except Conflict as e:
            messages.error(request, str(e.message))
            return redirect("institutions:staff_detail", pk=pk)
        messages.success(request, _("%(name)s was removed.") % {"name": staff.name})
        return redirect("institutions:staff_list")
    return render(request, "institutions/staff_confirm_delete.html", {"staff": staff})
