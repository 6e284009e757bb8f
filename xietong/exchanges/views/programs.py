"""Pages of exchange programs and their host offers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong import access
from xietong.core.codes import SUBJECTS
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.core.htmx import list_response
from xietong.core.paging import paginate
from xietong.core.pickers import BoundPicker, bound
from xietong.core.termfields import current_term
from xietong.core.views import refusals
from xietong.exchanges import forms as f
from xietong.exchanges import selectors, services
from xietong.exchanges.access import WINDOW
from xietong.exchanges.choices import (
    AppStatus,
)
from xietong.exchanges.exports import PROGRAMS
from xietong.exchanges.models import Program
from xietong.exchanges.views.common import (
    PROGRAM_ORDER,
    _actor,
    _label_slots,
    _refused,
)
from xietong.institutions import selectors as registry
from xietong.institutions.choices import Kind, Position, Stage, Title
from xietong.jobs import exports

# --- programs --------------------------------------------------------------------------------


@login_required
@refusals
def program_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.can(actor, "exchanges.programs"):
        raise PermissionDenied(_("Your roles do not include exchange programs."))
    form = f.ProgramFilterForm(request.GET, actor=actor)
    page = None
    if form.is_valid():
        try:
            qs = selectors.programs_for(actor, form.filters())
            qs = qs.annotate(offer_count=Count("offers", distinct=True)).order_by(*PROGRAM_ORDER)
            page = paginate(qs, request.GET.get("page"), form.cleaned_data["page_size"])
        except NotFound as e:
            form.add_error("area", str(e.message))
    context = {
        "form": form,
        "page": page,
        "creates": access.can(actor, "exchanges.create_program"),
        **exports.panel(actor, PROGRAMS, form.filters() if page is not None else None),
    }
    return list_response(
        request, "exchanges/program_list.html", "exchanges/_program_results.html", context
    )


@login_required
@require_POST
@refusals
def program_export(request: HttpRequest) -> HttpResponseBase:
    """The program list's rows for its filters, as xlsx or CSV."""
    return exports.respond(request, PROGRAMS, "exchanges:program_list")


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


def _my_problems(actor: Any, program: Program) -> list[str] | None:
    """Why the signed-in teacher may not apply to an open program (None: not a teacher,
    or the program takes no applications now)."""
    own = access.own_record(actor)
    if own is None or not WINDOW.holds(program):
        return None
    return services.eligibility_problems(program, registry.staff_detail(actor, own))


@login_required
@refusals
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    program = selectors.program_detail(actor, pk)
    offers = _label_slots(list(selectors.offers_for(actor, pk)))
    actions = access.actions(actor, program)
    runs = list(selectors.runs_for(actor, pk)[:20]) if "runs" in actions else None
    context = {
        "program": program,
        "actions": actions,
        "offers": access.with_actions(actor, offers),
        "runs": runs,
        "counts": _status_counts(actor, pk),
        "eligibility": _eligibility(program),
        "mine": selectors.my_application(actor, pk),
        "my_problems": _my_problems(actor, program),
        "moves": f.status_moves(program) if "set_status" in actions else [],
        "window_open": WINDOW.holds(program),
        "areas": {
            side: [a for a in program.areas.all() if a.side == side] for side in ("sending", "host")
        },
    }
    return render(request, "exchanges/program_detail.html", context)


def _program_form_kwargs(actor: Any, program: Program | None = None) -> dict[str, Any]:
    organisers = bound("institutions", actor, kind=Kind.AUTHORITY, mine=True)
    regions = [(r.code, r.name) for r in registry.writable_regions(actor).order_by("path")]
    keep = None
    if program is not None:
        keep = program.organiser_id
        if all(r[0] != program.region.code for r in regions):
            regions.insert(0, (program.region.code, program.region.name))
    return {"organisers": organisers, "regions": regions, "keep_organiser": keep}


@login_required
@refusals
def program_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.can(actor, "exchanges.create_program"):
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
        initial["organiser"] = kwargs["organisers"].only_one()
        if kwargs["regions"]:
            initial["region"] = kwargs["regions"][0][0]
        form = f.ProgramForm(initial=initial, **kwargs)
    return render(request, "exchanges/program_form.html", {"form": form, "program": None})


@login_required
@refusals
def program_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    program = selectors.program_detail(actor, pk)
    access.require(actor, "edit", program)
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


def _mentors(actor: Any, host_id: int | None) -> BoundPicker:
    """The staff picker over the host's staff (none until a host is chosen)."""
    return bound("staff", actor, institution=host_id or NO_INSTITUTION)


NO_INSTITUTION = 2**63 - 1  # an id no institution has: no mentor before a host


@login_required
@refusals
def offer_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    program = selectors.program_detail(actor, pk)
    access.require(actor, "offer", program)
    hosts = bound("institutions", actor, mine=True)
    source = request.POST if request.method == "POST" else request.GET
    raw_host = source.get("host") or str(hosts.only_one())
    host_id = int(raw_host) if raw_host.isdigit() and hosts.get(raw_host) else None
    kwargs: dict[str, Any] = {"hosts": hosts, "mentors": _mentors(actor, host_id)}
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
    access.require(actor, "edit", offer)
    kwargs: dict[str, Any] = {
        "hosts": bound("institutions", actor, mine=True),
        "mentors": _mentors(actor, offer.host_id),
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
