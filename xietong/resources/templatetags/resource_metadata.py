"""``{% resource_jsonld resource %}``: a resource's JSON-LD block for its page."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from xietong.resources import metadata
from xietong.resources.metadata_views import resource_jsonld as _jsonld
from xietong.resources.models import Resource

register = template.Library()


@register.simple_tag(takes_context=True)
def resource_jsonld(context: template.Context, resource: Resource) -> SafeString:
    """The ``<script type="application/ld+json">`` describing ``resource`` (data, not script:
    the page's CSP does not apply to it). The page has already read the resource."""
    return metadata.jsonld_script(_jsonld(context["request"], resource))
