"""A resource's metadata over the API (under /api/resources): JSON-LD and oai_dc XML.

Both read the resource through ``services.load``, so a resource the caller may not see is
a 404, the same as a missing one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from xietong.institutions.schemas import Error
from xietong.resources import metadata_views as mv

router = Router(tags=["resource metadata"])
ERRORS: dict[int, Any] = {401: Error, 404: Error}


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


@router.get(
    "/{int:pk}/jsonld",
    response={200: None, **ERRORS},
    summary="A resource as schema.org/LRMI JSON-LD",
    openapi_extra={"responses": {"200": {"content": {mv.JSONLD_TYPE: {}}}}},
)
def resource_jsonld(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(mv.jsonld_body(request, pk), content_type=mv.JSONLD_TYPE)


@router.get(
    "/{int:pk}/oai_dc",
    response={200: None, **ERRORS},
    summary="A resource as Dublin Core (OAI-PMH oai_dc XML)",
    openapi_extra={"responses": {"200": {"content": {mv.XML_TYPE: {}}}}},
)
def resource_oai_dc(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(mv.oai_dc_body(request, pk), content_type=mv.XML_TYPE)
