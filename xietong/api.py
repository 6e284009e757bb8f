"""The JSON API (Django Ninja): one router per app, errors always as ``{code, message}``.

Authentication: a session cookie (with CSRF) or ``Authorization: Bearer xt_…``.
Interactive docs at ``/api/docs``; the schema at ``/api/openapi.json``.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from xietong.accounts.access import actor_for
from xietong.accounts.services import token_for
from xietong.core.errors import ServiceError


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = token_for(token)
        if row is None:
            return None
        user = row.user
        request.api_token = row  # type: ignore[attr-defined]
        request.user = user
        request.actor = actor_for(user)  # type: ignore[attr-defined]
        return user


class CsrfFailed(ServiceError):
    code = "csrf_failed"
    status = 403

    def default_message(self) -> object:
        return _("The CSRF token of this request is missing or wrong; reload the page and retry.")


class ActiveSessionAuth(SessionAuth):
    def _get_key(self, request: HttpRequest) -> str | None:
        # Only a signed-in session needs the CSRF check: a call without one (a missing or
        # revoked token) must end in 401, not in a CSRF refusal.
        if not request.user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError:
            raise CsrfFailed() from None

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


api = NinjaAPI(
    title="Xietong API",
    version="1",
    description="协同 — the Beijing–Tianjin–Hebei education collaboration platform. "
    "Every list and detail shows only what the caller's roles allow.",
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(ServiceError)
def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [
            str(p)
            for p in err.get("loc", [])
            if p not in ("body", "query", "path", "payload", "form", "file")
        ]
        key = ".".join(loc) or "__all__"
        fields.setdefault(key, []).append(_explain_pydantic(err))
    return _error(request, 422, "invalid", _("Some fields are not valid."), fields=fields)


def _explain_pydantic(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    messages = {
        "missing": _("This field is required."),
        "extra_forbidden": _("This field is not known."),
        "string_too_long": _("This value is too long."),
        "string_too_short": _("This value is too short."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "int_from_float": _("Enter a whole number."),
        "finite_number": _("Enter a number."),
        "float_parsing": _("Enter a number."),
        "decimal_parsing": _("Enter a number."),
        "date_from_datetime_parsing": _("Enter a date as YYYY-MM-DD."),
        "date_parsing": _("Enter a date as YYYY-MM-DD."),
        "bool_parsing": _("Enter true or false."),
        "string_type": _("Enter text."),
        "list_type": _("Enter a list."),
        "json_invalid": _("The request body is not valid JSON."),
        "model_attributes_type": _("The request body must be a JSON object."),
        "dict_type": _("The request body must be a JSON object."),
        "literal_error": _("This value is not one of the allowed choices."),
        "enum": _("This value is not one of the allowed choices."),
        "greater_than_equal": _("This value is too small."),
        "less_than_equal": _("This value is too large."),
    }
    return str(messages.get(kind, err.get("msg", _("This value is not valid."))))


@api.exception_handler(OverflowError)
def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """A number too large for the database (SQLite's 64-bit integers) anywhere in the request."""
    return _error(request, 422, "invalid", _("A number in the request is out of range."))


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", _("Sign in or send a valid API token."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(
        request,
        404,
        "not_found",
        _("The requested record does not exist or is not visible to you."),
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # Ninja's only 400: a body that does not parse
        return _error(request, 400, "invalid_json", _("The request body is not valid JSON."))
    return _error(request, exc.status_code, "error", str(exc))


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    import logging

    logging.getLogger("xietong.api").exception("unexpected API error")
    return _error(
        request, 500, "server_error", _("An unexpected error occurred; it has been logged.")
    )


def _mount() -> None:
    from xietong.accounts.api import router as accounts_router
    from xietong.attachments.api import router as attachments_router
    from xietong.core.pickers import router as pickers_router
    from xietong.dashboard.api import router as dashboard_router
    from xietong.exchanges.api import router as exchanges_router
    from xietong.institutions.api import router as institutions_router
    from xietong.institutions.api import staff_router
    from xietong.jobs.api import router as jobs_router
    from xietong.notifications.api import router as notifications_router
    from xietong.partnerships.api import router as partnerships_router
    from xietong.plan.api import router as plan_router
    from xietong.plan.indicators.api import router as plan_indicators_router
    from xietong.plan.reports.api import router as plan_reports_router
    from xietong.regions.api import router as regions_router
    from xietong.resources.api import router as resources_router
    from xietong.resources.flow_api import router as resource_flows_router
    from xietong.resources.metadata_api import router as resource_metadata_router
    from xietong.training.api import router as training_router
    from xietong.transfer.api import router as transfer_router

    api.add_router("/regions", regions_router)
    api.add_router("/institutions", institutions_router)
    api.add_router("/staff", staff_router)
    api.add_router("/accounts", accounts_router)
    api.add_router("/exchanges", exchanges_router)
    api.add_router("/partnerships", partnerships_router)
    api.add_router("/plan/indicators", plan_indicators_router)
    api.add_router("/plan/reports", plan_reports_router)
    api.add_router("/plan", plan_router)
    api.add_router("/resources/flows", resource_flows_router)
    api.add_router("/resources", resources_router)
    api.add_router("/dashboard", dashboard_router)
    api.add_router("/jobs", jobs_router)
    api.add_router("/attachments", attachments_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/pickers", pickers_router)
    api.add_router("/imports", transfer_router)
    api.add_router("/resources", resource_metadata_router)
    api.add_router("/training", training_router)


_mount()
