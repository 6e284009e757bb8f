"""Named capabilities: what an actor may do before any row is in view.

Navigation entries, page gates ("may this user open the review page?") and create buttons
ask :func:`can` by name. Each app declares its capabilities once, as the roles that hold
them (``person=True``: also anyone with a staff record of their own).
"""

from __future__ import annotations

from dataclasses import dataclass

from xietong.access.actor import Actor


@dataclass(frozen=True)
class Capability:
    name: str
    roles: frozenset[str] = frozenset()
    person: bool = False
    everyone: bool = False  # every signed-in user


_capabilities: dict[str, Capability] = {}


def capability(name: str, *roles: str, person: bool = False, everyone: bool = False) -> None:
    _capabilities[name] = Capability(name, frozenset(roles), person, everyone)


def can(actor: Actor, name: str) -> bool:
    """Whether the actor holds the named capability (an unknown name is a programming error)."""
    cap = _capabilities[name]
    if not actor.is_authenticated and not actor.grants:
        return False  # anonymous; an operator's loader (no user, granted roles) counts
    if cap.everyone:
        return True
    if cap.person and actor.own_staff_id is not None:
        return True
    return actor.has(*cap.roles)


def capabilities_of(actor: Actor) -> frozenset[str]:
    """Every capability the actor holds (templates test ``"exchanges.review" in caps``)."""
    return frozenset(n for n in _capabilities if can(actor, n))
