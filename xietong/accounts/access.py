"""The acting user, re-exported where the apps have always imported it from.

The actor and every rule over it live in :mod:`xietong.access`.
"""

from xietong.access.actor import ANONYMOUS, Actor, Grant, actor_for, system_actor

__all__ = ["ANONYMOUS", "Actor", "Grant", "actor_for", "system_actor"]
