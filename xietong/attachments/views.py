"""Pages of attachments: the scoped download, the upload and removal posts of the partial,
and the helpers another app's views use to show the partial and to take an upload."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xietong.attachments import registry, selectors, services, validation
from xietong.attachments.models import Attachment
from xietong.attachments.responses import file_response
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.core.views import refusals


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def _back(request: HttpRequest, owner: Model | None = None) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    if owner is not None and hasattr(owner, "get_absolute_url"):
        return redirect(owner.get_absolute_url())
    return redirect("workbench:home")


def handle_upload(
    request: HttpRequest,
    owner: Model,
    *,
    kind: str = "",
    max_bytes: int | None = None,
    types: Collection[str] | None = None,
) -> Attachment | None:
    """Take the partial's upload POST for ``owner`` through :func:`services.attach`.

    Puts a success or the refusal's message on the request (messages framework) and returns
    the attachment, or None when it was refused. NotFound is left to :func:`refusals`.
    """
    try:
        att = services.attach(
            _actor(request),
            owner,
            request.FILES.get("file"),
            kind=kind or request.POST.get("kind", ""),
            label=request.POST.get("label", ""),
            max_bytes=max_bytes,
            types=types,
        )
    except InvalidInput as e:
        texts = [m for msgs in e.fields.values() for m in msgs] or [str(e.message)]
        for text in texts:
            messages.error(request, text)
        return None
    except (PermissionDenied, Conflict) as e:
        messages.error(request, str(e.message))
        return None
    messages.success(request, _("“%(name)s” was attached.") % {"name": att.original_name})
    return att


def panel(request: HttpRequest, owner: Model, *, kind: str = "", title: str = "") -> dict[str, Any]:
    """The context of ``attachments/_panel.html`` for one owner."""
    actor = _actor(request)
    readable = registry.can_read_owner(actor, owner)
    key = registry.owner_key(owner)
    return {
        "owner": owner,
        "readable": readable,
        "attachments": list(selectors.attachments_of(actor, owner)) if readable else [],
        "can_manage": readable and registry.may_manage(actor, owner),
        "upload_url": reverse(
            "attachments:upload", kwargs={"owner_type": key, "owner_id": owner.pk}
        ),
        "next": request.get_full_path(),
        "max_size": validation.max_bytes_setting(),
        "kind": kind,
        "title": title,
        "panel_id": f"attachments-{key.replace('.', '-')}-{owner.pk}",
    }


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    try:
        found = services.open_download(_actor(request), pk)
    except NotFound as e:
        raise Http404(str(e.message)) from None
    return file_response(found)


@login_required
@require_POST
@refusals
def upload(request: HttpRequest, owner_type: str, owner_id: int) -> HttpResponse:
    owner = registry.resolve_owner(_actor(request), owner_type, owner_id)
    handle_upload(request, owner)
    return _back(request, owner)


@login_required
@require_POST
@refusals
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    att = selectors.downloadable(actor, pk)
    owner = att.owner
    try:
        services.remove(actor, att)
    except PermissionDenied as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("“%(name)s” was removed.") % {"name": att.original_name})
    return _back(request, owner)
