"""My account and tokens; users and roles (security admin); the audit log (auditor)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from xietong.accounts import audit, selectors, services
from xietong.accounts.models import Role
from xietong.accounts.second_factor_views import reauthenticated_at
from xietong.core.filters import CURSOR, export_schema, filter_schema, parse_query
from xietong.core.paging import CursorPageOut, cursor_envelope
from xietong.institutions.schemas import Error
from xietong.jobs import exports
from xietong.jobs.schemas import JobOut, job_out

router = Router(tags=["accounts"])
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class GrantOut(Schema):
    id: int | None = None
    role: str
    region_code: str | None = None
    institution_id: int | None = None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[GrantOut]
    staff_id: int | None


class TokenIn(Strict):
    name: str = Field(min_length=1, max_length=50)
    # The range is the service's rule and message (1 to XIETONG_TOKEN_MAX_DAYS).
    days: int = Field(90, ge=-(2**31), le=2**31 - 1)


class ReauthIn(Strict):
    password: str = Field(max_length=200)
    code: str = Field("", max_length=20)


class ReauthOut(Schema):
    reauthenticated_at: dt.datetime
    valid_minutes: int


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="shown once; store it now")


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    is_active: bool
    locked: bool
    roles: list[GrantOut]


class UserIn(Strict):
    username: str = Field(min_length=1, max_length=150)
    display_name: str = Field("", max_length=50)
    password: str = Field(min_length=1, max_length=128)


class RoleIn(Strict):
    role: Role
    region: str = Field("", max_length=6)
    institution: int | None = None


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor_name: str
    action: str
    action_label: str = Field(description="the action in the caller's language")
    text: str = Field(description="the event in words, in the caller's language")
    object_type: str
    type_label: str
    object_id: str
    object_label: str = Field(description="the object's label when the event was written")
    object_name: str = Field(description="the object's name now (its label if it is gone)")
    before: Any
    after: Any
    detail: Any
    hash: str


class AuditExportIn(Strict):
    start: str = Field(description="first day, YYYY-MM-DD", max_length=10)
    end: str = Field(description="last day, YYYY-MM-DD", max_length=10)
    format: Literal["xlsx", "csv"] = "xlsx"
    actor: int | None = Field(None, ge=1, le=2**63 - 1, description="an account's id")
    action: str = Field("", max_length=40)
    object_type: str = Field("", max_length=60)
    object_id: str = Field("", max_length=40)


class VerifyOut(Schema):
    ok: bool
    checked: int
    problems: list[str]


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _user_out(u: Any) -> dict[str, Any]:
    return {
        "id": u.pk,
        "username": u.username,
        "display_name": u.display_name,
        "is_active": u.is_active,
        "locked": u.is_locked,
        "roles": [
            {
                "id": r.pk,
                "role": r.role,
                "region_code": r.region.code if r.region_id else None,
                "institution_id": r.institution_id,
            }
            for r in u.roles.all()
        ],
    }


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Who am I, with which roles")
def me(request: HttpRequest) -> Any:
    a = _actor(request)
    return {
        "id": a.user_id,
        "username": request.user.get_username(),
        "display_name": a.name,
        "staff_id": a.staff_id,
        "roles": [
            {
                "role": g.role,
                "region_code": (g.region_path or "").rstrip("/").split("/")[-1] or None,
                "institution_id": g.institution_id,
            }
            for g in a.grants
        ],
    }


@router.post(
    "/me/reauthenticate",
    response={200: ReauthOut, **ERRORS},
    summary="Confirm it is me before a sensitive operation (password, and code where enrolled)",
)
def reauthenticate(request: HttpRequest, payload: ReauthIn) -> Any:
    from django.conf import settings
    from django.utils import timezone

    from xietong.accounts import second_factor
    from xietong.accounts.models import ApiToken
    from xietong.accounts.second_factor_views import REAUTH

    second_factor.reauthenticate(request.user, payload.password, payload.code)  # type: ignore[arg-type]
    now = timezone.now()
    token = getattr(request, "api_token", None)
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(reauthenticated_at=now)
    else:
        request.session[REAUTH] = now.isoformat()
    return {"reauthenticated_at": now, "valid_minutes": settings.XIETONG_REAUTH_MINUTES}


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, summary="My API tokens")
def list_tokens(request: HttpRequest) -> Any:
    return list(selectors.tokens_of(_actor(request)))


@router.post("/tokens", response={201: NewTokenOut, **ERRORS}, summary="Create an API token")
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    token, plain = services.create_token(_actor(request), payload.name, payload.days)
    out = TokenOut.from_orm(token).dict()
    return 201, {**out, "token": plain}


@router.delete("/tokens/{int:pk}", response={204: None, **ERRORS}, summary="Revoke an API token")
def revoke_token(request: HttpRequest, pk: int) -> Any:
    services.revoke_token(_actor(request), pk)
    return 204, None


UserExportQuery = export_schema(selectors.UserFilters)


@router.post(
    "/users/export",
    response={200: None, 202: JobOut, **ERRORS},
    summary="Export the account list for its search (security admin; xlsx or csv)",
    description=(
        "The list's search and state, all accounts they match, by user name. Up to "
        "XIETONG_EXPORT_SYNC_ROWS rows: the file in the response; more: 202 with the job."
    ),
)
def export_users(request: HttpRequest, query: Query[UserExportQuery]) -> Any:  # type: ignore[valid-type]
    params = query.model_dump(exclude={"format"})  # type: ignore[attr-defined]
    done = exports.export(_actor(request), "accounts.users", params, query.format)  # type: ignore[attr-defined]
    if done.job is not None:
        return 202, job_out(done.job)
    return exports.download(done)


@router.get("/users", response={200: list[UserOut], **ERRORS}, summary="Accounts (security admin)")
def list_users(request: HttpRequest, q: str = "") -> Any:
    return [_user_out(u) for u in selectors.users_for(_actor(request), q)[:500]]


@router.post(
    "/users", response={201: UserOut, **ERRORS}, summary="Create an account (security admin)"
)
def create_user(request: HttpRequest, payload: UserIn) -> Any:
    user = services.create_user(_actor(request), **payload.model_dump())
    return 201, _user_out(selectors.user_detail(_actor(request), user.pk))


@router.post("/users/{int:pk}/roles", response={201: UserOut, **ERRORS}, summary="Grant a role")
def assign_role(request: HttpRequest, pk: int, payload: RoleIn) -> Any:
    services.assign_role(
        _actor(request),
        pk,
        payload.role,
        region_code=payload.region,
        institution_id=payload.institution,
        reauthenticated_at=reauthenticated_at(request),
    )
    return 201, _user_out(selectors.user_detail(_actor(request), pk))


@router.delete("/roles/{int:pk}", response={204: None, **ERRORS}, summary="Revoke a role")
def revoke_role(request: HttpRequest, pk: int) -> Any:
    services.revoke_role(_actor(request), pk)
    return 204, None


@router.post(
    "/users/{int:pk}/unlock", response={200: UserOut, **ERRORS}, summary="Unlock an account"
)
def unlock(request: HttpRequest, pk: int) -> Any:
    services.unlock_user(_actor(request), pk)
    return _user_out(selectors.user_detail(_actor(request), pk))


AuditQuery = filter_schema(selectors.AuditFilters, paging=CURSOR)


@router.get(
    "/audit",
    response={200: CursorPageOut[AuditOut], **ERRORS},
    summary="The audit log, newest first, each event in words (auditor)",
)
def audit_log(request: HttpRequest, query: Query[AuditQuery]) -> Any:  # type: ignore[valid-type]
    actor = _actor(request)
    selectors.audit_events_for(actor)  # the auditor only, before the filters are read
    filters = parse_query(selectors.AuditFilters, query, actor=actor)
    page = selectors.audit_page(actor, filters, query.cursor, query.page_size)  # type: ignore[attr-defined]
    return cursor_envelope(page, lambda e: e)


@router.post(
    "/audit/export",
    response={200: None, 202: JobOut, **ERRORS},
    summary="Export the events of a range of days (auditor; re-authenticate first)",
    description=(
        "Up to XIETONG_EXPORT_SYNC_ROWS events: the file (xlsx or csv) in the response. "
        "More: 202 with the job that writes it; follow GET /api/jobs/{id} and download "
        "its result_file. Call POST /api/accounts/me/reauthenticate first."
    ),
)
def audit_export(request: HttpRequest, payload: AuditExportIn) -> Any:
    params = payload.model_dump(exclude={"format"})
    done = exports.export(
        _actor(request),
        "audit",
        params,
        payload.format,
        reauthenticated_at=reauthenticated_at(request),
    )
    if done.job is not None:
        return 202, job_out(done.job)
    return exports.download(done)


@router.get("/audit/verify", response={200: VerifyOut, **ERRORS}, summary="Verify the audit chain")
def audit_verify(request: HttpRequest) -> Any:
    selectors.audit_events_for(_actor(request))  # the auditor only
    result = audit.verify()
    return {"ok": result.ok, "checked": result.checked, "problems": result.problems}
