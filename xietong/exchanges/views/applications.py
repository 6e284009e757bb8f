"""Pages of applications: applying, the applicant's own list, reviews."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from xietong import access
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied
from xietong.core.htmx import list_response
from xietong.core.paging import paginate
from xietong.core.pickers import BoundPicker, bound
from xietong.core.views import refusals
from xietong.exchanges import forms as f
from xietong.exchanges import selectors, services
from xietong.exchanges.choices import AppStatus
from xietong.exchanges.explanations import render as render_explanation
from xietong.exchanges.exports import REVIEW
from xietong.exchanges.models import HostOffer
from xietong.exchanges.timeline import application_steps
from xietong.exchanges.views.common import (
    STAGES,
    _actor,
    _label_slots,
    _refused,
)
from xietong.institutions import selectors as registry
from xietong.jobs import exports

# --- applying ---------------------------------------------------------------------------------


def _offer_choices(offers: list[HostOffer]) -> list[tuple[int, str]]:
    out = []
    for o in offers:
        slots = list(o.slots.all())
        free = sum(s.capacity - s.taken for s in slots)
        parts = "、".join(f"{STAGES.get(s.stage, s.stage)}·{s.subject_label}" for s in slots)
        label = f"{o.host.name} · {parts} · " + (
            _("%(n)d places free") % {"n": free} if free else _("full")
        )
        out.append((o.pk, label))
    return out


def _own_staff(actor: Any) -> Any:
    own = access.own_record(actor)
    if own is None:
        raise PermissionDenied(_("Only teachers with a staff record apply for exchanges."))
    return registry.staff_detail(actor, own)


def _applicants(actor: Any, program: Any) -> BoundPicker | None:
    """Staff a school administrator may apply for (its own staff, decision 0009)."""
    if "apply_for" not in access.actions(actor, program):
        return None
    return bound("staff", actor, mine=True)


def _chosen_applicant(actor: Any, request: HttpRequest, applicants: BoundPicker | None) -> Any:
    """The teacher applied for: chosen by an administrator, else the signed-in teacher."""
    if applicants is None:
        return _own_staff(actor)
    raw = request.POST.get("applicant") or request.GET.get("applicant") or ""
    return applicants.get(raw) if raw.isdigit() else None


@login_required
@refusals
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    program = selectors.program_detail(actor, pk)
    applicants = _applicants(actor, program)
    staff = _chosen_applicant(actor, request, applicants)
    offers = _label_slots(list(selectors.offers_for(actor, pk)))
    kwargs: dict[str, Any] = {
        "offers": _offer_choices(offers),
        "max_choices": program.max_choices,
        "applicants": applicants,
    }
    problems = services.eligibility_problems(program, staff) if staff is not None else []
    if request.method == "POST":
        form = f.ApplicationForm(request.POST, **kwargs)
        if form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                app = services.create_application(
                    actor,
                    pk,
                    choices=form.ranked(),
                    statement=form.cleaned_data["statement"],
                    applicant=form.cleaned_data.get("applicant"),
                    submit=submit,
                )
            except (InvalidInput, PermissionDenied, Conflict) as e:
                _refused(form, e)
            else:
                messages.success(
                    request,
                    _("The application was submitted to the school.")
                    if applicants is not None and submit
                    else _("Your application was submitted to your school.")
                    if submit
                    else _("Your application was saved as a draft."),
                )
                return redirect("exchanges:application_detail", pk=app.pk)
    else:
        form = f.ApplicationForm(**kwargs)
    context = {
        "form": form,
        "program": program,
        "offers": offers,
        "staff": staff,
        "problems": problems,
        "app": None,
    }
    return render(request, "exchanges/apply.html", context, status=422 if form.errors else 200)


@login_required
@refusals
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the ranked choices of a draft (the statement is kept)."""
    actor = _actor(request)
    app = selectors.application_detail(actor, pk)
    access.require(actor, "edit", app, now=False)
    program = app.program
    offers = _label_slots(list(selectors.offers_for(actor, program.pk)))
    kwargs: dict[str, Any] = {
        "offers": _offer_choices(offers),
        "max_choices": program.max_choices,
        "statement": False,
    }
    if request.method == "POST":
        form = f.ApplicationForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.update_choices(actor, pk, form.ranked())
                if request.POST.get("action") == "submit":
                    services.submit_application(actor, pk)
            except (InvalidInput, PermissionDenied, Conflict) as e:
                _refused(form, e)
            else:
                messages.success(request, _("The application was saved."))
                return redirect("exchanges:application_detail", pk=pk)
    else:
        initial = {f"choice_{c.rank}": c.offer_id for c in app.choices.all()}
        form = f.ApplicationForm(initial=initial, **kwargs)
    context = {
        "form": form,
        "program": program,
        "offers": offers,
        "staff": app.applicant,
        "problems": [],
        "app": app,
    }
    return render(request, "exchanges/apply.html", context, status=422 if form.errors else 200)


@login_required
@refusals
def my_applications(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.can(actor, "exchanges.apply"):
        raise PermissionDenied(_("Only teachers with a staff record apply for exchanges."))
    qs = selectors.my_applications(actor)
    page = paginate(qs, request.GET.get("page"), request.GET.get("page_size"))
    results = {r.application_id: r for r in selectors.my_results(actor)[:200]}
    for app in page.object_list:
        app.result = results.get(app.pk)
    return render(request, "exchanges/my_applications.html", {"page": page})


@login_required
@refusals
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    app = selectors.application_detail(actor, pk)
    result = selectors.application_result(actor, pk)
    placement = selectors.placements_for(actor).filter(application_id=pk).first()
    explanation = render_explanation(result.explanation) if result is not None else ""
    context = {
        "app": app,
        "actions": access.actions(actor, app),
        "own": "applicant" in access.relations_of(actor, app),
        "result": result,
        "explanation": explanation,
        "placement": placement,
        "timeline": application_steps(app, placement),
        "notice_running": app.notice_ends_on is not None
        and app.notice_ends_on >= timezone.localdate(),
    }
    return render(request, "exchanges/application_detail.html", context)


def _app_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except (Conflict, InvalidInput) as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, done)
    return redirect("exchanges:application_detail", pk=pk)


@login_required
@require_POST
@refusals
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _app_action(
        request,
        pk,
        lambda: services.submit_application(actor, pk),
        _("Your application was submitted to your school."),
    )


@login_required
@require_POST
@refusals
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _app_action(
        request,
        pk,
        lambda: services.withdraw_application(actor, pk),
        _("The application was withdrawn."),
    )


@login_required
@require_POST
@refusals
def application_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _app_action(
        request,
        pk,
        lambda: services.confirm_application(actor, pk),
        _("You confirmed the place; your placement is planned."),
    )


@login_required
@require_POST
@refusals
def application_complete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _app_action(
        request,
        pk,
        lambda: services.complete_application(actor, pk),
        _("The exchange is complete."),
    )


# --- reviews ----------------------------------------------------------------------------------

# The verbs a queue's batch action offers: its own step, and returning the application.
QUEUE_VERBS = {"recommend": ("recommend", "reject"), "approve": ("approve", "reject")}
RESULTS_KEY = "xt_review_batch"


def _queue_verb(request: HttpRequest, queue: str) -> str:
    verb = request.GET.get(f"{queue}_verb", "")
    return verb if verb in QUEUE_VERBS[queue] else QUEUE_VERBS[queue][0]


def _queue(actor: Any, request: HttpRequest, queue: str, qs: Any, size: int) -> dict[str, Any]:
    """One queue's page, its rows with their actions, and its batch action's form."""
    page = paginate(qs, request.GET.get("page"), size)
    page.object_list = access.with_actions(actor, page.object_list)
    verb = _queue_verb(request, queue)
    today = timezone.localdate()
    initial: dict[str, Any] = {"verb": verb}
    if verb == "recommend":
        initial.update(notice_starts_on=today, notice_ends_on=services.earliest_notice_end(today))
    return {
        "page": page,
        "verb": verb,
        "verbs": QUEUE_VERBS[queue],
        "form": f.BatchForm(initial=initial, auto_id=f"{queue}_%s"),
        "selectable": sum(1 for a in page.object_list if verb in a.actions),
    }


@login_required
@refusals
def review(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.can(actor, "exchanges.review"):
        raise PermissionDenied(_("Applications are reviewed by institution and authority admins."))
    form = f.ReviewFilterForm(request.GET, actor=actor)
    context: dict[str, Any] = {"form": form, "recommend": None, "approve": None, "valid": False}
    if form.is_valid():
        filters, size = form.filters(), form.cleaned_data["page_size"]
        context["valid"] = True
        if access.can(actor, "exchanges.recommend"):
            queue = selectors.applications_to_recommend(actor, filters)
            context["recommend"] = _queue(actor, request, "recommend", queue, size)
        if access.can(actor, "exchanges.approve"):
            queue = selectors.applications_to_approve(actor, filters)
            context["approve"] = _queue(actor, request, "approve", queue, size)
        context.update(exports.panel(actor, REVIEW, filters))
    context["today"] = timezone.localdate()
    context["batch"] = request.session.pop(RESULTS_KEY, None)
    return list_response(
        request, "exchanges/review.html", "exchanges/_review_results.html", context
    )


@login_required
@require_POST
@refusals
def review_export(request: HttpRequest) -> HttpResponseBase:
    """One review queue's rows for the page's filters, as xlsx or CSV."""
    return exports.respond(request, REVIEW, "exchanges:review")


def _back_to_review(request: HttpRequest) -> str:
    """The review page the batch was sent from (its filters and verbs), else the plain one."""
    back = request.POST.get("back", "")
    base = reverse("exchanges:review")
    return back if back.startswith(base) and url_has_allowed_host_and_scheme(back, None) else base


@login_required
@require_POST
@refusals
def review_batch(request: HttpRequest) -> HttpResponse:
    """Recommend, approve or return the ticked applications; the outcome row by row."""
    actor = _actor(request)
    if not access.can(actor, "exchanges.review"):
        raise PermissionDenied(_("Applications are reviewed by institution and authority admins."))
    back = _back_to_review(request)
    form = f.BatchForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else None
            for e in errors:
                messages.error(request, f"{label}: {e}" if label else str(e))
        return redirect(back)
    d = form.cleaned_data
    try:
        results = services.decide_many(
            actor,
            d["verb"],
            d["ids"],
            comment=d["comment"],
            notice_starts_on=d["notice_starts_on"],
            notice_ends_on=d["notice_ends_on"],
        )
    except InvalidInput as e:
        for text in [m for msgs in e.fields.values() for m in msgs] or [str(e.message)]:
            messages.error(request, text)
        return redirect(back)
    names = selectors.applicant_names(actor, [r.id for r in results])
    done = sum(1 for r in results if r.done)
    request.session[RESULTS_KEY] = {
        "verb": d["verb"],
        "done": done,
        "refused": len(results) - done,
        "rows": [
            {
                "id": r.id,
                "name": names.get(r.id, ""),
                "done": r.done,
                "status": str(AppStatus(r.status).label) if r.status else "",
                "code": r.code,
                "message": r.message,
            }
            for r in results
        ],
    }
    if done == len(results):
        messages.success(
            request,
            ngettext("%(n)d application was decided.", "%(n)d applications were decided.", done)
            % {"n": done},
        )
    else:
        messages.warning(
            request,
            _("%(done)d of %(n)d applications decided, %(refused)d refused: see why below.")
            % {"done": done, "n": len(results), "refused": len(results) - done},
        )
    return redirect(back)


@login_required
@refusals
def application_recommend(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    app = selectors.application_detail(actor, pk)
    access.require(actor, "recommend", app, now=False)
    if request.method == "POST":
        form = f.RecommendForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.recommend_application(
                    actor,
                    pk,
                    notice_starts_on=d["notice_starts_on"],
                    notice_ends_on=d["notice_ends_on"],
                    score=float(d["score"]) if d["score"] is not None else None,
                    comment=d["comment"],
                )
            except (InvalidInput, Conflict) as e:
                _refused(form, e)
            else:
                messages.success(
                    request,
                    _("%(name)s was recommended; the authority is notified.")
                    % {"name": app.applicant.name},
                )
                return redirect("exchanges:review")
    else:
        today = timezone.localdate()
        form = f.RecommendForm(
            initial={
                "notice_starts_on": today,
                "notice_ends_on": services.earliest_notice_end(today),
            }
        )
    context = {"app": app, "form": form, "step": "recommend"}
    return render(request, "exchanges/decide.html", context, status=422 if form.errors else 200)


@login_required
@refusals
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    app = selectors.application_detail(actor, pk)
    access.require(actor, "approve", app, now=False)
    form = f.ApproveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.approve_application(actor, pk, comment=form.cleaned_data["comment"])
        except (Conflict, InvalidInput) as e:
            _refused(form, e)
        else:
            messages.success(
                request,
                _("The application of %(name)s was approved.") % {"name": app.applicant.name},
            )
            return redirect("exchanges:review")
    context = {
        "app": app,
        "form": form,
        "step": "approve",
        "actions": access.actions(actor, app),
        "notice_running": app.notice_ends_on is not None
        and app.notice_ends_on >= timezone.localdate(),
    }
    status = 409 if form.errors and request.method == "POST" else 200
    return render(request, "exchanges/decide.html", context, status=status)


@login_required
@refusals
def application_reject(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    app = selectors.application_detail(actor, pk)
    access.require(actor, "reject", app, now=False)
    if request.method == "POST":
        form = f.RejectForm(request.POST)
        if form.is_valid():
            try:
                services.reject_application(actor, pk, form.cleaned_data["reason"])
            except (InvalidInput, Conflict) as e:
                _refused(form, e)
            else:
                messages.success(
                    request,
                    _("The application of %(name)s was rejected.") % {"name": app.applicant.name},
                )
                return redirect("exchanges:review")
    else:
        form = f.RejectForm()
    context = {"app": app, "form": form, "step": "reject"}
    return render(request, "exchanges/decide.html", context, status=422 if form.errors else 200)
