"""Pages of teacher training: the catalogue, a program (enroll, withdraw, sessions,
materials, quotas, the keepers' buttons), the keepers' program form, roster and
attendance (with the check-in code for the projector), assessment and hours, enrolling
on a teacher's behalf, certificates (list, revoke, PDF), the teacher's own training and
check-in, and the public verification page. Thin: parse, call a selector or a service."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from xietong import access
from xietong.core import ratelimit
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied, ServiceError
from xietong.core.filters import filter_form
from xietong.core.htmx import list_response
from xietong.core.paging import paginate
from xietong.core.pickers import bound
from xietong.core.views import apply_errors, refusals, through_service
from xietong.training import certificate_pdf, reach, record, record_pdf
from xietong.training import selectors as sel
from xietong.training.access import KEEPS, is_own_record, trains_in_person
from xietong.training.choices import EnrollmentStatus
from xietong.training.forms import (
    CheckInForm,
    EnrollForForm,
    ProgramForm,
    QuotaForm,
    ReasonForm,
    SessionForm,
    VerifyForm,
)
from xietong.training.models import Enrollment
from xietong.training.services import attendance, certificates, enrollment, programs
from xietong.training.services.common import hours_text, load

FilterForm = filter_form(sel.ProgramFilters)


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _gate(actor: Any) -> None:
    if not access.can(actor, "training.browse"):
        raise PermissionDenied(_("Your roles do not include teacher training."))


def _back(pk: int, anchor: str = "") -> HttpResponse:
    url = reverse("training:program", args=[pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _refused(request: HttpRequest, e: ServiceError) -> None:
    messages.error(request, str(e.message))


# --- the catalogue ------------------------------------------------------------------------


@login_required
@refusals
def catalogue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _gate(actor)
    form = FilterForm(request.GET, actor=actor)
    page = None
    if form.is_valid():
        qs = sel.programs_for(actor, form.filters())
        page = paginate(qs, request.GET.get("page"), form.cleaned_data["page_size"])
        page.object_list = sel.catalogue_rows(actor, page.object_list)
    context = {
        "form": form,
        "page": page,
        "may_provide": bool(sel.providers_of(actor)),
        "teacher": trains_in_person(actor),
    }
    return list_response(request, "training/catalogue.html", "training/_results.html", context)


# --- one program --------------------------------------------------------------------------


@login_required
@refusals
def program(request: HttpRequest, pk: int) -> HttpResponse:
    return _program_page(request, pk)


def _program_page(
    request: HttpRequest,
    pk: int,
    *,
    session_form: SessionForm | None = None,
    cancel_form: ReasonForm | None = None,
    quota_form: QuotaForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = _actor(request)
    detail = sel.program_detail(actor, pk)
    if "edit" in detail.actions and session_form is None:
        session_form = SessionForm()
    if "cancel" in detail.actions and cancel_form is None:
        cancel_form = ReasonForm()
    if "allocate" in detail.actions and quota_form is None:
        quota_form = QuotaForm(regions=_regions_picker(actor, detail.keeper))
    context = {
        "d": detail,
        "p": detail.program,
        "session_form": session_form,
        "cancel_form": cancel_form,
        "quota_form": quota_form,
        "may_enroll_others": detail.open_now and access.can(actor, "training.provide"),
        "hours": hours_text(detail.program.hours),
    }
    return render(request, "training/program.html", context, status=status)


def _regions_picker(actor: Any, keeper: bool) -> Any:
    """Keepers share places out anywhere; an authority within the regions it covers."""
    return bound("regions", actor, mine=not keeper)


@login_required
@require_POST
@refusals
def enroll(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    try:
        row = enrollment.enroll(actor, pk)
    except (InvalidInput, Conflict) as e:
        _refused(request, e)
    else:
        if row.status == EnrollmentStatus.ENROLLED:
            messages.success(request, _("You are enrolled."))
        else:
            position = sel.waitlist_position(row)
            messages.info(
                request,
                _("The program is full: you are number %(n)s on its waitlist.") % {"n": position},
            )
    return _back(pk)


@login_required
@require_POST
@refusals
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    row = load(actor, Enrollment, pk)
    try:
        enrollment.withdraw(actor, pk)
    except Conflict as e:
        _refused(request, e)
    else:
        messages.success(request, _("The enrollment was withdrawn."))
    back = request.POST.get("next", "")
    if back == "roster":
        return redirect("training:roster", pk=row.program_id)
    if back == "mine":
        return redirect("training:mine")
    return _back(row.program_id)


@login_required
@refusals
def enroll_for(request: HttpRequest, pk: int) -> HttpResponse:
    """An institution's or authority's admin enrolls a teacher of theirs."""
    actor = _actor(request)
    detail = sel.program_detail(actor, pk)
    access.require(actor, "enroll", detail.program, now=False)
    if not access.can(actor, "training.provide"):
        raise PermissionDenied(_("Only a school's or an authority's administrator enrolls others."))
    staff = bound("staff", actor, mine=True)
    form = EnrollForForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        row = through_service(
            form, lambda: enrollment.enroll(actor, pk, form.cleaned_data["staff"])
        )
        if row is not None:
            if row.status == EnrollmentStatus.ENROLLED:
                messages.success(request, _("%(name)s is enrolled.") % {"name": row.staff.name})
            else:
                messages.info(
                    request,
                    _("The program is full: %(name)s is number %(n)s on its waitlist.")
                    % {"name": row.staff.name, "n": sel.waitlist_position(row)},
                )
            return redirect("training:enroll_for", pk=pk)
    status = 422 if request.method == "POST" and not form.picking else 200
    return render(
        request, "training/enroll_for.html", {"p": detail.program, "form": form}, status=status
    )


# --- keeping a program --------------------------------------------------------------------


def _providers(actor: Any) -> list[tuple[int, str]]:
    found = sel.providers_of(actor)
    if not found:
        raise PermissionDenied(KEEPS)
    return [(i.pk, i.name) for i in found]


@login_required
@refusals
def program_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    providers = _providers(actor)
    form = ProgramForm(
        request.POST or None,
        providers=providers,
        initial={"provider_id": providers[0][0], "min_attendance": 80, "fee_yuan": 0},
    )
    if request.method == "POST" and form.is_valid():
        made = through_service(form, lambda: programs.create_program(actor, form.service_data()))
        if made is not None:
            messages.success(request, _("The program was saved as a draft; add its sessions."))
            return redirect("training:program", pk=made.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "p": None, "title": _("New training program")}
    return render(request, "training/program_form.html", context, status=status)


@login_required
@refusals
def program_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    p = sel.program_row(actor, pk)
    access.require(actor, "edit", p, now=False)
    codes, keys = programs.target_codes(p)
    initial = {
        "provider_id": p.provider_id,
        "title": p.title,
        "description": p.description,
        "hours": hours_text(p.hours),
        "credit_type": p.credit_type,
        "capacity": p.capacity,
        "mode": p.mode,
        "fee_yuan": p.fee_yuan,
        "applications_open": p.applications_open.isoformat(),
        "applications_close": p.applications_close.isoformat(),
        "min_attendance": p.min_attendance,
        "assessed": p.assessed,
        "regions": ", ".join(codes),
        "region_groups": keys,
        "eligibility": p.eligibility,
        **programs.audience_lists(p),
    }
    form = ProgramForm(
        request.POST or None, providers=[(p.provider_id, p.provider.name)], initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        data.provider_id = p.provider_id
        done = through_service(form, lambda: programs.edit_program(actor, pk, data))
        if done is not None:
            messages.success(request, _("The changes were saved."))
            return redirect("training:program", pk=pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "p": p, "title": _("Edit the program")}
    return render(request, "training/program_form.html", context, status=status)


def _verb(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    actor = _actor(request)
    p = sel.program_row(actor, pk)
    access.require(actor, verb, p, now=False)
    try:
        if verb == "open":
            programs.open_program(actor, pk)
            done = _("The program is open for enrollment.")
        elif verb == "close":
            programs.close_program(actor, pk)
            done = _("Enrollment is closed.")
        else:
            counts = attendance.complete_program(actor, pk)
            done = (
                _(
                    "The program is completed: %(completed)s completed, %(not_completed)s did not; "
                    "%(certificates)s certificates issued."
                )
                % counts
            )
    except (InvalidInput, Conflict) as e:
        _refused(request, e)
    else:
        messages.success(request, done)
    return _back(pk)


@login_required
@require_POST
@refusals
def program_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _verb(request, pk, "open")


@login_required
@require_POST
@refusals
def program_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _verb(request, pk, "close")


@login_required
@require_POST
@refusals
def program_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _verb(request, pk, "complete")


@login_required
@require_POST
@refusals
def program_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    p = sel.program_row(actor, pk)
    access.require(actor, "cancel", p, now=False)
    form = ReasonForm(request.POST)
    if form.is_valid():
        done = through_service(
            form, lambda: programs.cancel_program(actor, pk, form.cleaned_data["reason"])
        )
        if done is not None:
            messages.success(request, _("The program was cancelled; its teachers are told."))
            return _back(pk)
    return _program_page(request, pk, cancel_form=form, status=422)


@login_required
@require_POST
@refusals
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    p = sel.program_row(actor, pk)
    access.require(actor, "edit", p, now=False)
    form = SessionForm(request.POST)
    if form.is_valid():
        done = through_service(form, lambda: programs.add_session(actor, pk, form.service_data()))
        if done is not None:
            messages.success(request, _("The session was added."))
            return _back(pk, "sessions")
    return _program_page(request, pk, session_form=form, status=422)


@login_required
@require_POST
@refusals
def session_delete(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    actor = _actor(request)
    p = sel.program_row(actor, pk)
    session = sel.session_of(actor, p, session_id)
    try:
        programs.delete_session(actor, session.pk)
    except Conflict as e:
        _refused(request, e)
    else:
        messages.success(request, _("The session was removed."))
    return _back(pk, "sessions")


@login_required
@require_POST
@refusals
def quota(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    detail = sel.program_detail(actor, pk)
    access.require(actor, "allocate", detail.program, now=False)
    form = QuotaForm(request.POST, regions=_regions_picker(actor, detail.keeper))
    if form.is_valid():
        from xietong.regions.models import Region

        region = Region.objects.get(pk=form.cleaned_data["region"])
        places = form.cleaned_data["places"]
        done = through_service(
            form, lambda: programs.allocate_quota(actor, pk, region.code, places)
        )
        if done is not None:
            messages.success(request, _("The places of %(region)s were set.") % {"region": region})
            return _back(pk, "quotas")
    return _program_page(request, pk, quota_form=form, status=200 if form.picking else 422)


# --- roster and attendance ----------------------------------------------------------------


@login_required
@refusals
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    r = sel.roster(actor, pk)
    return render(request, "training/roster.html", {"r": r, "p": r.program})


@login_required
@require_POST
@refusals
def attendance_save(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    """One session's column of the grid: the ticked teachers present, the others absent."""
    actor = _actor(request)
    p = sel.program_row(actor, pk)
    session = sel.session_of(actor, p, session_id)
    shown = _ids(request.POST.getlist("roster"))
    present = _ids(request.POST.getlist("present"))
    try:
        n = attendance.record_roster(
            actor, session.pk, present, [i for i in shown if i not in present]
        )
    except (InvalidInput, Conflict) as e:
        _refused(request, e)
    else:
        messages.success(
            request,
            _("Attendance of %(day)s was saved for %(n)s teachers.")
            % {"day": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"), "n": n},
        )
    return redirect("training:roster", pk=pk)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 18]


@login_required
@require_POST
@refusals
def session_code(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    """A new check-in code, shown large for the room's projector (it is not kept in clear)."""
    actor = _actor(request)
    p = sel.program_row(actor, pk)
    session = sel.session_of(actor, p, session_id)
    try:
        code, until = attendance.issue_code(actor, session.pk)
    except Conflict as e:
        _refused(request, e)
        return redirect("training:roster", pk=pk)
    context = {"p": p, "session": session, "code": code, "until": until}
    return render(request, "training/code.html", context)


@login_required
@require_POST
@refusals
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    row = load(actor, Enrollment, pk, "staff")
    try:
        attendance.assess(actor, pk, request.POST.get("assessment", ""), request.POST.get("score"))
    except (InvalidInput, Conflict) as e:
        messages.error(request, f"{row.staff.name}: {e.message}")
    else:
        messages.success(
            request, _("The assessment of %(name)s was saved.") % {"name": row.staff.name}
        )
    return redirect("training:roster", pk=row.program_id)


@login_required
@require_POST
@refusals
def hours(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    row = load(actor, Enrollment, pk, "staff")
    try:
        attendance.adjust_hours(actor, pk, request.POST.get("hours", ""))
    except (InvalidInput, Conflict) as e:
        messages.error(request, f"{row.staff.name}: {e.message}")
    else:
        messages.success(request, _("The hours of %(name)s were saved.") % {"name": row.staff.name})
    return redirect("training:roster", pk=row.program_id)


# --- the teacher's side -------------------------------------------------------------------


@login_required
@refusals
def mine(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _gate(actor)
    context = {
        "rows": sel.my_enrollments(actor),
        "certificates": sel.my_certificates(actor),
        "teacher": trains_in_person(actor),
    }
    return render(request, "training/mine.html", context)


@login_required
@refusals
def check_in(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _gate(actor)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        row = through_service(form, lambda: attendance.check_in(actor, form.cleaned_data["code"]))
        if row is not None:
            session = row.session
            messages.success(
                request,
                _("You are checked in: %(title)s, %(day)s.")
                % {
                    "title": session.program.title,
                    "day": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
            return redirect("training:check_in")
    status = 422 if request.method == "POST" else 200
    return render(request, "training/check_in.html", {"form": form}, status=status)


# --- the training record ------------------------------------------------------------------


@login_required
@refusals
def record_mine(request: HttpRequest) -> HttpResponse:
    """我的培训档案: the teacher's own record (a note for an account without a staff record)."""
    actor = _actor(request)
    if not trains_in_person(actor):
        return render(request, "training/record.html", {"r": None, "mine": True})
    return render(request, "training/record.html", {"r": record.own_record(actor), "mine": True})


@login_required
@refusals
def record_of_staff(request: HttpRequest, staff_id: int) -> HttpResponse:
    """A staff member's record, for the readers :func:`access.record_q` lets in."""
    actor = _actor(request)
    r = record.record_of(actor, staff_id)
    mine = is_own_record(actor, r.staff.pk)
    return render(request, "training/record.html", {"r": r, "mine": mine})


def _record_pdf(r: record.Record) -> HttpResponse:
    response = HttpResponse(record_pdf.render(r), content_type="application/pdf")
    day = timezone.localdate().strftime("%Y%m%d")
    name = f"training-record-{r.staff.pk}-{day}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@refusals
def record_mine_pdf(request: HttpRequest) -> HttpResponseBase:
    return _record_pdf(record.own_record(_actor(request)))


@login_required
@refusals
def record_of_staff_pdf(request: HttpRequest, staff_id: int) -> HttpResponseBase:
    return _record_pdf(record.record_of(_actor(request), staff_id))


def staff_section(actor: Any, staff: Any) -> dict[str, Any] | None:
    """The record's summary on a staff member's page, for those who read the record."""
    from xietong.training.access import may_read_record

    if not may_read_record(actor, staff.pk):
        return None
    return {"r": record.record_of(actor, staff.pk)}


# --- certificates -------------------------------------------------------------------------


@login_required
@refusals
def program_certificates(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    p = sel.program_row(actor, pk)
    access.require(actor, "attend", p, now=False)
    context = {
        "p": p,
        "certificates": sel.certificates_of_program(actor, p),
        "revoke_form": ReasonForm(),
    }
    return render(request, "training/certificates.html", context)


@login_required
@require_POST
@refusals
def certificates_issue(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    try:
        n = certificates.issue_pending(actor, pk)
    except (Conflict, InvalidInput) as e:
        _refused(request, e)
    else:
        messages.success(request, _("%(n)s certificates were issued.") % {"n": n})
    return redirect("training:certificates", pk=pk)


@login_required
@require_POST
@refusals
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    c = sel.certificate_for(actor, pk)
    try:
        certificates.revoke(actor, pk, request.POST.get("reason", ""))
    except (InvalidInput, Conflict) as e:
        messages.error(request, f"{c.number}: {e.message}")
    else:
        messages.success(request, _("Certificate %(number)s was revoked.") % {"number": c.number})
    return redirect("training:certificates", pk=c.enrollment.program_id)


@login_required
@refusals
def certificate_pdf_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor = _actor(request)
    c = sel.certificate_for(actor, pk)
    url = request.build_absolute_uri(reverse("training:verify", args=[c.number]))
    data = certificate_pdf.render(c, url)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{c.number}.pdf"'
    return response


# --- the public verification page ---------------------------------------------------------


VERIFY_BUCKET = "training.verify"


def _verify_limited(request: HttpRequest) -> HttpResponse | None:
    """The refusal of one address asking too often (see ``XIETONG_VERIFY_PER_MINUTE``)."""
    try:
        ratelimit.check_request(request, VERIFY_BUCKET, settings.XIETONG_VERIFY_PER_MINUTE)
    except ratelimit.TooManyRequests as e:
        context = {"form": VerifyForm(), "v": None, "limited": e.message}
        response = render(request, "training/verify.html", context, status=429)
        response["Retry-After"] = str(e.retry_after)
        return response
    return None


def verify_form(request: HttpRequest) -> HttpResponse:
    """Type a number (no sign-in); the answer is the number's own page."""
    if request.GET and (refused := _verify_limited(request)) is not None:
        return refused
    form = VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        from xietong.training.signing import normalise

        number = normalise(form.cleaned_data["number"])
        if number:
            return redirect("training:verify", number=number)
        form.add_error("number", _("Type the number printed on the certificate."))
    status = 422 if request.GET else 200
    return render(request, "training/verify.html", {"form": form, "v": None}, status=status)


def verify(request: HttpRequest, number: str) -> HttpResponse:
    """What :func:`certificates.verify` says of the number, and nothing else."""
    if (refused := _verify_limited(request)) is not None:
        return refused
    v = certificates.verify(number)
    form = VerifyForm(initial={"number": v.number})
    status = 200 if v.outcome in ("valid", "revoked") else 404
    response = render(request, "training/verify.html", {"form": form, "v": v}, status=status)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- the providers' reach into Hebei counties ---------------------------------------------

ReachForm = filter_form(reach.ReachFilters, paging=None)


def _reach_labels() -> dict[str, str]:
    """The chart's words, in the page's language."""
    return {
        "teachers": pgettext("training reach", "Teachers trained"),
        "hours": pgettext("training reach", "Hours credited"),
    }


@login_required
@refusals
def reach_page(request: HttpRequest) -> HttpResponse:
    """The providers' reach: per provider, the Hebei counties whose teachers completed its
    programs, term by term (a chart drawn from the API with the page's query, and a table)."""
    actor = _actor(request)
    reach.gate(actor)
    form = ReachForm(request.GET or None, actor=actor)
    data = None
    if not request.GET or form.is_valid():
        filters = form.filters() if request.GET else reach.ReachFilters()
        try:
            data = reach.reach(actor, filters)
        except InvalidInput as e:
            if not request.GET:
                raise
            apply_errors(form, e)
    context: dict[str, Any] = {"form": form, "data": data, "labels": _reach_labels()}
    if data is not None:
        query: dict[str, Any] = {"term": data.span.first.code, "last": data.span.last.code}
        if data.provider is not None:
            query["provider"] = data.provider.pk
        context["chart_url"] = f"{reverse('api:training_reach')}?{urlencode(query)}"
    return render(request, "training/reach.html", context)
