"""Pages of shared resources: the catalogue with its facets, one resource (files, link,
use, ratings, review, the keeper's steps), the keeper's form and list, the review queue
and the reviewers' appointments. Thin: parse, call a selector or a service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xietong import access
from xietong.attachments import selectors as attachment_selectors
from xietong.attachments import services as attachments
from xietong.attachments.responses import file_response
from xietong.core.codes import SUBJECTS
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.core.htmx import list_response
from xietong.core.paging import paginate
from xietong.core.pickers import bound
from xietong.core.views import apply_errors, refusals
from xietong.jobs import exports
from xietong.resources import forms as f
from xietong.resources import selectors as sel
from xietong.resources import services
from xietong.resources.choices import UseKind, Verdict
from xietong.resources.exports import CATALOGUE
from xietong.resources.models import Resource


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _gate(actor: Any, name: str = "resources.browse") -> None:
    if not access.can(actor, name):
        raise PermissionDenied(_("Your roles do not include shared resources."))


# --- the catalogue ------------------------------------------------------------------------


@login_required
@refusals
def catalogue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _gate(actor)
    form = f.FilterForm(request.GET, actor=actor)
    page = None
    facets: list[sel.Facet] = []
    if form.is_valid():
        filters = form.filters()
        read = sel.readable_q(actor)
        qs = sel.catalogue_pages(actor, filters, read=read)
        page = paginate(qs, request.GET.get("page"), form.cleaned_data["page_size"])
        page.object_list = access.with_actions(actor, page.object_list)
        facets = sel.facets(actor, filters, read=read)
    context = {
        "form": form,
        "page": page,
        "facets": facets,
        "provides": access.can(actor, "resources.provide"),
        "reviews": sel.is_reviewer(actor),
        **exports.panel(actor, CATALOGUE, form.filters() if page is not None else None),
    }
    return list_response(request, "resources/list.html", "resources/_results.html", context)


@login_required
@require_POST
@refusals
def catalogue_export(request: HttpRequest) -> HttpResponseBase:
    """The catalogue's rows for its filters, as xlsx or CSV."""
    return exports.respond(request, CATALOGUE, "resources:list")


@login_required
@refusals
def mine(request: HttpRequest) -> HttpResponse:
    """The resources the actor keeps, in every state."""
    actor = _actor(request)
    _gate(actor, "resources.provide")
    page = paginate(sel.my_resources(actor), request.GET.get("page"), request.GET.get("page_size"))
    return render(request, "resources/mine.html", {"page": page})


# --- one resource -------------------------------------------------------------------------


def _detail(request: HttpRequest, pk: int, status: int = 200, **forms: Any) -> HttpResponse:
    actor = _actor(request)
    d = sel.detail(actor, pk)
    r = d.resource
    context: dict[str, Any] = {
        "d": d,
        "resource": r,
        "actions": d.actions,
        "files": list(attachment_selectors.attachments_of(actor, r)),
        "use_form": forms.get("use_form") or f.UseForm(last_class=d.last_class),
        "feedback_form": forms.get("feedback_form") or f.FeedbackForm(),
        "rating_form": forms.get("rating_form")
        or f.RatingForm(
            initial={"stars": d.my_rating.stars, "comment": d.my_rating.comment}
            if d.my_rating
            else None
        ),
        "review_form": forms.get("review_form") or f.ReviewForm(),
        "withdraw_form": forms.get("withdraw_form") or f.WithdrawForm(),
        "missing": services.missing_for_review(r) if "submit" in d.actions else [],
        "open_use": bool(forms.get("use_form")),
        "today": timezone.localdate(),
    }
    return render(request, "resources/detail.html", context, status=status)


@login_required
@refusals
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@login_required
@require_GET
@refusals
def open_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow the resource's link, recording a view for a user of it."""
    actor = _actor(request)
    resource = services.load(actor, pk)
    if not resource.link:
        raise NotFound()
    if "use" in access.actions(actor, resource):
        services.record_use(actor, pk, services.UseIn(kind=UseKind.VIEW))
    return redirect(resource.link)


@login_required
@require_GET
@refusals
def open_file(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    """Download one of the resource's files, recording a download for a user of it."""
    actor = _actor(request)
    resource = services.load(actor, pk)
    att = attachment_selectors.attachments_of(actor, resource).filter(pk=attachment_id).first()
    if att is None:
        raise NotFound()
    found = attachments.open_download(actor, att.pk)
    if "use" in access.actions(actor, resource):
        services.record_use(actor, pk, services.UseIn(kind=UseKind.DOWNLOAD))
    return file_response(found)


@login_required
@require_POST
@refusals
def record_use(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Record a lesson use": the small form's one submit."""
    form = f.UseForm(request.POST)
    return _record(request, pk, form, "use_form", _("Your lesson use was recorded. Thank you!"))


@login_required
@require_POST
@refusals
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """Feedback to the provider, recorded as a use of its own kind."""
    form = f.FeedbackForm(request.POST)
    done = _("Your feedback was sent to the provider. Thank you!")
    return _record(request, pk, form, "feedback_form", done)


def _record(request: HttpRequest, pk: int, form: Any, name: str, done: str) -> HttpResponse:
    """A use recorded from one of the resource page's forms; the page again with the form's
    messages (as ``name``) when it is refused."""
    if form.is_valid():
        try:
            services.record_use(_actor(request), pk, form.service_data())
        except InvalidInput as e:
            apply_errors(form, e)
        except Conflict as e:
            form.add_error(None, str(e.message))
        else:
            messages.success(request, done)
            return redirect("resources:detail", pk=pk)
    return _detail(request, pk, status=422, **{name: form})


@login_required
@require_POST
@refusals
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    form = f.RatingForm(request.POST)
    if form.is_valid():
        try:
            services.rate_resource(
                actor, pk, form.cleaned_data["stars"], form.cleaned_data["comment"]
            )
        except InvalidInput as e:
            apply_errors(form, e)
        except Conflict as e:
            form.add_error(None, str(e.message))
        else:
            messages.success(request, _("Your rating was saved."))
            return redirect("resources:detail", pk=pk)
    return _detail(request, pk, status=422, rating_form=form)


@login_required
@require_POST
@refusals
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish or return a submitted resource with the rubric (the button names the verdict)."""
    actor = _actor(request)
    verdict = request.POST.get("verdict", "")
    resource = services.load(actor, pk)
    access.require(actor, "return" if verdict == Verdict.RETURN else "publish", resource, now=False)
    form = f.ReviewForm(request.POST)
    back = request.POST.get("back", "")
    if form.is_valid():
        try:
            services.review_resource(actor, pk, form.service_data(verdict))
        except InvalidInput as e:
            apply_errors(form, e)
        except Conflict as e:
            form.add_error(None, str(e.message))
        else:
            done = (
                _("The resource was published.")
                if verdict == Verdict.PUBLISH
                else _("The resource was returned to its provider with your comment.")
            )
            messages.success(request, done)
            if back == "queue":
                return redirect("resources:reviews")
            return redirect("resources:detail", pk=pk)
    return _detail(request, pk, status=422, review_form=form)


def _step(request: HttpRequest, pk: int, do: Callable[[], Any], done: str) -> HttpResponse:
    """A POST that moves the resource: done → its page; not now → the reason as a message."""
    try:
        do()
    except (Conflict, InvalidInput) as e:
        texts = [m for msgs in getattr(e, "fields", {}).values() for m in msgs]
        for text in texts or [str(e.message)]:
            messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect("resources:detail", pk=pk)


@login_required
@require_POST
@refusals
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _step(
        request,
        pk,
        lambda: services.submit_resource(actor, pk),
        _("The resource was submitted for review."),
    )


@login_required
@require_POST
@refusals
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    form = f.WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw_resource(actor, pk, form.cleaned_data["reason"])
        except InvalidInput as e:
            apply_errors(form, e)
        except Conflict as e:
            form.add_error(None, str(e.message))
        else:
            messages.success(request, _("The resource was withdrawn."))
            return redirect("resources:detail", pk=pk)
    return _detail(request, pk, status=422, withdraw_form=form)


@login_required
@require_POST
@refusals
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    try:
        services.delete_resource(actor, pk)
    except Conflict as e:
        messages.error(request, str(e.message))
        return redirect("resources:detail", pk=pk)
    messages.success(request, _("The draft was deleted."))
    return redirect("resources:mine")


# --- the keeper's form --------------------------------------------------------------------


def _form(
    request: HttpRequest, actor: Any, resource: Resource | None, ids: dict[str, list[int]]
) -> f.ResourceForm:
    provider = resource.provider_id if resource is not None else None
    return f.ResourceForm(
        request.POST if request.method == "POST" else None,
        actor=actor,
        resource=resource,
        authors=bound("resource_authors", actor, provider=provider),
        audience=bound("resource_audience", actor),
        author_ids=ids.get("authors"),
        audience_ids=ids.get("audience"),
    )


def _refused(form: f.ResourceForm, error: Exception) -> None:
    if isinstance(error, InvalidInput):
        apply_errors(form, error)
    else:
        form.add_error(None, str(getattr(error, "message", error)))


@login_required
@refusals
def new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.can(actor, "resources.provide") or not sel.kept_institutions(actor).exists():
        raise PermissionDenied(_("Only an admin of the provider institution keeps its resources."))
    form = _form(request, actor, None, {})
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.create_resource(actor, form.service_data())
        except (InvalidInput, PermissionDenied) as e:
            _refused(form, e)
        else:
            messages.success(
                request,
                _("The draft “%(title)s” was saved; attach its files, then submit it for review.")
                % {"title": resource.title},
            )
            return redirect("resources:detail", pk=resource.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "resources/form.html", {"form": form, "resource": None}, status=status)


@login_required
@refusals
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    d = sel.detail(actor, pk)
    access.require(actor, "edit", d.resource)
    ids = {"authors": [s.pk for s in d.authors], "audience": [i.pk for i in d.audience]}
    form = _form(request, actor, d.resource, ids)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_resource(actor, pk, form.service_data())
        except (InvalidInput, PermissionDenied, Conflict) as e:
            _refused(form, e)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("resources:detail", pk=pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "resources/form.html", {"form": form, "resource": d.resource}, status=status
    )


# --- review -------------------------------------------------------------------------------


@login_required
@refusals
def reviews(request: HttpRequest) -> HttpResponse:
    """The resources waiting for the actor's review, each with the rubric."""
    actor = _actor(request)
    page = paginate(sel.review_queue(actor), request.GET.get("page"), request.GET.get("page_size"))
    return render(
        request,
        "resources/reviews.html",
        {"page": page, "is_reviewer": sel.is_reviewer(actor), "review_form": f.ReviewForm()},
    )


@login_required
@refusals
def reviewers(request: HttpRequest) -> HttpResponse:
    """The reviewers appointed over the actor's regions; appoint one, end one."""
    actor = _actor(request)
    _gate(actor, "resources.appoint")
    regions = list(sel.appointment_regions(actor))
    form = f.AppointForm(request.POST if request.method == "POST" else None, regions=regions)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                row = services.appoint_reviewer(actor, d["username"], d["subject"], d["region"])
            except InvalidInput as e:
                apply_errors(form, e)
            except PermissionDenied as e:
                form.add_error("region", str(e.message))
            else:
                messages.success(
                    request,
                    _("%(user)s now reviews %(subject)s resources in %(region)s.")
                    % {
                        "user": row.account.username,
                        "subject": SUBJECTS.label(row.subject),
                        "region": row.region.name,
                    },
                )
                return redirect("resources:reviewers")
    rows = access.with_actions(actor, sel.reviewers(actor)[:500])
    return render(request, "resources/reviewers.html", {"form": form, "rows": rows}, status=status)


@login_required
@require_POST
@refusals
def reviewer_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    services.end_reviewer(actor, pk)
    messages.success(request, _("The appointment was ended."))
    return redirect("resources:reviewers")
