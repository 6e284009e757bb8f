"""Pages of the registry: institutions, labs and staff.

Thin: parse with a form, call a selector or a service, render. Every scope rule lives in
``selectors`` and ``services``; a refusal from them becomes an inline field error, a
message, a 403 or a 404 (``xietong.core.views.refusals``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xietong.accounts.second_factor_views import reauthenticated_at
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.core.paging import paginate
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

CHOICE_LIMIT = 500  # institutions offered in a select; the rest are reached by search


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _wants_results_only(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.history_restore_request and htmx.target == "results"


def _list_response(
    request: HttpRequest, page_template: str, results_template: str, context: dict[str, Any]
) -> HttpResponse:
    template = results_template if _wants_results_only(request) else page_template
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _managed_institution_choices(actor: Any, *, keep: Institution | None = None) -> list[Any]:
    """Institutions the actor manages, for a select (plus ``keep`` if it is not among them)."""
    rows = selectors.institutions_for(actor, selectors.InstitutionFilters(mine=True))
    choices = [
        (str(pk), f"{name} · {region}")
        for pk, name, region in rows.values_list("pk", "name", "region__name")[:CHOICE_LIMIT]
    ]
    if keep is not None and all(c[0] != str(keep.pk) for c in choices):
        choices.insert(0, (str(keep.pk), f"{keep.name} · {keep.region.name}"))
    return choices


# --- institutions ------------------------------------------------------------------------


@login_required
@refusals
def institution_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not actor.reads_registry:
        raise PermissionDenied(_("Your roles do not include the institution directory."))
    form = InstitutionFilterForm(request.GET)
    page = None
    if form.is_valid():
        try:
            qs = selectors.institutions_for(actor, form.filters())
            page = paginate(qs, request.GET.get("page"), form.cleaned_data["page_size"])
        except NotFound as e:
            form.add_error("area", str(e.message))
    creates = bool(actor.admin_region_paths) or actor.is_system_admin
    context = {"form": form, "page": page, "creates": creates}
    return _list_response(request, "institutions/list.html", "institutions/_results.html", context)


def _detail_context(request: HttpRequest, inst: Institution, **extra: Any) -> dict[str, Any]:
    actor = _actor(request)
    staff = selectors.staff_for(actor, selectors.StaffFilters(institution_id=inst.pk))
    context = {
        "inst": inst,
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
    kwargs: dict[str, Any] = {"regions": regions, "parents": _managed_institution_choices(actor)}
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
    if not inst.can_edit:  # type: ignore[attr-defined]
        raise PermissionDenied(_("This institution is outside your scope."))
    regions = list(selectors.writable_regions(actor))
    if inst.region not in regions:
        regions.append(inst.region)
    parents = [
        c for c in _managed_institution_choices(actor, keep=inst.parent) if c[0] != str(inst.pk)
    ]
    kwargs: dict[str, Any] = {
        "regions": regions,
        "parents": parents,
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
    if not inst.can_edit:  # type: ignore[attr-defined]
        raise PermissionDenied(_("This institution is outside your scope."))
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


def _staff_filter_institutions(actor: Any, selected: str | None) -> list[Any]:
    keep = None
    if selected and selected.isdigit():
        try:
            keep = selectors.institution_detail(actor, int(selected))
        except NotFound:
            keep = None
    return _managed_institution_choices(actor, keep=keep)


def _reads_staff(actor: Any) -> bool:
    """The roles ``selectors.staff_for`` shows any staff to (the navigation's rule too)."""
    return bool(actor.reads_all_staff or actor.admin_institution_ids or actor.own_staff_id)


def _keeps_staff(actor: Any) -> bool:
    """Authority and institution admins keep staff records (the services decide which)."""
    return bool(actor.admin_region_paths or actor.admin_institution_ids)


@login_required
@refusals
def staff_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not _reads_staff(actor):
        raise PermissionDenied(_("Your roles do not include the staff directory."))
    institutions = _staff_filter_institutions(actor, request.GET.get("institution"))
    form = StaffFilterForm(request.GET, institutions=institutions)
    page = None
    if form.is_valid():
        try:
            qs = selectors.staff_for(actor, form.filters())
            page = paginate(qs, request.GET.get("page"), form.cleaned_data["page_size"])
        except NotFound as e:
            form.add_error("area", str(e.message))
    context = {"form": form, "page": page, "creates": _keeps_staff(actor)}
    return _list_response(
        request, "institutions/staff_list.html", "institutions/_staff_results.html", context
    )


@login_required
@refusals
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    staff = selectors.staff_detail(_actor(request), pk)
    return render(request, "institutions/staff_detail.html", {"staff": staff})


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
    context = {"staff": staff, "revealed": revealed}
    if getattr(request, "htmx", None):
        layout = request.POST.get("layout", "detail")
        return render(request, "institutions/_personal_data.html", {**context, "layout": layout})
    return render(request, "institutions/staff_detail.html", context)


@login_required
@refusals
def staff_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not _keeps_staff(actor):
        raise PermissionDenied(_("Your roles do not let you register staff."))
    institutions = _managed_institution_choices(actor)
    if request.method == "POST":
        form = StaffForm(request.POST, institutions=institutions)
        if form.is_valid():
            staff = through_service(form, lambda: services.create_staff(actor, form.service_data()))
            if staff is not None:
                messages.success(request, _("%(name)s was registered.") % {"name": staff.name})
                return redirect("institutions:staff_detail", pk=staff.pk)
    else:
        only = institutions[0][0] if len(institutions) == 1 else ""
        form = StaffForm(
            initial={"institution": request.GET.get("institution", only)},
            institutions=institutions,
        )
    return render(request, "institutions/staff_form.html", {"form": form, "staff": None})


def _owned_staff(actor: Any, pk: int) -> Staff:
    staff = selectors.staff_detail(actor, pk)
    if not staff.owned:  # type: ignore[attr-defined]
        raise PermissionDenied(_("This staff member is outside your scope."))
    return staff


@login_required
@refusals
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    staff = _owned_staff(actor, pk)
    kwargs: dict[str, Any] = {
        "institutions": _managed_institution_choices(actor, keep=staff.institution),
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
    staff = _owned_staff(actor, pk)
    if request.method == "POST":
        try:
            services.delete_staff(actor, pk)
        except Conflict as e:
            messages.error(request, str(e.message))
            return redirect("institutions:staff_detail", pk=pk)
        messages.success(request, _("%(name)s was removed.") % {"name": staff.name})
        return redirect("institutions:staff_list")
    return render(request, "institutions/staff_confirm_delete.html", {"staff": staff})
