"""JSON for the errors Django itself answers under /api/ (unknown path, wrong method).

Ninja turns everything raised inside an endpoint into ``{code, message}``; a request that
never reaches an endpoint would otherwise get Django's HTML 404 page or a plain-text 405.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code not in (404, 405):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 404:
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
