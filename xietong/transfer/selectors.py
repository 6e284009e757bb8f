"""Reads of imports: the actor's own, newest first, and which rosters it may import."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from xietong import access
from xietong.accounts.access import Actor
from xietong.core.errors import NotFound
from xietong.transfer import access as _declarations  # noqa: F401  (declares the rules)
from xietong.transfer.models import Import
from xietong.transfer.rosters import Roster, rosters


def my_imports(actor: Actor) -> QuerySet[Import]:
    return Import.objects.filter(access.read_q(actor, Import)).select_related("job")


def import_detail(actor: Actor, pk: int) -> Import:
    imp = my_imports(actor).filter(pk=pk).first()
    if imp is None:
        raise NotFound()
    return imp


def importable(actor: Actor) -> list[Roster]:
    """The rosters the actor may import (each roster names its own capability)."""
    return [r for r in rosters() if access.can(actor, r.capability)]


def summary(imp: Import) -> dict[str, Any]:
    """What the page and the API say of an import's state."""
    job = imp.job
    return {
        "checking": job is not None and not job.finished and imp.written is None,
        "checked": imp.checked,
        "written": imp.written,
        "can_apply": imp.checked is not None
        and imp.written is None
        and (job is None or job.finished)
        and bool(imp.checked.get("create") or imp.checked.get("update")),
    }
