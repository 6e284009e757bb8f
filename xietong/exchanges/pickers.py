"""Pickers of exchanges: programs the actor may read, newest first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xietong.core.pickers import Picker, register
from xietong.exchanges import selectors
from xietong.exchanges.models import Program


def _programs(actor: Any, q: str, params: Mapping[str, Any]) -> Any:
    qs = selectors.programs_for(actor)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("-term_key", "title", "id")


def _program_label(p: Program) -> str:
    return f"{p.title} · {p.school_term.label()}"


PROGRAMS = register(Picker("programs", _programs, _program_label))
