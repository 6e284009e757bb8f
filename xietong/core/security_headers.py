"""HTTP headers of every response: a Content-Security-Policy with a per-request nonce, and
``Cache-Control: no-store`` on everything a signed-in user receives.

No page runs inline script: scripts come from the platform's own static files, and an
inline ``<script>`` needs ``nonce="{{ request.csp_nonce }}"`` (none should). Pages of a
signed-in user — personal data among them — are never stored by a browser or a proxy.
HSTS and Secure cookies are Django's settings, switched together by ``XIETONG_HTTPS``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            # Bootstrap and ECharts set style attributes; no style sheet comes from elsewhere.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy(nonce))
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        if settings.XIETONG_HTTPS:
            response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
