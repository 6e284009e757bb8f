"""Pages of partnerships: the list, one partnership with its members, yearly terms and
dispatched people (and the sections others add), and the forms that change them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong import access
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied, ServiceError
from xietong.core.htmx import list_response
from xietong.core.paging import paginate
from xietong.core.pickers import bound
from xietong.core.views import apply_errors, refusals
from xietong.institutions.choices import Kind
from xietong.jobs import exports
from xietong.partnerships import forms as f
from xietong.partnerships import selectors, services
from xietong.partnerships.exports import PARTNERSHIPS
from xietong.partnerships.models import Partnership
from xietong.partnerships.sections import detail_sections


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _refused(form: Any, error: ServiceError) -> None:
    """A service's refusal on a form: fields inline (unknown keys on ``members`` or above)."""
    if isinstance(error, InvalidInput):
        fields: dict[str, list[str]] = {}
        for key, msgs in error.fields.items():
            target = key if key in form.fields else "members" if "members" in form.fields else key
            fields.setdefault(target, []).extend(msgs)
        error.fields = fields
        apply_errors(form, error)
    else:
        form.add_error(None, str(error.message))


@login_required
@refusals
def partnership_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.can(actor, "partnerships.list"):
        raise PermissionDenied(_("Your roles do not include partnerships."))
    form = f.PartnershipFilterForm(request.GET, actor=actor)
    page = None
    if form.is_valid():
        qs = selectors.partnerships_for(actor, form.filters()).order_by("-starts_on", "name", "id")
        page = paginate(qs, request.GET.get("page"), form.cleaned_data["page_size"])
    context = {
        "form": form,
        "page": page,
        "creates": access.can(actor, "partnerships.manage"),
        **exports.panel(actor, PARTNERSHIPS, form.filters() if page is not None else None),
    }
    return list_response(request, "partnerships/list.html", "partnerships/_results.html", context)


@login_required
@require_POST
@refusals
def partnership_export(request: HttpRequest) -> HttpResponseBase:
    """The partnership list's rows for its filters, as xlsx or CSV."""
    return exports.respond(request, PARTNERSHIPS, "partnerships:list")


@login_required
@refusals
def partnership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    p = selectors.partnership_detail(actor, pk)
    actions = access.actions(actor, p)
    context = {
        "partnership": p,
        "actions": actions,
        "members": list(p.members.all()),
        "terms": list(p.terms.all()),
        "dispatches": list(p.dispatches.all()),
        "labs": list(p.institute.labs.order_by("name")) if p.institute else [],
        "detail_sections": detail_sections(actor, p),
    }
    return render(request, "partnerships/detail.html", context)


def _pickers(actor: Any) -> dict[str, Any]:
    return {
        "institutions": bound("institutions", actor),
        "institutes": bound("institutions", actor, kind=Kind.RESEARCH),
        "regions": bound("regions", actor, mine=True),
    }


def _saved(form: Any, write: Callable[[], Any]) -> bool:
    """A valid form written by the service; a refusal lands on the form."""
    return form.is_valid() and _write(form, write) is not None


def _write(form: Any, write: Callable[[], Any]) -> Any:
    try:
        return write()
    except (InvalidInput, PermissionDenied, Conflict) as e:
        _refused(form, e)
        return None


@login_required
@refusals
def partnership_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.can(actor, "partnerships.manage"):
        raise PermissionDenied(_("Only an authority administrator registers partnerships."))
    pickers = _pickers(actor)
    if request.method == "POST":
        form = f.PartnershipForm(request.POST, **pickers)
        if form.is_valid():
            p = _write(form, lambda: services.create_partnership(actor, form.service_data()))
            if p is not None:
                messages.success(
                    request, _("The partnership “%(name)s” was registered.") % {"name": p.name}
                )
                return redirect("partnerships:detail", pk=p.pk)
    else:
        form = f.PartnershipForm(initial={"region": pickers["regions"].only_one()}, **pickers)
    return render(request, "partnerships/form.html", {"form": form, "partnership": None})


@login_required
@refusals
def partnership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    p = selectors.partnership_detail(actor, pk)
    access.require(actor, "edit", p)
    pickers = _pickers(actor)
    if request.method == "POST":
        form = f.PartnershipForm(request.POST, partnership=p, **pickers)
        if _saved(form, lambda: services.update_partnership(actor, pk, form.service_data())):
            messages.success(request, _("The changes were saved."))
            return redirect("partnerships:detail", pk=pk)
    else:
        form = f.PartnershipForm(partnership=p, **pickers)
    return render(request, "partnerships/form.html", {"form": form, "partnership": p})


def _step(
    request: HttpRequest, pk: int, do: Callable[[], Any], done: str, *, to_list: bool = False
) -> HttpResponse:
    """A POST that changes the partnership: done → its page; refused (not now) → a message."""
    try:
        do()
    except (Conflict, InvalidInput) as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, done)
        if to_list:
            return redirect("partnerships:list")
    return redirect("partnerships:detail", pk=pk)


@login_required
@require_POST
@refusals
def partnership_activate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _step(
        request, pk, lambda: services.activate(actor, pk), _("The partnership is now active.")
    )


@login_required
@require_POST
@refusals
def partnership_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _step(request, pk, lambda: services.end(actor, pk), _("The partnership has ended."))


@login_required
@require_POST
@refusals
def partnership_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _step(
        request,
        pk,
        lambda: services.delete(actor, pk),
        _("The draft partnership was deleted."),
        to_list=True,
    )


def _editable(request: HttpRequest, pk: int) -> tuple[Any, Partnership]:
    actor = _actor(request)
    p = selectors.partnership_detail(actor, pk)
    access.require(actor, "edit", p)
    return actor, p


@login_required
@refusals
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor, p = _editable(request, pk)
    institutions = bound("institutions", actor)
    if request.method == "POST":
        form = f.MemberForm(request.POST, institutions=institutions)
        if _saved(form, lambda: services.add_member(actor, pk, form.service_data())):
            messages.success(request, _("The member was added."))
            return redirect("partnerships:detail", pk=pk)
    else:
        form = f.MemberForm(institutions=institutions)
    context = {"form": form, "partnership": p, "title": _("Add a member")}
    return render(request, "partnerships/child_form.html", context)


@login_required
@refusals
def term_set(request: HttpRequest, pk: int) -> HttpResponse:
    actor, p = _editable(request, pk)
    if request.method == "POST":
        form = f.TermForm(request.POST)
        if _saved(form, lambda: services.set_term(actor, pk, form.service_data())):
            messages.success(request, _("The yearly term was saved."))
            return redirect("partnerships:detail", pk=pk)
    else:
        initial: dict[str, Any] = {}
        year = request.GET.get("year", "")
        term = next((t for t in p.terms.all() if str(t.school_year) == year), None)
        if term is not None:
            initial = {
                "school_year": term.school_year,
                "commitments": term.commitments,
                "quota": term.quota,
                "dispatch_planned": term.dispatch_planned,
                "budget_yuan": term.budget_yuan,
            }
        form = f.TermForm(initial=initial)
    context = {"form": form, "partnership": p, "title": _("Set a yearly term")}
    return render(request, "partnerships/child_form.html", context)


@login_required
@refusals
def dispatch_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor, p = _editable(request, pk)
    kwargs = {
        "staff": bound("partnership_staff", actor, partnership=p.pk),
        "hosts": bound("partnership_members", actor, partnership=p.pk),
    }
    if request.method == "POST":
        form = f.DispatchForm(request.POST, **kwargs)
        if _saved(form, lambda: services.add_dispatch(actor, pk, form.service_data())):
            messages.success(request, _("The dispatched person was recorded."))
            return redirect("partnerships:detail", pk=pk)
    else:
        form = f.DispatchForm(initial={"starts_on": p.starts_on}, **kwargs)
    context = {"form": form, "partnership": p, "title": _("Record a dispatched person")}
    return render(request, "partnerships/child_form.html", context)


@login_required
@require_POST
@refusals
def member_remove(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    actor = _actor(request)
    return _step(
        request,
        pk,
        lambda: services.remove_member(actor, pk, member_id),
        _("The member was removed."),
    )


@login_required
@require_POST
@refusals
def term_delete(request: HttpRequest, pk: int, term_id: int) -> HttpResponse:
    actor = _actor(request)
    return _step(
        request,
        pk,
        lambda: services.delete_term(actor, pk, term_id),
        _("The yearly term was removed."),
    )


@login_required
@require_POST
@refusals
def dispatch_delete(request: HttpRequest, pk: int, dispatch_id: int) -> HttpResponse:
    actor = _actor(request)
    return _step(
        request,
        pk,
        lambda: services.delete_dispatch(actor, pk, dispatch_id),
        _("The dispatched person was removed."),
    )
