"""Pages of agreements: one agreement with its versions, the version form, the comparison
of two versions, approving, and the actor's approval inbox. Thin: parse, call a selector or
a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong import access
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied, ServiceError
from xietong.core.paging import paginate
from xietong.core.views import apply_errors, refusals
from xietong.partnerships import selectors as partnership_selectors
from xietong.partnerships.agreements import selectors, services
from xietong.partnerships.agreements.access import WRITES
from xietong.partnerships.agreements.compare import compare_versions
from xietong.partnerships.agreements.forms import CompareForm, VersionForm, clauses_text


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _refused(form: Any, error: ServiceError) -> None:
    if isinstance(error, InvalidInput) and error.fields:
        apply_errors(form, error)
    else:
        form.add_error(None, str(error.message))


@login_required
@refusals
def agreement_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    p = partnership_selectors.partnership_detail(actor, pk)
    if not services.may_create(actor, p):
        raise PermissionDenied(str(WRITES))
    form = VersionForm(request.POST or None, initial={"starts_on": p.starts_on})
    if request.method == "POST" and form.is_valid():
        try:
            v = services.create_agreement(actor, p.pk, form.service_data())
        except (InvalidInput, PermissionDenied, Conflict) as e:
            _refused(form, e)
        else:
            messages.success(
                request,
                _(
                    "The agreement “%(title)s” was written as version 1; every party must now "
                    "approve it."
                )
                % {"title": v.title},
            )
            return redirect("partnerships:agreement_detail", pk=v.agreement_id)
    title = _("New agreement")
    return render(
        request,
        "partnerships/agreements/form.html",
        {"form": form, "partnership": p, "agreement": None, "title": title},
    )


@login_required
@refusals
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    a = selectors.agreement_detail(actor, pk)
    context = {
        "agreement": a,
        "partnership": a.partnership,
        "actions": access.actions(actor, a),
        "versions": selectors.version_views(actor, a),
    }
    return render(request, "partnerships/agreements/detail.html", context)


@login_required
@refusals
def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    a = selectors.agreement_detail(actor, pk)
    access.require(actor, "edit", a, now=False)
    latest = a.versions.all()[0]
    initial = {
        "title": latest.title,
        "starts_on": latest.starts_on,
        "ends_on": latest.ends_on,
        "clauses": clauses_text(latest.clauses),
    }
    form = VersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            v = services.new_version(actor, a.pk, form.service_data())
        except (InvalidInput, PermissionDenied, Conflict) as e:
            _refused(form, e)
        else:
            messages.success(
                request,
                _("Version %(number)s was written; it now awaits every party's approval.")
                % {"number": v.number},
            )
            return redirect("partnerships:agreement_detail", pk=a.pk)
    title = _("New version of “%(title)s”") % {"title": a.title}
    return render(
        request,
        "partnerships/agreements/form.html",
        {"form": form, "partnership": a.partnership, "agreement": a, "title": title},
    )


@require_POST
@login_required
@refusals
def version_approve(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    v = selectors.version_detail(actor, pk)
    members = request.POST.getlist("member") or None
    try:
        chosen = [int(m) for m in members] if members else None
        services.approve(actor, v.pk, members=chosen, comment=request.POST.get("comment", ""))
    except ValueError:
        messages.error(request, _("Choose the party you approve for."))
    except (InvalidInput, Conflict) as e:
        messages.error(
            request,
            str(e.message)
            if not getattr(e, "fields", None)
            else " ".join(str(m) for ms in e.fields.values() for m in ms),
        )
    else:
        messages.success(request, _("You approved version %(number)s.") % {"number": v.number})
    return redirect("partnerships:agreement_detail", pk=v.agreement_id)


@login_required
@refusals
def agreement_compare(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    a = selectors.agreement_detail(actor, pk)
    numbers = sorted(v.number for v in a.versions.all())
    form = CompareForm(request.GET or None, numbers=numbers)
    error = ""
    try:
        left, right = selectors.version_pair(
            actor, a, request.GET.get("left"), request.GET.get("right")
        )
    except InvalidInput as e:
        error = " ".join(str(m) for ms in e.fields.values() for m in ms)
        left, right = selectors.version_pair(actor, a, None, None)
    if not request.GET:
        form = CompareForm(initial={"left": left.number, "right": right.number}, numbers=numbers)
    context = {
        "agreement": a,
        "partnership": a.partnership,
        "form": form,
        "left": left,
        "right": right,
        "rows": compare_versions(left, right),
        "error": error,
    }
    return render(request, "partnerships/agreements/compare.html", context)


@login_required
@refusals
def inbox(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    page = paginate(selectors.inbox_for(actor), request.GET.get("page"), 25)
    return render(request, "partnerships/agreements/inbox.html", {"page": page})
