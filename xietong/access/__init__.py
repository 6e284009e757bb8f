"""One access mechanism for every app (see docs/decisions/0009-one-access-mechanism.md).

A model declares a :class:`Policy` (how its rows reach an institution, a region, a person;
who reads; which verbs whom may do in which state); apps read it through :func:`read_q`,
:func:`verb_q`, :func:`actions`, :func:`require` and :func:`can`.
"""

from xietong.access.actor import ANONYMOUS, Actor, Grant, actor_for, system_actor
from xietong.access.capabilities import can, capabilities_of, capability
from xietong.access.rules import (
    Guard,
    Policy,
    Rule,
    actions,
    annotate,
    can_read,
    declare,
    extend_read,
    own_record,
    policy_for,
    read_q,
    relation_q,
    relations_of,
    require,
    verb_q,
    with_actions,
)

__all__ = [
    "ANONYMOUS",
    "Actor",
    "Grant",
    "Guard",
    "Policy",
    "Rule",
    "actions",
    "actor_for",
    "annotate",
    "can",
    "can_read",
    "capabilities_of",
    "capability",
    "declare",
    "extend_read",
    "own_record",
    "policy_for",
    "read_q",
    "relation_q",
    "relations_of",
    "require",
    "system_actor",
    "verb_q",
    "with_actions",
]
