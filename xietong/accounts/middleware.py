"""Attach the acting :class:`~xietong.accounts.access.Actor` to each request, lazily."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from xietong.accounts import services
from xietong.accounts.access import actor_for


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = SimpleLazyObject(lambda: actor_for(request.user))  # type: ignore[attr-defined]
        return self.get_response(request)


class SecondFactorMiddleware:
    """A session that is signed in but never gave the second factor, where the user needs
    one (one made before the factor was required, say), is signed out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.contrib.auth import logout

        from xietong.accounts import second_factor
        from xietong.accounts.second_factor_views import VERIFIED

        user = request.user
        if (
            settings.XIETONG_REQUIRE_2FA
            and user.is_authenticated
            and not request.session.get(VERIFIED)
            and second_factor.required_for(user)  # type: ignore[arg-type]
        ):
            logout(request)
            if request.path.startswith("/api/"):
                return self.get_response(request)  # now anonymous: the API answers 401
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A signed-in user whose password expired or was reset chooses a new one first.

    Pages send the user to "My account" (where the password form is); the API answers a
    JSON 403. Signing out, changing the language and the account page itself stay open.
    """

    OPEN_PATHS = ("/static/", "/i18n/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and services.password_expired(user)  # type: ignore[arg-type]
            and not request.path.startswith(self.OPEN_PATHS)
            and request.path
            not in {
                reverse(n)
                for n in ("accounts:account", "accounts:password_change", "accounts:logout")
            }
        ):
            message = _("Choose a new password before you go on: yours has expired or was reset.")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "password_change_required", "message": message}, status=403
                )
            messages.warning(request, message)
            return redirect(f"{reverse('accounts:account')}#password")
        return self.get_response(request)
