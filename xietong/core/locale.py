"""Language choice: Simplified Chinese first on pages, the client's choice on the API.

Pages speak Chinese unless the user picked English with the language switch (a cookie);
a browser's Accept-Language does not override that, since many workstations run English
browsers. API clients get the language of their Accept-Language header.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChineseFirstLocaleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def language_for(self, request: HttpRequest) -> str:
        if request.path.startswith("/api/"):
            return translation.get_language_from_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        return chosen if chosen in self.supported else settings.LANGUAGE_CODE

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self.language_for(request)
        with translation.override(language):  # restored afterwards: nothing leaks
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response


def localized(native: str, english: str = "") -> str:
    """A name in the page's language: its English form on an English page when there is
    one, else the native (Chinese) form — the one way plan titles, region group names and
    the like are shown."""
    if english and (translation.get_language() or "").startswith("en"):
        return english
    return native
