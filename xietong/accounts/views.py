"""Sign-in and sign-out, the user's own account, the security admin's and auditor's pages.

Thin: every check and write is in ``accounts.services`` / ``accounts.selectors``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from xietong.accounts import alerts as security_alerts
from xietong.accounts import (
    audit,
    audit_reading,
    second_factor,
    second_factor_views,
    selectors,
    services,
    sessions,
)
from xietong.accounts.exports import USERS
from xietong.accounts.forms import (
    AuditExportForm,
    AuditFilterForm,
    PasswordChangeForm,
    PasswordResetForm,
    RoleGrantForm,
    SignInForm,
    TokenForm,
    UserCreateForm,
    UserSearchForm,
)
from xietong.accounts.models import User
from xietong.core.errors import Conflict, InvalidInput, PermissionDenied
from xietong.core.filters import params_of
from xietong.core.htmx import list_response
from xietong.core.paging import paginate
from xietong.core.pickers import bound
from xietong.core.views import apply_errors, refusals
from xietong.jobs import exports


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


# --- signing in and out ------------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SignInForm(request.POST)
        if form.is_valid():
            try:
                user = services.authenticate(
                    form.cleaned_data["username"], form.cleaned_data["password"]
                )
            except services.SignInRefused as e:
                form.add_error(None, str(e.message))
            else:
                return second_factor_views.begin(request, user, _next_url(request))
    else:
        if request.user.is_authenticated and request.user.is_active:
            return redirect(_next_url(request))
        form = SignInForm()
    context = {
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "second_factor_off": not settings.XIETONG_REQUIRE_2FA,
    }
    return render(request, "accounts/login.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- my account ----------------------------------------------------------------------------


def _account_page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    actor = _actor(request)
    context: dict[str, Any] = {
        "password_form": PasswordChangeForm(),
        "token_form": TokenForm(),
        "tokens": list(selectors.tokens_of(actor)),
        "sessions": sessions.sessions_of(actor),
        "current_session": request.session.session_key,
        "max_sessions": settings.XIETONG_MAX_SESSIONS,
        "second_factor": {
            "enrolled": second_factor.enrolled(cast(User, request.user)),
            "required": second_factor.required_for(cast(User, request.user)),
            "codes_left": second_factor.recovery_codes_left(cast(User, request.user)),
        },
        "must_change": services.password_expired(cast(User, request.user)),
        "roles": list(selectors.roles_of(actor)),
    }
    context.update(extra)
    response = render(request, "accounts/account.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@refusals
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


@sensitive_post_parameters("old_password", "password", "password2")
@login_required
@require_POST
@refusals
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            services.change_password(
                _actor(request),
                form.cleaned_data["old_password"],
                form.cleaned_data["password"],
                keep_session=request.session.session_key,
            )
        except InvalidInput as e:
            apply_errors(form, e)
        else:
            user = cast(User, request.user)
            user.refresh_from_db()
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return redirect("accounts:account")
    return _account_page(request, status=422, password_form=form, open_password=True)


@login_required
@require_POST
@refusals
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, plain = services.create_token(
                _actor(request), form.cleaned_data["name"], form.cleaned_data["days"]
            )
        except InvalidInput as e:
            apply_errors(form, e)
        else:
            # The plain token is shown in this response only; it is stored as a digest.
            return _account_page(request, new_token=token, plain_token=plain)
    return _account_page(request, status=422, token_form=form, open_token=True)


@login_required
@require_POST
@refusals
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    services.revoke_token(_actor(request), pk)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:account")


@login_required
@require_POST
@refusals
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    sessions.end(_actor(request), pk, current_key=request.session.session_key)
    messages.success(request, _("That session was signed out."))
    return redirect(f"{resolve_url('accounts:account')}#sessions")


# --- security admin: users and roles ---------------------------------------------------


@login_required
@refusals
def users(request: HttpRequest) -> HttpResponse:
    form = UserSearchForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    qs = selectors.users_for(
        _actor(request), (data.get("q") or "").strip(), data.get("state") or ""
    )
    page = paginate(qs, request.GET.get("page"), data.get("page_size"))
    alerts = audit_reading.render(list(security_alerts.recent_alerts(_actor(request))[:20]))
    filters = selectors.UserFilters(q=(data.get("q") or "").strip(), state=data.get("state") or "")
    panel = exports.panel(_actor(request), USERS, filters if form.is_valid() else None)
    context = {"form": form, "page": page, "alerts": alerts, **panel}
    return render(request, "accounts/users.html", context)


@login_required
@require_POST
@refusals
def user_export(request: HttpRequest) -> HttpResponseBase:
    """The account list's rows for its search, as xlsx or CSV."""
    return exports.respond(request, USERS, "accounts:users")


@sensitive_post_parameters("password")
@login_required
@refusals
def user_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    selectors.users_for(actor)  # refuses anyone but the security admin
    if request.method == "POST":
        form = UserCreateForm(request.POST)
        if form.is_valid():
            try:
                user = services.create_user(actor, **form.cleaned_data)
            except InvalidInput as e:
                apply_errors(form, e)
            else:
                messages.success(
                    request, _("The account %(name)s was created.") % {"name": user.username}
                )
                return redirect("accounts:user_detail", pk=user.pk)
    else:
        form = UserCreateForm()
    return render(request, "accounts/user_form.html", {"form": form})


def _role_form(request: HttpRequest, data: Any = None) -> RoleGrantForm:
    return RoleGrantForm(data, institutions=bound("institutions_to_name", _actor(request)))


def _user_page(request: HttpRequest, pk: int, status: int = 200, **extra: Any) -> HttpResponse:
    user = selectors.user_detail(_actor(request), pk)
    context = {
        "subject": user,
        "role_form": _role_form(request),
        "reset_form": PasswordResetForm(),
        **extra,
    }
    return render(request, "accounts/user_detail.html", context, status=status)


@login_required
@refusals
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_page(request, pk)


@login_required
@require_POST
@refusals
def role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    form = _role_form(request, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.assign_role(
                _actor(request),
                pk,
                d["role"],
                region_code=d["region"] or "",
                institution_id=d["institution"],
                reauthenticated_at=second_factor_views.reauthenticated_at(request),
            )
        except InvalidInput as e:
            apply_errors(form, e)
        except second_factor.ReauthenticationRequired:
            raise  # `refusals` sends the user to confirm it is them, then back here
        except (Conflict, PermissionDenied) as e:
            form.add_error(None, str(e.message))
        else:
            messages.success(request, _("The role was granted."))
            return redirect("accounts:user_detail", pk=pk)
    return _user_page(request, pk, status=422, role_form=form)


def _security_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    selectors.user_detail(_actor(request), pk)  # 403 for anyone but the security admin, or 404
    try:
        action()
    except (Conflict, PermissionDenied) as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, done)
    return redirect("accounts:user_detail", pk=pk)


@login_required
@require_POST
@refusals
def role_revoke(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    actor = _actor(request)
    return _security_action(
        request, pk, lambda: services.revoke_role(actor, role_pk), _("The role was revoked.")
    )


@login_required
@require_POST
@refusals
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _security_action(
        request, pk, lambda: services.unlock_user(actor, pk), _("The account was unlocked.")
    )


@sensitive_post_parameters("password", "password2")
@login_required
@require_POST
@refusals
def password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    form = PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            services.reset_password(_actor(request), pk, form.cleaned_data["password"])
        except InvalidInput as e:
            apply_errors(form, e)
        except PermissionDenied as e:
            form.add_error(None, str(e.message))
        else:
            messages.success(
                request,
                _(
                    "The password was reset. Give it to its owner in person: they must choose "
                    "a new one when they sign in."
                ),
            )
            return redirect("accounts:user_detail", pk=pk)
    return _user_page(request, pk, status=422, reset_form=form, open_reset=True)


@login_required
@require_POST
@refusals
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    active = request.POST.get("active") == "1"
    done = _("The account was activated.") if active else _("The account was deactivated.")
    return _security_action(request, pk, lambda: services.set_active(actor, pk, active), done)


# --- auditor: the audit log ------------------------------------------------------------


@login_required
@require_POST
@refusals
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Verify the chain in the background; the job's page follows its progress."""
    try:
        job = services.start_audit_verification(_actor(request))
    except Conflict as e:
        messages.error(request, str(e.message))
        return redirect("workbench:home")
    messages.success(request, _("The verification of the audit chain was started."))
    return redirect("jobs:detail", pk=job.pk)


def _export_form(request: HttpRequest, data: Any = None) -> AuditExportForm:
    """The export panel, its days taken from the filters (else the last 30 days)."""
    if data is None:
        today = timezone.localdate()
        data = {
            "start": request.GET.get("start") or (today - dt.timedelta(days=29)).isoformat(),
            "end": request.GET.get("end") or today.isoformat(),
            "format": "xlsx",
        }
    return AuditExportForm(data)


def _audit_page(
    request: HttpRequest, status: int = 200, export_form: AuditExportForm | None = None
) -> HttpResponse:
    actor = _actor(request)
    selectors.audit_events_for(actor)  # refuses anyone but the auditor
    form = AuditFilterForm(request.GET, actor=actor)
    page = None
    if form.is_valid():
        try:
            page = selectors.audit_page(
                actor, form.filters(), request.GET.get("cursor", ""), form.cleaned_data["page_size"]
            )
        except InvalidInput as e:
            apply_errors(form, e)
    verification = None
    if request.method == "POST" and "verify" in request.POST:
        verification = audit.verify()
    keep = {
        k: v for k, v in request.GET.items() if k in ("actor", "action", "object_type", "object_id")
    }
    context = {
        "form": form,
        "page": page,
        "verification": verification,
        "export_form": export_form or _export_form(request),
        "export_keep": keep,
        "exports": exports.may_export(actor, "audit"),
        "sync_limit": exports.sync_limit(),
        "max_days": settings.XIETONG_AUDIT_EXPORT_MAX_DAYS,
    }
    return list_response(
        request, "accounts/audit.html", "accounts/_audit_results.html", context, status=status
    )


@login_required
@refusals
def audit_log(request: HttpRequest) -> HttpResponse:
    return _audit_page(request)


@login_required
@require_POST
@refusals
def audit_export(request: HttpRequest) -> HttpResponseBase:
    """Export the events of a range of days: the file now, or a job past the row limit."""
    form = _export_form(request, request.POST)
    params = {k: request.POST.get(k, "") for k in params_of(selectors.AuditFilters)}
    try:
        done = exports.export(
            _actor(request),
            "audit",
            params,
            request.POST.get("format", ""),
            reauthenticated_at=second_factor_views.reauthenticated_at(request),
        )
    except InvalidInput as e:
        form.is_valid()
        apply_errors(form, e)
        return _audit_page(request, status=422, export_form=form)
    if done.job is not None:
        messages.success(
            request,
            _(
                "%(n)s events are more than a download holds: the export runs as a job. "
                "Download the file here when it is done."
            )
            % {"n": done.rows},
        )
        return redirect("jobs:detail", pk=done.job.pk)
    return exports.download(done)
