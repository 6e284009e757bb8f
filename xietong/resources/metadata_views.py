"""A resource's metadata as downloads from its page: JSON-LD and Dublin Core XML.

The API's endpoints (``metadata_api``) answer with the same bodies, built here from the
resource ``services.load`` gives the actor (NotFound for a hidden one).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from xietong.attachments.selectors import attachments_of
from xietong.core.views import refusals
from xietong.resources import metadata, services
from xietong.resources.models import Resource

JSONLD_TYPE = "application/ld+json; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


def base_url(request: HttpRequest) -> str:
    """``https://host`` of the request (its host is one of ALLOWED_HOSTS)."""
    return request.build_absolute_uri("/").rstrip("/")


def formats(actor: Any, resource: Resource) -> list[str]:
    """The MIME types of the resource's files the actor sees."""
    return list(attachments_of(actor, resource).values_list("content_type", flat=True))


def resource_jsonld(request: HttpRequest, resource: Resource) -> dict[str, Any]:
    return metadata.jsonld(
        resource, base_url=base_url(request), formats=formats(_actor(request), resource)
    )


def jsonld_body(request: HttpRequest, pk: int) -> str:
    resource = services.load(_actor(request), pk)
    return metadata.jsonld_text(resource_jsonld(request, resource))


def oai_dc_body(request: HttpRequest, pk: int) -> bytes:
    actor = _actor(request)
    resource = services.load(actor, pk)
    return metadata.oai_dc(resource, base_url=base_url(request), formats=formats(actor, resource))


def _download(body: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@refusals
def jsonld_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(jsonld_body(request, pk), JSONLD_TYPE, f"resource-{pk}.jsonld")


@login_required
@refusals
def oai_dc_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(oai_dc_body(request, pk), XML_TYPE, f"resource-{pk}-oai_dc.xml")
