"""Who sees an import: the account that uploaded it (its file holds personal data)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from xietong import access
from xietong.access import Policy, capability, declare
from xietong.access import reach as r
from xietong.accounts.access import Actor
from xietong.accounts.models import Role
from xietong.transfer.models import Import

declare(
    Policy(
        model=Import,
        relations={"owner": r.owner("owner")},
        read=("owner",),
        rules=(),
        state_field="",
    )
)

# The uploaded file's size limit: a province's roster (reading.MAX_BYTES).
ROSTER_TYPES = ("xlsx", "xls", "csv", "text")


def readable_imports(actor: Actor) -> QuerySet[Any]:
    return Import.objects.filter(access.read_q(actor, Import))


def may_manage(actor: Actor, imp: Any) -> bool:
    """The uploader; an import made at the console (no owner) by the console."""
    return bool(imp.owner_id == actor.user_id and (actor.user_id or actor.grants))


def register_attachments() -> None:
    from xietong.attachments.registry import register_owner
    from xietong.transfer.reading import MAX_BYTES

    register_owner(
        Import,
        readable=readable_imports,
        manageable=may_manage,
        types=ROSTER_TYPES,
        max_bytes=MAX_BYTES,
    )


# The import pages: whoever may import at least one roster (each roster checks its own).
capability("transfer.import", Role.AUTHORITY_ADMIN, Role.INSTITUTION_ADMIN)
