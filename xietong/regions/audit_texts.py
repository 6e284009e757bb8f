"""Names of regions in the audit log's sentences: by id, and by GB/T 2260 code (roles
store the code of the region they cover)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from xietong.accounts.audit_reading import by_pk, object_type
from xietong.regions.models import Region


def _by_id(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(Region.objects.only("name"), lambda r: {"name": r.name}, keys)


def _by_code(keys: list[str]) -> dict[str, dict[str, str]]:
    codes = [k for k in keys if k.isdigit() and len(k) == 6]
    return {
        r.code: {"name": r.name} for r in Region.objects.filter(code__in=codes).only("code", "name")
    }


object_type("regions.region", gettext_lazy("region"), _by_id)
object_type("regions.region_code", gettext_lazy("region"), _by_code, listed=False)
