"""JSON for the errors Django itself answers under /api/ (unknown path, wrong method,
a malformed request or a bad Host, a body too large).

Ninja turns everything raised inside an endpoint into ``{code, message}``; a request that
never reaches an endpoint would otherwise get Django's HTML 404 page, a plain-text 405 or
an HTML 400. A body larger than Django accepts is answered 413 before it is read.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            if too_large(request):
                return HttpResponse(
                    _too_large_message(), status=413, content_type="text/plain; charset=utf-8"
                )
            return self.get_response(request)
        if too_large(request):
            with translation.override(translation.get_language_from_request(request)):
                return JsonResponse(
                    {"code": "too_large", "message": _too_large_message()}, status=413
                )
        response = self.get_response(request)
        with translation.override(translation.get_language_from_request(request)):
            return self.as_json(request, response)

    def as_json(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code not in (400, 404, 405):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 400:
            body = {
                "code": "bad_request",
                "message": _("The request is malformed or its host is not served here."),
            }
        elif response.status_code == 404:
            body = {"code": "not_found", "message": _("There is no API endpoint at this address.")}
        else:
            body = {
                "code": "method_not_allowed",
                "message": _("This endpoint does not accept the %(method)s method.")
                % {"method": request.method},
            }
        replacement = JsonResponse(body, status=response.status_code)
        if "Allow" in response:
            replacement["Allow"] = response["Allow"]
        return replacement


def _too_large_message() -> str:
    return _("The request is larger than %(mb)d MB.") % {
        "mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20
    }


def too_large(request: HttpRequest) -> bool:
    """A body (other than a file upload) beyond Django's limit, by its declared length."""
    if (request.content_type or "") == "multipart/form-data":
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return limit is not None and length > limit
