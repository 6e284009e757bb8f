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
* :func:`acts_for` — the admin who acts *for* the institution at the path: its own admin,
  or for an education authority (北京市教委, 三河市教育局) the authority admin of exactly
  its region — not every authority above it (a responsible body of a plan task, a
  reporting body);
* :func:`region` / :func:`region_viewer` — the same over a region row at the path;
* :func:`person` — the actor's own staff record at the path;
* :func:`roles` — everyone holding one of the roles (a directory, the system admin);
* :func:`myself` — anyone with a staff record of their own, whatever the row;
* :func:`via` — a relation declared on another model, reached through the path;
* :func:`through` — rows some row of another model points at (``EXISTS``: a partnership
  one of whose members the actor administers), one row each however many match;
* :func:`named_by` — rows another model's rows point at, for those rows the actor reaches
  (the applicants of applications an authority manages).

:func:`school`, :func:`authority` and :func:`viewer` take ``keyed=True`` for a table of
millions whose lists walk an index in their own order (the staff, by name): the row's
foreign key is then tested against one subquery of the institutions instead of joining
them, so that the condition stays on the row itself and can be ORed with others without
turning the join into a filter over every pair of rows. Flags tested one row at a time
(``access.annotate``, ``verb_q(..., rowwise=True)``) use the joined form, which is free
there: the row's institution is joined already.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import In

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


def _keyed(prefix: str, path: str, institutions: Q) -> Q:
    """The institution at ``path`` matches ``institutions``: ``EXISTS`` on the foreign key.

    PostgreSQL hashes the matching institutions once where the row's condition is ORed
    with others, and makes ``NOT EXISTS`` an anti-join probing the institutions' primary
    key (counting the few people seen beyond one's region).
    """
    if institutions == NOTHING:
        return NOTHING
    model = apps.get_model("institutions", "Institution")
    inner = model.objects.filter(institutions, pk=OuterRef(join(prefix, path)))
    return Q(Exists(inner))


def _with_rowwise(keyed: Reach, plain: Reach) -> Reach:
    """``keyed``, remembering its joined form for flags tested one row at a time."""
    keyed.rowwise = plain  # type: ignore[attr-defined]
    return keyed


def school(path: str = "", *, keyed: bool = False) -> Reach:
    def q(actor: Actor, prefix: str) -> Q:
        ids = actor.admin_institution_ids
        if not ids:
            return NOTHING
        return Q(**{f"{_pk(prefix, path)}__in": ids}) | Q(
            **{f"{join(prefix, path, 'parent_id')}__in": ids}
        )

    def by_key(actor: Actor, prefix: str) -> Q:
        ids = actor.admin_institution_ids
        if not ids:
            return NOTHING
        return Q(**{f"{_pk(prefix, path)}__in": ids}) | _keyed(prefix, path, Q(parent_id__in=ids))

    return _with_rowwise(by_key, q) if keyed and path else q


def _under(paths_of: Callable[[Actor], list[str]], path: str, keyed: bool) -> Reach:
    def q(actor: Actor, prefix: str) -> Q:
        return under_paths_q(paths_of(actor), join(prefix, path, "region_path"))

    def by_key(actor: Actor, prefix: str) -> Q:
        return _keyed(prefix, path, under_paths_q(paths_of(actor)))

    return _with_rowwise(by_key, q) if keyed and path else q


def authority(path: str = "", *, keyed: bool = False) -> Reach:
    return _under(lambda actor: actor.admin_region_paths, path, keyed)


def viewer(path: str = "", *, keyed: bool = False) -> Reach:
    return _under(lambda actor: actor.authority_region_paths, path, keyed)


def administers(path: str = "") -> Reach:
    return any_of(school(path), authority(path))


def acts_for(path: str = "") -> Reach:
    """Admins acting for the institution at ``path`` (see the module's doc).

    A school answers to its admin (and its parent's, as :func:`school`); an authority
    institution to the authority admins whose own region *is* the authority's region.
    """
    schools = school(path)

    def q(actor: Actor, prefix: str) -> Q:
        out = schools(actor, prefix)
        paths = actor.admin_region_paths
        if paths:
            out |= Q(
                **{
                    join(prefix, path, "kind"): "authority",
                    f"{join(prefix, path, 'region_path')}__in": paths,
                }
            )
        return out

    return q


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


def owner(field: str = "owner") -> Reach:
    """Rows the actor's own account made (its imports): ``field`` is the user. An actor of
    the console (no account; only commands on the server make one) owns what was made
    without an account."""

    def q(actor: Actor, prefix: str) -> Q:
        if actor.user_id is None:  # the console has grants; an anonymous reader has none
            return Q(**{join(prefix, f"{field}__isnull"): True}) if actor.grants else NOTHING
        return Q(**{join(prefix, f"{field}_id"): actor.user_id})

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


def through(model: Any, fk: str, reach: Reach) -> Reach:
    """Rows at least one ``model`` row points at through ``fk`` and ``reach`` reaches.

    ``through(Member, "partnership", school("institution"))``: the partnerships one of
    whose members the actor administers. An ``EXISTS`` on the row itself, so a list of
    partnerships gets no duplicate rows and the condition ORs with others.
    """

    def q(actor: Actor, prefix: str) -> Q:
        inner = reach(actor, "")
        if inner == NOTHING:
            return NOTHING
        rows = model.objects.filter(inner, **{fk: OuterRef(_pk(prefix, ""))})
        return Q(Exists(rows))

    return q


class InArray(In):
    """``IN (subquery)``; on PostgreSQL ``= ANY(ARRAY(subquery))``.

    PostgreSQL evaluates an uncorrelated ``ARRAY(…)`` once, and ``id = ANY($1)`` is an index
    condition: two such relations ORed are a BitmapOr of two primary-key lookups. Two
    ``IN (subquery)`` ORed are two hashed subplans tested against every row of the table
    — a scan of 1.4 M staff to count the few dozen applicants of one's programs.
    """

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


def named_by(model: Any, field: str, relations: tuple[str, ...], **lookups: Any) -> Reach:
    """Rows that ``model`` rows name in ``field``, for the ``model`` rows the actor reaches
    through ``relations`` (and matching ``lookups``).

    The subquery is small (the applications of one authority's programs), so the database
    reads it once and then looks the rows up by primary key (:class:`InArray`).
    """

    def q(actor: Actor, prefix: str) -> Q:
        from xietong.access.rules import relation_q

        inner = relation_q(actor, model, relations)
        if inner == NOTHING:
            return NOTHING
        ids = model.objects.filter(inner, **lookups).order_by().values(field)
        return Q(InArray(F(_pk(prefix, "")), ids))

    return q
