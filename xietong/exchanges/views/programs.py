"""Pages of exchange programs and their host offers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong.core.codes import SUBJECTS
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.core.paging import paginate
from xietong.core.termfields import current_term
from xietong.core.views import refusals
from xietong.exchanges import forms as f
from xietong.exchanges import selectors, services
from xietong.exchanges.choices import (
    AppStatus,
    ProgramStatus,
)
from xietong.exchanges.models import Program
from xietong.exchanges.views.common import (
    CHOICE_LIMIT,
    EDITABLE,
    PROGRAM_ORDER,
    _actor,
    _institution_choices,
    _is_program_manager,
    _label_slots,
    _refused,
    _reviews,
)
from xietong.institutions import selectors as registry
from xietong.institutions.choices import Kind, Position, Stage, Title
from xietong.institutions.selectors import StaffFilters
from xietong.regions.selectors import path_prefixes_for, under_paths_q

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
        qs = selectors.programs_for(actor, status=d["status"], terms=f.ProgramFilterForm.terms(d))
        if d["kind"]:
            qs = qs.filter(kind=d["kind"])
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
        (_("Subjects"), "、".join(SUBJECTS.labels(p.codes("elig_subjects"))) or _("Any")),
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
        initial: dict[str, Any] = {"school_term": current_term().next(), "max_choices": 3}
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
        _("A draft for %(term)s was created; check its dates and open it.")
        % {"term": copy.school_term},
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
