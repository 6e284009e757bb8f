"""The error pages, and the helpers every view uses to answer refusals."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, ServiceError

T = TypeVar("T")
V = TypeVar("V", bound=Callable[..., HttpResponseBase])  # a view: pages and file downloads


# --- refusals --------------------------------------------------------------------------


def _to_step(request: HttpRequest, url_name: str, message: str) -> HttpResponse:
    """A refusal that a step can lift (re-authenticate, say): go there, then come back."""
    from django.contrib import messages
    from django.http import HttpResponseRedirect
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme, urlencode

    back = (
        request.get_full_path() if request.method == "GET" else request.headers.get("Referer", "/")
    )
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    target = f"{reverse(url_name)}?{urlencode({'next': back})}"
    messages.info(request, message)
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


def refusals(view: V) -> V:
    """Turn a selector's or service's NotFound into a 404 and PermissionDenied into a 403.

    Other refusals are the view's to handle (inline form errors, a message); one that
    escapes is shown as a 400 page with its message rather than a server error.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound as e:
            raise Http404(str(e.message)) from None
        except PermissionDenied as e:
            if step := getattr(e, "step_url", None):
                return _to_step(request, step, str(e.message))
            raise DjangoPermissionDenied(str(e.message)) from None
        except ServiceError as e:
            return render(
                request,
                "core/error.html",
                {"status": e.status, "message": e.message},
                status=e.status,
            )

    return cast(V, wrapper)


def through_service(form: forms.BaseForm, write: Callable[[], T]) -> T | None:
    """Run a service's write; a refusal lands on the form (fields inline, the rest above).

    Returns what the service returned, or None when it refused. NotFound is left to
    :func:`refusals`, which answers it with a 404.
    """
    try:
        return write()
    except InvalidInput as e:
        apply_errors(form, e)
    except (PermissionDenied, Conflict) as e:
        form.add_error(None, str(e.message))
    return None


def apply_errors(form: forms.BaseForm, error: InvalidInput) -> None:
    """Show a service's field messages next to the form's fields; the rest above the form."""
    for key, messages_ in error.fields.items():
        target = key if key in form.fields else None
        for message in messages_:
            form.add_error(target, message if target else f"{key}: {message}")
    if not error.fields or str(error.message) != str(error.default_message()):
        form.add_error(None, str(error.message))


# --- error pages -------------------------------------------------------------------------


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 404}, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception or "") or _("You do not have permission to do this.")
    return render(request, "core/error.html", {"status": 403, "message": message}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the page must render even when the database is what failed.
    html = loader.get_template("core/error.html").render({"status": 500})
    return HttpResponse(html, status=500)
