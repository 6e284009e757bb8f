"""My account and tokens; users and roles (security admin); the audit log (auditor)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from xietong.accounts import audit, selectors, services
from xietong.accounts.models import Role
from xietong.accounts.second_factor_views import reauthenticated_at
from xietong.core.paging import paginate
from xietong.institutions.schemas import Error

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
    object_type: str
    object_id: str
    object_label: str
    before: Any
    after: Any
    detail: Any
    hash: str


class AuditPage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[AuditOut]


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


class AuditQuery(Schema):
    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    page: int = Field(1, ge=1)
    page_size: int = 50


@router.get("/audit", response={200: AuditPage, **ERRORS}, summary="The audit log (auditor)")
def audit_log(request: HttpRequest, query: Query[AuditQuery]) -> Any:
    qs = selectors.audit_events_for(
        _actor(request),
        selectors.AuditFilters(
            action=query.action,
            actor=query.actor,
            object_type=query.object_type,
            object_id=query.object_id,
        ),
    )
    p = paginate(qs, query.page, query.page_size)
    return {
        "count": p.paginator.count,
        "page": p.number,
        "page_size": p.paginator.per_page,
        "pages": p.paginator.num_pages,
        "items": list(p.object_list),
    }


@router.get("/audit/verify", response={200: VerifyOut, **ERRORS}, summary="Verify the audit chain")
def audit_verify(request: HttpRequest) -> Any:
    selectors.audit_events_for(_actor(request))  # the auditor only
    result = audit.verify()
    return {"ok": result.ok, "checked": result.checked, "problems": result.problems}
