"""Pages of the second factor: enrol the authenticator app, give a code at sign-in,
re-authenticate before a sensitive operation, and the security admin's reset.

Between the password and the code the session holds only the pending user's id and when
the password was given (``PENDING``); it is signed in (Django's ``login``) only after the
code, so no page opens on the password alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from xietong.accounts import second_factor as sf
from xietong.accounts.models import User
from xietong.core.errors import InvalidInput
from xietong.core.views import apply_errors, refusals

PENDING = "xt_pending_user"
PENDING_SECRET = "xt_pending_secret"
VERIFIED = "xt_2fa_at"
REAUTH = "xt_reauth_at"
PENDING_MINUTES = 5


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ReauthForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"), max_length=20, required=False
    )


def begin(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """After a correct password: sign in now, or ask for the code (or the enrolment)."""
    if not sf.required_for(user):
        finish(request, user)
        return redirect(next_url)
    request.session.cycle_key()
    request.session[PENDING] = {"user": user.pk, "at": timezone.now().isoformat(), "next": next_url}
    return redirect("accounts:second_factor" if sf.enrolled(user) else "accounts:enrol")


def finish(request: HttpRequest, user: User) -> None:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    now = timezone.now().isoformat()
    request.session[VERIFIED] = now
    request.session[REAUTH] = now  # signing in counts as the latest re-authentication


def _pending(request: HttpRequest) -> tuple[User, str] | None:
    data = request.session.get(PENDING)
    if not isinstance(data, dict):
        return None
    try:
        at = dt.datetime.fromisoformat(data["at"])
        user = User.objects.filter(pk=int(data["user"]), is_active=True).first()
    except (KeyError, TypeError, ValueError):
        return None
    if (
        user is None
        or user.is_locked
        or timezone.now() - at > dt.timedelta(minutes=PENDING_MINUTES)
    ):
        return None
    next_url = str(data.get("next") or "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return user, next_url


def _expired(request: HttpRequest) -> HttpResponse:
    request.session.pop(PENDING, None)
    messages.warning(request, _("Sign in again: the step after your password waits 5 minutes."))
    return redirect("accounts:login")


@sensitive_post_parameters("code")
@never_cache
def second_factor(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        return _expired(request)
    user, next_url = pending
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sf.check(user, form.cleaned_data["code"])
        except sf.SecondFactorRefused as e:
            form.add_error("code", str(e.message))
            if User.objects.get(pk=user.pk).is_locked:
                return _expired(request)
        else:
            request.session.pop(PENDING, None)
            finish(request, user)
            left = sf.recovery_codes_left(user)
            if left <= 3:
                messages.warning(
                    request,
                    _("You have %(n)d recovery codes left: make new ones under “My account”.")
                    % {"n": left},
                )
            return redirect(next_url)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "accounts/second_factor.html", {"form": form, "subject": user}, status=status
    )


@sensitive_post_parameters("code")
@never_cache
def enrol(request: HttpRequest) -> HttpResponse:
    """At the first sign-in of an administrator: scan the code, prove it with one code."""
    import segno

    pending = _pending(request)
    if pending is None:
        return _expired(request)
    user, next_url = pending
    if sf.enrolled(user):
        return redirect("accounts:second_factor")
    secret_hex = request.session.get(PENDING_SECRET)
    if not isinstance(secret_hex, str):
        secret_hex = sf.new_secret().hex()
        request.session[PENDING_SECRET] = secret_hex
    secret = bytes.fromhex(secret_hex)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = sf.confirm_enrolment(user, secret, form.cleaned_data["code"])
        except InvalidInput as e:
            apply_errors(form, e)
        else:
            request.session.pop(PENDING, None)
            request.session.pop(PENDING_SECRET, None)
            finish(request, user)
            response = render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url}
            )
            response["Cache-Control"] = "no-store"
            return response
    uri = sf.provisioning_uri(user, secret)
    context = {
        "form": form,
        "subject": user,
        "qr": segno.make(uri, error="m").svg_data_uri(scale=5),
        "secret": sf.secret_text(secret),
    }
    response = render(
        request, "accounts/enrol.html", context, status=422 if request.method == "POST" else 200
    )
    response["Cache-Control"] = "no-store"
    return response


@sensitive_post_parameters("password", "code")
@login_required
@never_cache
def reauthenticate(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    form = ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sf.reauthenticate(user, form.cleaned_data["password"], form.cleaned_data["code"])
        except InvalidInput as e:
            apply_errors(form, e)
        else:
            request.session[REAUTH] = timezone.now().isoformat()
            return redirect(next_url)
    context = {"form": form, "next": next_url, "needs_code": sf.enrolled(user)}
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/reauthenticate.html", context, status=status)


@login_required
@require_POST
@refusals
def reset(request: HttpRequest, pk: int) -> HttpResponse:
    sf.reset(request.actor, pk)  # type: ignore[attr-defined]
    messages.success(
        request, _("The second factor was reset: the person sets it up again at the next sign-in.")
    )
    return redirect("accounts:user_detail", pk=pk)


@login_required
@require_POST
@refusals
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes for the signed-in user (the old ones stop working)."""
    codes = sf.new_recovery_codes(
        cast(User, request.user), reauthenticated_at=reauthenticated_at(request)
    )
    response = render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": "/accounts/me/"}
    )
    response["Cache-Control"] = "no-store"
    return response


def reauthenticated_at(request: HttpRequest) -> Any:
    """When the request's caller last re-authenticated: its token's time, or its session's."""
    token = getattr(request, "api_token", None)
    if token is not None:
        return token.reauthenticated_at
    return request.session.get(REAUTH) if hasattr(request, "session") else None
