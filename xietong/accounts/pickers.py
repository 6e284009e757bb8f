"""The accounts' picker: the audit log's actor filter searches accounts by name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xietong.accounts import selectors
from xietong.accounts.models import User
from xietong.core.pickers import Picker, register


def _actors(actor: Any, q: str, params: Mapping[str, Any]) -> Any:
    return selectors.audit_actors(actor, q)


def _label(user: User) -> str:
    shown = user.display_name
    return f"{shown} · {user.username}" if shown and shown != user.username else user.username


AUDIT_ACTORS = register(Picker("audit_actors", _actors, _label))
