"""How a row reaches an actor: the building blocks of every declaration.

A *reach* is a function ``(actor, prefix) -> Q`` over a model's rows; ``prefix`` is the
lookup path from the queried model to this one (``"program__"``), so a rule declared once
also filters rows of other models that point here. Paths name the foreign key to follow
(``"home"``, ``"matched_slot__offer__host"``); ``""`` is the row itself.

* :func:`school` — admin of the institution at the path (a branch campus answers to its
  parent's admin);
* :func:`authority` — authority admin whose region covers the institution at the path;
* :func:`viewer` — authority admin or viewer whose region covers it;
* :func:`administers` — :func:`school` or :func:`authority`;
* :func:`region` / :func:`region_viewer` — the same over a region row at the path;
* :func:`person` — the actor's own staff record at the path;
* :func:`roles` — everyone holding one of the roles (a directory, the system admin);
* :func:`myself` — anyone with a staff record of their own, whatever the row;
* :func:`via` — a relation declared on another model, reached through the path;
* :func:`named_by` — rows another model's rows point at, for those rows the actor reaches
  (the applicants of applications an authority manages).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q

from xietong.access.actor import Actor
from xietong.regions.selectors import under_paths_q

Reach = Callable[[Actor, str], Q]

NOTHING = Q(pk__in=[])
# Not an empty Q(): that matches everything in filter() but cannot be a When().
EVERYTHING = Q(pk__isnull=False)


def join(prefix: str, path: str, field: str = "") -> str:
    """The lookup ``prefix + path + __ + field`` without doubled or dangling separators."""
    parts = [p for p in (prefix.rstrip("_"), path, field) if p]
    return "__".join(parts)


def _pk(prefix: str, path: str) -> str:
    return join(prefix, path, "pk")


def school(path: str = "") -> Reach:
    def q(actor: Actor, prefix: str) -> Q:
        ids = actor.admin_institution_ids
        if not ids:
            return NOTHING
        return Q(**{f"{_pk(prefix, path)}__in": ids}) | Q(
            **{f"{join(prefix, path, 'parent_id')}__in": ids}
        )

    return q


def authority(path: str = "") -> Reach:
    def q(actor: Actor, prefix: str) -> Q:
        return under_paths_q(actor.admin_region_paths, join(prefix, path, "region_path"))

    return q


def viewer(path: str = "") -> Reach:
    def q(actor: Actor, prefix: str) -> Q:
        return under_paths_q(actor.authority_region_paths, join(prefix, path, "region_path"))

    return q


def administers(path: str = "") -> Reach:
    return any_of(school(path), authority(path))


def region(path: str = "") -> Reach:
    def q(actor: Actor, prefix: str) -> Q:
        return under_paths_q(actor.admin_region_paths, join(prefix, path, "path"))

    return q


def region_viewer(path: str = "") -> Reach:
    def q(actor: Actor, prefix: str) -> Q:
        return under_paths_q(actor.authority_region_paths, join(prefix, path, "path"))

    return q


def person(path: str = "") -> Reach:
    def q(actor: Actor, prefix: str) -> Q:
        if actor.own_staff_id is None:
            return NOTHING
        return Q(**{_pk(prefix, path): actor.own_staff_id})

    return q


def roles(*names: str) -> Reach:
    def q(actor: Actor, prefix: str) -> Q:
        return EVERYTHING if actor.has(*names) else NOTHING

    return q


def myself() -> Reach:
    def q(actor: Actor, prefix: str) -> Q:
        return EVERYTHING if actor.own_staff_id is not None else NOTHING

    return q


def any_of(*reaches: Reach) -> Reach:
    def q(actor: Actor, prefix: str) -> Q:
        out = NOTHING
        for r in reaches:
            out |= r(actor, prefix)
        return out

    return q


def where(reach: Reach, **lookups: Any) -> Reach:
    """``reach`` limited to rows matching ``lookups`` (``status__in=[…]``); ``~`` with ``not_``."""

    def q(actor: Actor, prefix: str) -> Q:
        return reach(actor, prefix) & Q(**{join(prefix, k): v for k, v in lookups.items()})

    return q


def where_not(reach: Reach, **lookups: Any) -> Reach:
    def q(actor: Actor, prefix: str) -> Q:
        return reach(actor, prefix) & ~Q(**{join(prefix, k): v for k, v in lookups.items()})

    return q


def via(path: str, model: Any, relation: str) -> Reach:
    """The relation ``relation`` declared for ``model``, reached through ``path``."""

    def q(actor: Actor, prefix: str) -> Q:
        from xietong.access.rules import policy_for

        return policy_for(model).relations[relation](actor, join(prefix, path) + "__")

    return q


def named_by(model: Any, field: str, relations: tuple[str, ...], **lookups: Any) -> Reach:
    """Rows that ``model`` rows name in ``field``, for the ``model`` rows the actor reaches
    through ``relations`` (and matching ``lookups``).

    One ``IN (subquery)``: the subquery is small (the applications of one authority's
    programs), so the database walks it and then the primary key index.
    """

    def q(actor: Actor, prefix: str) -> Q:
        from xietong.access.rules import relation_q

        inner = relation_q(actor, model, relations)
        if inner == NOTHING:
            return NOTHING
        ids = model.objects.filter(inner, **lookups).values(field)
        return Q(**{f"{_pk(prefix, '')}__in": ids})

    return q
