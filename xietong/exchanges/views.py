"""Pages of exchanges: programs, offers, applications, reviews, matching, placements, coverage.

Thin: parse with a form, call a selector or a service, render. Every scope rule lives in
``selectors`` and ``services``; a refusal from them becomes an inline field error, a
message, a 403 or a 404 (``xietong.core.views.refusals``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.core.paging import paginate
from xietong.core.views import apply_errors, refusals
from xietong.exchanges import forms as f
from xietong.exchanges import selectors, services
from xietong.exchanges.choices import (
    WITHDRAWABLE,
    AppStatus,
    PlacementStatus,
    ProgramStatus,
    ReportKind,
    RunStatus,
)
from xietong.exchanges.models import Application, HostOffer, Placement, Program
from xietong.institutions import selectors as registry
from xietong.institutions.choices import Kind, Position, Stage, Title
from xietong.institutions.selectors import InstitutionFilters, StaffFilters
from xietong.regions.selectors import path_prefixes_for, under_paths_q

CHOICE_LIMIT = 500
STAGES = dict(Stage.choices)
EDITABLE = {ProgramStatus.DRAFT, ProgramStatus.OPEN, ProgramStatus.CLOSED}
PROGRAM_ORDER = ("-school_year", "-term", "title", "id")  # Program.Meta.ordering, lost by GROUP BY


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


ALIASES = {"capacities": "slots"}


def _refused(form: Any, error: Exception) -> None:
    """A service's refusal on a form: fields inline, the rest above the form.

    Keys like ``slots.2`` land on ``slots``; ``capacities`` on ``slots`` too.
    """
    if isinstance(error, InvalidInput):
        fields: dict[str, list[str]] = {}
        for key, msgs in error.fields.items():
            base = ALIASES.get(key, key.split(".")[0])
            target = key if key in form.fields or base not in form.fields else base
            fields.setdefault(target, []).extend(msgs)
        error.fields = fields
        apply_errors(form, error)
    else:
        form.add_error(None, str(getattr(error, "message", error)))


def _label_slots(offers: list[HostOffer]) -> list[HostOffer]:
    for offer in offers:
        for slot in offer.slots.all():
            slot.stage_label = STAGES.get(slot.stage, slot.stage)  # type: ignore[attr-defined]
    return offers


def _institution_choices(actor: Any, **filters: Any) -> list[tuple[int, str]]:
    rows = registry.institutions_for(actor, InstitutionFilters(**filters))
    return [
        (pk, f"{name} · {region}")
        for pk, name, region in rows.values_list("pk", "name", "region__name")[:CHOICE_LIMIT]
    ]


def _is_program_manager(actor: Any) -> bool:
    return bool(actor.admin_region_paths)


def _reviews(actor: Any) -> bool:
    return bool(actor.admin_institution_ids or actor.admin_region_paths)


# --- programs --------------------------------------------------------------------------------


@login_required
@refusals
def program_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not actor.reads_registry:
        raise PermissionDenied(_("Your roles do not include exchange programs."))
    form = f.ProgramFilterForm(request.GET)
    page = None
    if form.is_valid():
        d = form.cleaned_data
        qs = selectors.programs_for(actor, status=d["status"], school_year=d["school_year"].strip())
        if d["kind"]:
            qs = qs.filter(kind=d["kind"])
        if d["term"]:
            qs = qs.filter(term=d["term"])
        try:
            if d["area"]:
                qs = qs.filter(under_paths_q(path_prefixes_for(d["area"]), "region__path"))
            qs = qs.annotate(offer_count=Count("offers", distinct=True)).order_by(*PROGRAM_ORDER)
            page = paginate(qs, request.GET.get("page"), d["page_size"])
        except NotFound as e:
            form.add_error("area", str(e.message))
    context = {"form": form, "page": page, "creates": _is_program_manager(actor)}
    htmx = getattr(request, "htmx", None)
    partial = htmx is not None and bool(htmx) and not htmx.history_restore_request
    partial = partial and htmx is not None and htmx.target == "results"
    template = "exchanges/_program_results.html" if partial else "exchanges/program_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _eligibility(p: Program) -> list[tuple[str, str]]:
    def labels(field: str, choices: Any) -> str:
        names = dict(choices)
        return "、".join(str(names.get(c, c)) for c in p.codes(field)) or _("Any")

    ages = ""
    if p.min_age is not None or p.max_age is not None:
        ages = f"{p.min_age or '—'} – {p.max_age or '—'}"
    return [
        (_("Stages"), labels("elig_stages", Stage.choices)),
        (_("Subjects"), "、".join(p.codes("elig_subjects")) or _("Any")),
        (_("Titles"), labels("elig_titles", Title.choices)),
        (_("Positions"), labels("elig_positions", Position.choices)),
        (_("Minimum years at the institution"), str(p.min_years) if p.min_years else _("Any")),
        (_("Age"), ages or _("Any")),
    ]


def _status_counts(actor: Any, program_id: int) -> list[dict[str, Any]]:
    rows = (
        selectors.applications_for(actor, program_id=program_id)
        .prefetch_related(None)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    counts = {r["status"]: r["n"] for r in rows}
    return [
        {"status": s, "label": AppStatus(s).label, "n": counts.get(s, 0)}
        for s in AppStatus.values
        if counts.get(s)
    ]


@login_required
@refusals
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    program = selectors.program_detail(actor, pk)
    offers = _label_slots(list(selectors.offers_for(actor, pk)))
    try:
        runs = list(selectors.runs_for(actor, pk)[:20])
    except PermissionDenied:
        runs = None
    mine = None
    if actor.own_staff_id is not None:
        mine = (
            selectors.applications_for(actor, program_id=pk)
            .filter(applicant_id=actor.own_staff_id)
            .exclude(status__in=[AppStatus.WITHDRAWN, AppStatus.REJECTED])
            .first()
        )
    now = timezone.now()
    context = {
        "program": program,
        "offers": offers,
        "runs": runs,
        "counts": _status_counts(actor, pk),
        "eligibility": _eligibility(program),
        "mine": mine,
        "window_open": program.status == ProgramStatus.OPEN
        and program.opens_at <= now < program.closes_at,
        "moves": f.status_moves(program) if program.can_manage else [],  # type: ignore[attr-defined]
        "editable": program.status in EDITABLE,
        "adds_offers": program.status in EDITABLE and _reviews(actor),
        "areas": {
            side: [a for a in program.areas.all() if a.side == side] for side in ("sending", "host")
        },
    }
    return render(request, "exchanges/program_detail.html", context)


def _program_form_kwargs(actor: Any, program: Program | None = None) -> dict[str, Any]:
    organisers = _institution_choices(actor, kind=Kind.AUTHORITY, mine=True)
    regions = [(r.code, r.name) for r in registry.writable_regions(actor).order_by("path")]
    if program is not None:
        if all(o[0] != program.organiser_id for o in organisers):
            organisers.insert(0, (program.organiser_id, program.organiser.name))
        if all(r[0] != program.region.code for r in regions):
            regions.insert(0, (program.region.code, program.region.name))
    return {"organisers": organisers, "regions": regions}


@login_required
@refusals
def program_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not _is_program_manager(actor):
        raise PermissionDenied(_("Programs are set up by authority administrators."))
    kwargs = _program_form_kwargs(actor)
    if request.method == "POST":
        form = f.ProgramForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                program = services.create_program(actor, form.service_data())
            except (InvalidInput, PermissionDenied, Conflict) as e:
                _refused(form, e)
            else:
                messages.success(
                    request, _("The program “%(title)s” was created.") % {"title": program.title}
                )
                return redirect("exchanges:program_detail", pk=program.pk)
    else:
        initial: dict[str, Any] = {"school_year": f.current_school_year(), "max_choices": 3}
        if len(kwargs["organisers"]) == 1:
            initial["organiser"] = kwargs["organisers"][0][0]
        if kwargs["regions"]:
            initial["region"] = kwargs["regions"][0][0]
        form = f.ProgramForm(initial=initial, **kwargs)
    return render(request, "exchanges/program_form.html", {"form": form, "program": None})


@login_required
@refusals
def program_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    program = selectors.program_detail(actor, pk)
    if not program.can_manage:  # type: ignore[attr-defined]
        raise PermissionDenied(
            _("Only an authority administrator over the program's region manages this program.")
        )
    kwargs = {**_program_form_kwargs(actor, program), "initial": f.ProgramForm.initial_for(program)}
    if request.method == "POST":
        form = f.ProgramForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.service_data(changed_only=True)
            if not data:
                messages.info(request, _("Nothing was changed."))
                return redirect("exchanges:program_detail", pk=pk)
            try:
                services.update_program(actor, pk, data)
            except (InvalidInput, PermissionDenied, Conflict) as e:
                _refused(form, e)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("exchanges:program_detail", pk=pk)
    else:
        form = f.ProgramForm(**kwargs)
    return render(request, "exchanges/program_form.html", {"form": form, "program": program})


@login_required
@require_POST
@refusals
def program_status(request: HttpRequest, pk: int) -> HttpResponse:
    form = f.StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown status."))
        return redirect("exchanges:program_detail", pk=pk)
    try:
        program = services.set_program_status(_actor(request), pk, form.cleaned_data["status"])
    except Conflict as e:
        messages.error(request, str(e.message))
    else:
        messages.success(
            request,
            _("The program is now “%(status)s”.") % {"status": program.get_status_display()},
        )
    return redirect("exchanges:program_detail", pk=pk)


@login_required
@require_POST
@refusals
def program_repeat(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        copy = services.repeat_program(_actor(request), pk)
    except (Conflict, InvalidInput) as e:
        messages.error(request, str(e.message))
        return redirect("exchanges:program_detail", pk=pk)
    messages.success(
        request,
        _("A draft for %(year)s term %(term)d was created; check its dates and open it.")
        % {"year": copy.school_year, "term": copy.term},
    )
    return redirect("exchanges:program_detail", pk=copy.pk)


# --- offers ----------------------------------------------------------------------------------


def _mentor_choices(actor: Any, host_id: int | None) -> list[tuple[int, str]]:
    if host_id is None:
        return []
    rows = registry.staff_for(actor, StaffFilters(institution_id=host_id))
    return [
        (pk, f"{name} · {title}" if title else name)
        for pk, name, title in rows.values_list("pk", "name", "title")[:CHOICE_LIMIT]
    ]


@login_required
@refusals
def offer_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    program = selectors.program_detail(actor, pk)
    if not _reviews(actor):
        raise PermissionDenied(
            _("Only the host's administrator or an authority over it may offer places there.")
        )
    hosts = [h for h in _institution_choices(actor, mine=True)]
    source = request.POST if request.method == "POST" else request.GET
    raw_host = source.get("host") or (str(hosts[0][0]) if len(hosts) == 1 else "")
    host_id = int(raw_host) if raw_host.isdigit() else None
    kwargs: dict[str, Any] = {"hosts": hosts, "mentors": _mentor_choices(actor, host_id)}
    if request.method == "POST":
        form = f.OfferForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.create_offer(
                    actor,
                    pk,
                    host=form.cleaned_data["host"],
                    mentor=form.cleaned_data["mentor"],
                    requirements=form.cleaned_data["requirements"],
                    slots=list(form.slot_data()),
                )
            except (InvalidInput, PermissionDenied, Conflict, NotFound) as e:
                _refused(form, e)
            else:
                messages.success(request, _("The offer was added."))
                return redirect("exchanges:program_detail", pk=pk)
    else:
        form = f.OfferForm(initial={"host": host_id}, **kwargs)
    context = {"form": form, "program": program, "offer": None}
    return render(request, "exchanges/offer_form.html", context)


@login_required
@refusals
def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    offer = selectors.offer_detail(actor, pk)
    if not offer.can_manage:  # type: ignore[attr-defined]
        raise PermissionDenied(
            _("Only the host's administrator or an authority over it manages this offer.")
        )
    kwargs: dict[str, Any] = {
        "hosts": [(offer.host_id, offer.host.name)],
        "mentors": _mentor_choices(actor, offer.host_id),
        "offer": offer,
        "initial": {
            "host": offer.host_id,
            "mentor": offer.mentor_id,
            "requirements": offer.requirements,
        },
    }
    if request.method == "POST":
        form = f.OfferForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.update_offer(
                    actor,
                    pk,
                    mentor=form.cleaned_data["mentor"],
                    requirements=form.cleaned_data["requirements"],
                    capacities=form.capacities(),
                )
            except (InvalidInput, PermissionDenied, Conflict) as e:
                _refused(form, e)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("exchanges:program_detail", pk=offer.program_id)
    else:
        form = f.OfferForm(**kwargs)
    context = {"form": form, "program": offer.program, "offer": offer}
    return render(request, "exchanges/offer_form.html", context)


@login_required
@require_POST
@refusals
def offer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    offer = selectors.offer_detail(actor, pk)
    try:
        services.delete_offer(actor, pk)
    except Conflict as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("The offer was removed."))
    return redirect("exchanges:program_detail", pk=offer.program_id)


# --- applying ---------------------------------------------------------------------------------


def _offer_choices(offers: list[HostOffer]) -> list[tuple[int, str]]:
    out = []
    for o in offers:
        slots = list(o.slots.all())
        free = sum(s.capacity - s.taken for s in slots)
        parts = "、".join(f"{STAGES.get(s.stage, s.stage)}·{s.subject}" for s in slots)
        label = f"{o.host.name} · {parts} · " + (
            _("%(n)d places free") % {"n": free} if free else _("full")
        )
        out.append((o.pk, label))
    return out


def _own_staff(actor: Any) -> Any:
    if actor.own_staff_id is None:
        raise PermissionDenied(_("Only teachers with a staff record apply for exchanges."))
    return registry.staff_detail(actor, actor.own_staff_id)


APPLICANT_CHOICES_LIMIT = 500


def _applicant_choices(actor: Any) -> list[tuple[int, str]]:
    """Staff an administrator may apply for (the school's or the authority's own staff)."""
    if not (actor.admin_institution_ids or actor.admin_region_paths):
        return []
    rows = registry.staff_for(actor, StaffFilters(mine=True)).order_by("institution__name", "name")
    return [(s.pk, f"{s.name} · {s.institution.name}") for s in rows[:APPLICANT_CHOICES_LIMIT]]


def _chosen_applicant(actor: Any, request: HttpRequest, choices: list[tuple[int, str]]) -> Any:
    """The teacher applied for: chosen by an administrator, else the signed-in teacher."""
    if not choices:
        return _own_staff(actor)
    raw = request.POST.get("applicant") or request.GET.get("applicant") or ""
    if raw.isdigit() and int(raw) in {pk for pk, _label in choices}:
        return registry.staff_detail(actor, int(raw))
    return None


@login_required
@refusals
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    program = selectors.program_detail(actor, pk)
    applicants = _applicant_choices(actor)
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
                    if applicants and submit
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
    if actor.own_staff_id is None:
        raise PermissionDenied(_("Only teachers with a staff record apply for exchanges."))
    qs = selectors.applications_for(actor).filter(applicant_id=actor.own_staff_id)
    page = paginate(qs, request.GET.get("page"), request.GET.get("page_size"))
    results = {r.application_id: r for r in selectors.my_results(actor)[:200]}
    for app in page.object_list:
        app.result = results.get(app.pk)
    return render(request, "exchanges/my_applications.html", {"page": page})


def _timeline(app: Application, placement: Placement | None) -> list[dict[str, Any]]:
    started = placement is not None and placement.status != PlacementStatus.PLANNED
    steps: list[tuple[str, Any]] = [
        (AppStatus.DRAFT, app.created_at),
        (AppStatus.SUBMITTED, app.submitted_at),
        (AppStatus.RECOMMENDED, app.recommended_at),
        (AppStatus.APPROVED, app.approved_at),
        (AppStatus.MATCHED, bool(app.matched_slot_id)),
        (AppStatus.CONFIRMED, app.confirmed_at),
        (AppStatus.IN_PROGRESS, started),
        (AppStatus.COMPLETED, app.completed_at),
    ]
    order = [s for s, _at in steps]
    if app.status in order:
        reached = order.index(app.status)
    else:  # withdrawn or rejected: as far as it had got
        reached = max((i for i, (_s, at) in enumerate(steps) if at), default=0)
    out: list[dict[str, Any]] = [
        {
            "label": AppStatus(status).label,
            "at": at if isinstance(at, dt.datetime) else None,
            "done": i <= reached,
            "current": status == app.status,
        }
        for i, (status, at) in enumerate(steps)
    ]
    if app.status in (AppStatus.WITHDRAWN, AppStatus.REJECTED):
        out = out[: reached + 1]
        out.append(
            {
                "label": AppStatus(app.status).label,
                "at": app.closed_at,
                "done": True,
                "current": True,
                "closed": True,
            }
        )
    return out


@login_required
@refusals
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    app = selectors.application_detail(actor, pk)
    result = selectors.application_result(actor, pk)
    placement = selectors.placements_for(actor).filter(application_id=pk).first()
    explanation = ""
    if result is not None:
        english = (get_language() or "").startswith("en")
        explanation = result.explanation_en if english else result.explanation_zh
    own = actor.own_staff_id is not None and actor.own_staff_id == app.applicant_id
    context = {
        "app": app,
        "result": result,
        "explanation": explanation,
        "placement": placement,
        "own": own,
        "timeline": _timeline(app, placement),
        "withdrawable": own and app.status in WITHDRAWABLE,
        "rejectable": services.may_reject(actor, app),
        "notice_over": app.notice_ends_on is not None and app.notice_ends_on < timezone.localdate(),
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


@login_required
@refusals
def review(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not _reviews(actor):
        raise PermissionDenied(_("Applications are reviewed by institution and authority admins."))
    size = request.GET.get("page_size")
    context = {
        "recommend": paginate(
            selectors.applications_to_recommend(actor), request.GET.get("page"), size
        )
        if actor.admin_institution_ids
        else None,
        "approve": paginate(selectors.applications_to_approve(actor), request.GET.get("page"), size)
        if actor.admin_region_paths
        else None,
        "today": timezone.localdate(),
    }
    return render(request, "exchanges/review.html", context)


@login_required
@refusals
def application_recommend(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    app = selectors.application_detail(actor, pk)
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
                "notice_ends_on": today + dt.timedelta(days=5),
            }
        )
    context = {"app": app, "form": form, "step": "recommend"}
    return render(request, "exchanges/decide.html", context, status=422 if form.errors else 200)


@login_required
@refusals
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    app = selectors.application_detail(actor, pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.approve_application(actor, pk)
        except (Conflict, InvalidInput) as e:
            errors.append(str(e.message))
        else:
            messages.success(
                request,
                _("The application of %(name)s was approved.") % {"name": app.applicant.name},
            )
            return redirect("exchanges:review")
    context = {"app": app, "form": None, "step": "approve", "errors": errors}
    return render(request, "exchanges/decide.html", context, status=409 if errors else 200)


@login_required
@refusals
def application_reject(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    app = selectors.application_detail(actor, pk)
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


# --- matching runs ----------------------------------------------------------------------------


@login_required
@refusals
def matching(request: HttpRequest) -> HttpResponse:
    """Programs the actor manages that are ready for, or in, matching."""
    actor = _actor(request)
    if not _is_program_manager(actor):
        raise PermissionDenied(_("Matching runs are seen by the program's authorities only."))
    qs = (
        selectors.programs_for(actor)
        .filter(  # type: ignore[misc]
            can_manage=True,
            status__in=[ProgramStatus.CLOSED, ProgramStatus.MATCHING, ProgramStatus.PUBLISHED],
        )
        .annotate(run_count=Count("runs", distinct=True))
        .order_by(*PROGRAM_ORDER)
    )
    page = paginate(qs, request.GET.get("page"), request.GET.get("page_size"))
    return render(request, "exchanges/matching.html", {"page": page})


@login_required
@refusals
def program_runs(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    program = selectors.program_detail(actor, pk)
    runs = list(selectors.runs_for(actor, pk)[:50])
    if request.method == "POST":
        form = f.RunForm(request.POST)
        if form.is_valid():
            try:
                run = services.start_matching_run(
                    actor, pk, form.cleaned_data["mode"], form.parameters()
                )
            except (InvalidInput, Conflict) as e:
                _refused(form, e)
            else:
                messages.success(request, _("The matching run was started."))
                return redirect("exchanges:run_detail", pk=run.pk)
    else:
        form = f.RunForm()
    context = {"program": program, "runs": runs, "form": form}
    return render(request, "exchanges/runs.html", context, status=422 if form.errors else 200)


def _chart_data(run: Any) -> dict[str, Any]:
    stats = run.statistics or {}
    dist = stats.get("rank_distribution", {})
    ranks = sorted((k for k in dist if k != "unmatched"), key=int)
    by_region = stats.get("by_region", {})
    return {
        "ranks": {
            "labels": [_("Choice %(n)s") % {"n": k} for k in ranks] + [_("Not matched")],
            "values": [dist[k] for k in ranks] + [dist.get("unmatched", 0)],
        },
        "share": {
            "matched": stats.get("matched", 0),
            "unmatched": stats.get("applicants", 0) - stats.get("matched", 0),
            "labels": [_("Matched"), _("Not matched")],
        },
        "regions": {
            "labels": [r["name"] for r in by_region.values()],
            "applicants": [r["applicants"] for r in by_region.values()],
            "matched": [r["matched"] for r in by_region.values()],
            "names": [_("Applicants"), _("Matched")],
        },
    }


@login_required
@refusals
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    run = selectors.run_detail(actor, pk)
    program = selectors.program_detail(actor, run.program_id)
    page = None
    if run.status in (RunStatus.DONE, RunStatus.PUBLISHED):
        page = paginate(selectors.run_results(actor, pk), request.GET.get("page"), 50)
        english = (get_language() or "").startswith("en")
        for r in page.object_list:
            r.explanation = r.explanation_en if english else r.explanation_zh
            if r.slot_id:
                r.slot.stage_label = STAGES.get(r.slot.stage, r.slot.stage)
    context = {
        "run": run,
        "program": program,
        "page": page,
        "charts": _chart_data(run),
        "stats": run.statistics or {},
    }
    return render(request, "exchanges/run_detail.html", context)


@login_required
@refusals
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The small progress fragment htmx polls; a finished run reloads the whole page."""
    run = selectors.run_detail(_actor(request), pk)
    response = render(request, "exchanges/_run_status.html", {"run": run})
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING) and getattr(request, "htmx", None):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
@refusals
def run_publish(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.publish_run(_actor(request), pk)
    except (Conflict, InvalidInput) as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("The results were published; applicants are notified."))
    return redirect("exchanges:run_detail", pk=pk)


# --- placements -------------------------------------------------------------------------------


@login_required
@refusals
def placement_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    qs = selectors.placements_for(actor).select_related("slot")
    page = paginate(qs, request.GET.get("page"), request.GET.get("page_size"))
    return render(request, "exchanges/placement_list.html", {"page": page})


PLACEMENT_FORMS = {
    "log_form": f.LogForm,
    "report_form": f.ReportForm,
    "evaluate_form": f.EvaluateForm,
    "complete_form": f.CompletePlacementForm,
    "duty_form": f.DutyForm,
}


def _placement_page(request: HttpRequest, pk: int, status: int = 200, **bound: Any) -> HttpResponse:
    actor = _actor(request)
    p = selectors.placement_detail(actor, pk)
    sides = selectors.placement_sides(actor, p)
    reports = {(r.kind, r.side): r for r in p.reports.all()}
    duties = list(p.duties.all())
    today = timezone.localdate()
    context: dict[str, Any] = {
        "p": p,
        "app": p.application,
        "sides": sides,
        "logs": list(p.logs.all()),
        "reports": [
            {
                "kind": ReportKind(k).label,
                "side_label": label,
                "report": reports.get((k, side)),
            }
            for k in ReportKind.values
            for side, label in (("teacher", _("Teacher")), ("host", _("Host")))
        ],
        "hours_logged": sum(log.hours for log in p.logs.all()),
        "duties": [
            (d, bound.get(f"done_form_{d.pk}") or f.DutyDoneForm(initial={"done_on": today}))
            for d in duties
        ],
        "stage_label": STAGES.get(p.slot.stage, p.slot.stage) if p.slot_id else "",
        "completable": p.status == PlacementStatus.COMPLETED
        and p.application.status == AppStatus.IN_PROGRESS
        and bool(duties)
        and all(d.done_on for d in duties),
        "can_start": p.status == PlacementStatus.PLANNED
        and bool(sides & {"host", "home", "manager"}),
        "writes_reports": p.status == PlacementStatus.ACTIVE and bool(sides & {"teacher", "host"}),
    }
    week = today - dt.timedelta(days=today.weekday())
    defaults: dict[str, dict[str, Any]] = {
        "log_form": {"week_starting": week, "hours": 0},
        "complete_form": {
            "hours_credited": sum(log.hours for log in p.logs.all()) or 0,
        },
    }
    for name, cls in PLACEMENT_FORMS.items():
        context[name] = bound.get(name) or cls(initial=defaults.get(name))
    return render(request, "exchanges/placement_detail.html", context, status=status)


@login_required
@refusals
def placement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _placement_page(request, pk)


def _placement_post(request: HttpRequest, pk: int, name: str, call: Any, done: str) -> HttpResponse:
    form = PLACEMENT_FORMS[name](request.POST)
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except (InvalidInput, Conflict) as e:
            _refused(form, e)
        else:
            messages.success(request, done)
            return redirect("exchanges:placement_detail", pk=pk)
    return _placement_page(request, pk, status=422, **{name: form})


@login_required
@require_POST
@refusals
def placement_start(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.start_placement(_actor(request), pk)
    except Conflict as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("The placement has started."))
    return redirect("exchanges:placement_detail", pk=pk)


@login_required
@require_POST
@refusals
def placement_log(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _placement_post(
        request,
        pk,
        "log_form",
        lambda d: services.add_log(actor, pk, **d),
        _("The weekly log was added."),
    )


@login_required
@require_POST
@refusals
def placement_report(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _placement_post(
        request,
        pk,
        "report_form",
        lambda d: services.submit_report(actor, pk, **d),
        _("The report was submitted."),
    )


@login_required
@require_POST
@refusals
def placement_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _placement_post(
        request,
        pk,
        "evaluate_form",
        lambda d: services.evaluate_placement(actor, pk, score=float(d["score"]), grade=d["grade"]),
        _("The evaluation was saved."),
    )


@login_required
@require_POST
@refusals
def placement_complete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _placement_post(
        request,
        pk,
        "complete_form",
        lambda d: services.complete_placement(actor, pk, **d),
        _("The placement is complete; the return duty at home follows."),
    )


@login_required
@require_POST
@refusals
def duty_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _placement_post(
        request,
        pk,
        "duty_form",
        lambda d: services.add_return_duty(actor, pk, **d),
        _("The return duty was recorded."),
    )


@login_required
@require_POST
@refusals
def duty_done(request: HttpRequest, pk: int, duty_pk: int) -> HttpResponse:
    actor = _actor(request)
    form = f.DutyDoneForm(request.POST)
    if form.is_valid():
        try:
            duty = services.complete_return_duty(actor, duty_pk, **form.cleaned_data)
        except (InvalidInput, Conflict) as e:
            _refused(form, e)
        else:
            messages.success(request, _("The return duty is done."))
            return redirect("exchanges:placement_detail", pk=duty.placement_id)
    return _placement_page(request, pk, status=422, **{f"done_form_{duty_pk}": form})


# --- coverage ---------------------------------------------------------------------------------


@login_required
@refusals
def coverage(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not (actor.authority_region_paths or actor.admin_institution_ids):
        raise PermissionDenied(_("Coverage is read by authorities and institution admins."))
    institutions = _institution_choices(actor, mine=True) or _institution_choices(actor)
    data = request.GET if "school_year" in request.GET else {"school_year": f.current_school_year()}
    form = f.CoverageForm(data, institutions=institutions)
    context: dict[str, Any] = {"form": form, "rows": None}
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors.CoverageFilters(
            school_year=d["school_year"],
            term=d["term"],
            area=d["area"],
            institution_id=d["institution"],
        )
        try:
            rows = selectors.coverage_by_institution(actor, filters)
            rule = {r["institution_id"]: r for r in selectors.national_rule(actor, filters)}
            total = selectors.coverage_total(actor, filters)
        except NotFound as e:
            form.add_error("area", str(e.message))
        else:
            for row in rows:
                row["rule"] = rule.get(row["institution_id"])
            shown = rows[:300]
            context.update(
                rows=shown,
                more=len(rows) - len(shown),
                total=total,
                full=sum(1 for r in rows if r["full_coverage"]),
                flagged=sum(
                    1 for r in rule.values() if not (r["rotation_ok"] and r["backbone_ok"])
                ),
                chart={
                    "labels": [r["institution"] for r in shown[:30]],
                    "shares": [round(r["share"] * 100, 1) for r in shown[:30]],
                    "rotated": [
                        round((r["rule"] or {}).get("rotated_share", 0) * 100, 1)
                        for r in shown[:30]
                    ],
                    "names": [_("Completed (%)"), _("Rotated (%)")],
                },
            )
    recip_form = f.ReciprocityForm(
        request.GET if "a" in request.GET else None, institutions=_institution_choices(actor)
    )
    if recip_form.is_bound and recip_form.is_valid():
        try:
            context["reciprocity"] = selectors.reciprocity(
                actor,
                recip_form.cleaned_data["a"],
                recip_form.cleaned_data["b"],
                form.cleaned_data.get("school_year", "") if form.is_valid() else "",
            )
        except PermissionDenied as e:
            recip_form.add_error(None, str(e.message))
        else:
            names = dict(recip_form.fields["a"].choices)  # type: ignore[attr-defined]
            context["recip_names"] = (
                names.get(recip_form.cleaned_data["a"]),
                names.get(recip_form.cleaned_data["b"]),
            )
    context["recip_form"] = recip_form
    return render(request, "exchanges/coverage.html", context)


# --- notifications ----------------------------------------------------------------------------

API_LINK = re.compile(r"^/api/exchanges/applications/(\d+)$")


def web_link(link: str) -> str:
    """The page a notification points to (the services store the API address)."""
    m = API_LINK.match(link or "")
    if m:
        return reverse("exchanges:application_detail", args=[int(m.group(1))])
    return link if link.startswith("/") and not link.startswith("/api/") else ""


@login_required
@refusals
def notifications(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    qs: QuerySet[Any] = selectors.notifications_for(actor)
    page = paginate(qs, request.GET.get("page"), request.GET.get("page_size"))
    for n in page.object_list:
        n.href = web_link(n.link)
    return render(
        request,
        "exchanges/notifications.html",
        {"page": page, "unread": selectors.unread_count(actor)},
    )


@login_required
@require_POST
@refusals
def notifications_read(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    raw = request.POST.getlist("id")
    ids = [int(i) for i in raw if i.isdigit()] if raw else None
    n = services.mark_read(actor, ids)
    if not raw:
        messages.success(request, _("%(n)d notifications marked as read.") % {"n": n})
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("exchanges:notifications")


@login_required
def notifications_badge(request: HttpRequest) -> HttpResponse:
    count = selectors.unread_count(_actor(request))
    return render(request, "exchanges/_badge_count.html", {"unread": count})
