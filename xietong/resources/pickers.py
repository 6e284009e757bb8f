"""Pickers of shared resources: the catalogue's providers (the provider filter), the staff
of a provider the actor keeps (a resource's authors) and institutions to name as a
resource's audience — each over a scoped selector, labelled in the page's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q

from xietong.core.pickers import Picker, register
from xietong.institutions.models import Institution, Staff
from xietong.resources import selectors


def _providers(actor: Any, q: str, params: Mapping[str, Any]) -> Any:
    return selectors.providers(actor, q)


def _institution_label(inst: Institution) -> str:
    return f"{inst.name} · {inst.region.name}"


def _authors(actor: Any, q: str, params: Mapping[str, Any]) -> Any:
    """Staff of an institution the actor keeps resources for (a branch campus's parent's
    too); the provider is fixed by the form."""
    kept = selectors.kept_institutions(actor)
    provider = params.get("provider")
    if provider is not None:
        kept = kept.filter(pk=provider)
    ids = list(kept.values_list("pk", flat=True)[:50])
    parents = list(kept.exclude(parent=None).values_list("parent_id", flat=True)[:50])
    qs = Staff.objects.filter(institution_id__in=ids + parents).select_related("institution")
    if q:
        qs = qs.filter(name__startswith=q) if len(q) < 3 else qs.filter(name__contains=q)
    return qs.order_by("name", "id")


def _staff_label(s: Staff) -> str:
    return f"{s.name} · {s.institution.name}"


def _audience(actor: Any, q: str, params: Mapping[str, Any]) -> Any:
    """Institutions a keeper may name as a resource's audience: any in the registry."""
    if not selectors.kept_institutions(actor).exists():
        return Institution.objects.none()
    qs = Institution.objects.select_related("region")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(school_code__startswith=q))
    return qs.order_by("name", "id")


PROVIDERS = register(Picker("resource_providers", _providers, _institution_label))
AUTHORS = register(Picker("resource_authors", _authors, _staff_label, params={"provider": int}))
AUDIENCE = register(Picker("resource_audience", _audience, _institution_label))
