"""Declared access rules: who reads a model's rows, and which verbs whom may do now.

Each app declares, once per model, a :class:`Policy`: its *relations* (named reaches,
see :mod:`xietong.access.reach`), which relations read, and its *rules* — a verb, the
relations that may do it, the states it is possible in, the state it moves to and the
time it stamps, and guards on the row itself (a notice period that must be over).
Everything else reads the policy:

* selectors filter with :func:`read_q` (and :func:`verb_q` for "the rows I may edit");
* services check with :func:`require` — ``NotFound`` for a row the actor may not read,
  ``PermissionDenied`` with the rule's message for one it may read but not act on,
  ``Conflict`` for one it may act on but not now;
* views, templates and API responses read :func:`actions` — the verbs possible now;
* navigation and page gates ask :func:`can` for a named capability.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import BooleanField, Case, Model, Q, QuerySet, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from xietong.access.actor import Actor
from xietong.access.reach import NOTHING, Reach
from xietong.core.errors import Conflict, NotFound, PermissionDenied, ServiceError

M = TypeVar("M", bound=Model)
Message = str | Promise | Callable[[Any], str]


@dataclass(frozen=True)
class Guard:
    """A condition on the row itself that must hold for the verb now, with its refusal."""

    holds: Callable[[Any], bool]
    message: Message
    refusal: type[ServiceError] = Conflict  # InvalidInput where the input is at fault


@dataclass(frozen=True)
class Rule:
    """``verb`` by any of ``by`` while the row's state is one of ``states`` (None: any).

    ``to`` and ``stamp`` make the rule a transition (see :mod:`xietong.access.transitions`).
    A verb may have several rules (reject: the school at one step, the authority at the
    next); the verb is allowed when any rule allows it.
    """

    verb: str
    by: tuple[str, ...]
    states: frozenset[str] | None = None
    to: str | None = None
    stamp: str | None = None
    guards: tuple[Guard, ...] = ()
    denied: Message = ""  # refusal when no relation of the actor's may do it
    not_now: Message = ""  # refusal when one may, but not in the row's present state


@dataclass
class Policy:
    model: type[Model]
    relations: Mapping[str, Reach]
    read: tuple[str, ...]
    rules: tuple[Rule, ...]
    state_field: str = "status"
    audit_prefix: str = ""
    # Audit events of transitions are named by the verb ("….publish") or the state reached.
    event_by_state: bool = False
    # Moves made by the system rather than by a verb (publishing a run matches applicants).
    system_moves: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def rules_for(self, verb: str) -> list[Rule]:
        found = [r for r in self.rules if r.verb == verb]
        if not found:
            raise KeyError(f"{self.model.__name__} declares no verb {verb!r}")
        return found

    @property
    def verbs(self) -> list[str]:
        return list(dict.fromkeys(r.verb for r in self.rules))

    def moves(self) -> dict[str, set[str]]:
        """The transition table: from each state, the states a rule or the system moves to."""
        table: dict[str, set[str]] = {}
        for r in self.rules:
            if r.to is not None:
                for s in r.states or ():
                    table.setdefault(s, set()).add(r.to)
        for s, targets in self.system_moves.items():
            table.setdefault(s, set()).update(targets)
        return table


_policies: dict[type[Model], Policy] = {}


def declare(policy: Policy) -> Policy:
    _policies[policy.model] = policy
    return policy


def extend_read(model: type[Model], name: str, reach: Reach) -> None:
    """Let ``reach`` read ``model``'s rows too, declared by the app whose task needs it.

    The registry cannot know the apps built on it; an exchange program's managers need
    its applicants' records, so ``exchanges`` adds that relation to the staff policy
    (decision 0001: outside its region an authority sees a person only for a task).
    """
    policy = policy_for(model)
    policy.relations = {**policy.relations, name: reach}
    if name not in policy.read:
        policy.read = (*policy.read, name)


def policy_for(model_or_obj: Any) -> Policy:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    try:
        return _policies[model]
    except KeyError:
        raise LookupError(f"no access policy declared for {model.__name__}") from None


# --- Q objects -------------------------------------------------------------------------


def relation_q(
    actor: Actor, model: Any, names: Iterable[str], prefix: str = "", *, rowwise: bool = False
) -> Q:
    """Rows the actor reaches through any of ``names``; ``rowwise`` for a flag tested one
    row at a time (keyed relations then take their joined form, see ``reach``)."""
    policy = policy_for(model)
    q = NOTHING
    for name in names:
        q |= _reach(policy, name, rowwise)(actor, prefix)
    return q


def _reach(policy: Policy, name: str, rowwise: bool) -> Reach:
    reach = policy.relations[name]
    return getattr(reach, "rowwise", reach) if rowwise else reach


def read_q(actor: Actor, model: Any, prefix: str = "") -> Q:
    """Rows of ``model`` the actor may read (``prefix`` to filter rows pointing at them)."""
    return relation_q(actor, model, policy_for(model).read, prefix)


def verb_q(
    actor: Actor,
    model: Any,
    verb: str,
    prefix: str = "",
    *,
    now: bool = True,
    rowwise: bool = False,
) -> Q:
    """Rows on which the actor may do ``verb`` (with ``now``: in a state that allows it).

    Guards on the row are not part of the ``Q``; :func:`actions` applies them.
    ``rowwise=True`` for a flag on rows already filtered by :func:`read_q` (a ``CASE`` in a
    selector's list): the read rule is left out — it would repeat the WHERE clause in every
    row's ``CASE`` — and keyed relations take their joined form, cheap for one row.
    """
    policy = policy_for(model)
    q = NOTHING
    for rule in policy.rules_for(verb):
        part = relation_q(actor, model, rule.by, prefix, rowwise=rowwise)
        if now and rule.states is not None:
            part &= Q(**{f"{prefix}{policy.state_field}__in": list(rule.states)})
        q |= part
    return q if rowwise else q & read_q(actor, model, prefix)


# --- one row -----------------------------------------------------------------------------

ANNOTATION = "xt_rel_"
# On rows of a selector already filtered by read_q: "the actor reads this row".
READ_MARK = "xt_read"


def acting_relations(policy: Policy) -> list[str]:
    """The relations some rule is done by (the others only read)."""
    return [n for n in policy.relations if any(n in r.by for r in policy.rules)]


def annotate(actor: Actor, qs: QuerySet[M], *, read: bool = False) -> QuerySet[M]:
    """Mark each row with the actor's relations, so :func:`actions` needs no query per row.

    ``read=True`` when ``qs`` is already filtered by :func:`read_q` (a selector's list):
    the relations that only read are then not tested again, the rows are marked read
    instead. They would repeat the WHERE clause in every row's ``CASE`` — for the staff,
    the exchanges' subqueries, which PostgreSQL plans anew for each copy. Each relation is
    tested in its row-wise form (see :func:`relation_q`).
    """
    policy = policy_for(qs.model)
    names = acting_relations(policy) if read else list(policy.relations)
    marks: dict[str, Any] = {
        f"{ANNOTATION}{name}": Case(
            When(_reach(policy, name, rowwise=True)(actor, ""), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        for name in names
    }
    if read:
        marks[READ_MARK] = Value(True, output_field=BooleanField())
    return qs.annotate(**marks)


def relations_of(actor: Actor, obj: Model) -> frozenset[str]:
    """The actor's relations to the row: from :func:`annotate`, else one query.

    On a row marked read (``annotate(..., read=True)``) only the acting relations are
    known; :func:`readable` answers for the rest.
    """
    policy = policy_for(obj)
    names = acting_relations(policy) if getattr(obj, READ_MARK, False) else list(policy.relations)
    if all(hasattr(obj, f"{ANNOTATION}{n}") for n in names):
        return frozenset(n for n in names if getattr(obj, f"{ANNOTATION}{n}"))
    names = list(policy.relations)
    if not actor.is_authenticated and not actor.grants:
        return frozenset()
    row = annotate(actor, type(obj)._default_manager.filter(pk=obj.pk)).values(
        *(f"{ANNOTATION}{n}" for n in names)
    )
    found = row.first() or {}
    return frozenset(n for n in names if found.get(f"{ANNOTATION}{n}"))


def readable(obj: Any, rels: frozenset[str]) -> bool:
    """Whether the actor whose relations to ``obj`` are ``rels`` reads it."""
    return bool(rels & set(policy_for(obj).read)) or bool(getattr(obj, READ_MARK, False))


def _state(policy: Policy, obj: Any) -> str:
    return str(getattr(obj, policy.state_field, "") or "")


def _text(message: Message, obj: Any) -> str:
    return message(obj) if callable(message) else str(message)


def _decide(
    policy: Policy, verb: str, rels: frozenset[str], obj: Any, now_too: bool = True
) -> Exception | None:
    """None when the verb is allowed; else the refusal to raise.

    Hidden row: NotFound. A step that is someone else's now, or never the actor's:
    PermissionDenied. The actor's step, but not in this state or not yet (a guard):
    Conflict.
    """
    if not readable(obj, rels):
        return NotFound()
    rules = policy.rules_for(verb)
    if not now_too and any(rels & set(r.by) for r in rules):
        return None
    state = _state(policy, obj)
    now = [r for r in rules if r.states is None or state in r.states]
    mine_now = [r for r in now if rels & set(r.by)]
    failed: Guard | None = None
    for rule in mine_now:
        failed = next((g for g in rule.guards if not g.holds(obj)), None)
        if failed is None:
            return None
    if failed is not None:
        return failed.refusal(_text(failed.message, obj))
    mine = [r for r in rules if rels & set(r.by)]
    if now or not mine:
        denied = (now or rules)[0].denied
        return PermissionDenied(_text(denied, obj) or _("You do not have permission to do this."))
    if mine[0].not_now:
        return Conflict(_text(mine[0].not_now, obj))
    label = getattr(obj, f"get_{policy.state_field}_display", lambda: state)()
    return Conflict(_("This is not possible while it is “%(status)s”.") % {"status": label})


def actions(actor: Actor, obj: Model) -> frozenset[str]:
    """The verbs the actor may do on the row now (role × scope × state × guards)."""
    policy = policy_for(obj)
    rels = relations_of(actor, obj)
    if not readable(obj, rels):
        return frozenset()
    return frozenset(v for v in policy.verbs if _decide(policy, v, rels, obj) is None)


def own_record(actor: Actor) -> int | None:
    """The id of the actor's own staff record (as a staff member), if any."""
    return actor.own_staff_id


def can_read(actor: Actor, obj: Model) -> bool:
    return readable(obj, relations_of(actor, obj))


def require(actor: Actor, verb: str, obj: Model, *, now: bool = True) -> None:
    """Refuse unless the actor may do ``verb`` on the row now (see the module's doc).

    ``now=False`` asks only whether the verb is ever the actor's on this row (a page that
    explains why it is not possible yet is still the actor's to open).
    """
    policy = policy_for(obj)
    refusal = _decide(policy, verb, relations_of(actor, obj), obj, now)
    if refusal is not None:
        raise refusal


def rule_for(actor: Actor, verb: str, obj: Model) -> Rule:
    """The rule that allows the verb now (after :func:`require`): its ``to`` and ``stamp``."""
    policy = policy_for(obj)
    rels = relations_of(actor, obj)
    state = _state(policy, obj)
    for rule in policy.rules_for(verb):
        if rels & set(rule.by) and (rule.states is None or state in rule.states):
            return rule
    raise PermissionDenied(_("You do not have permission to do this."))


def with_actions(actor: Actor, rows: Iterable[M]) -> list[M]:
    """Set ``row.actions`` on each row (for list templates: ``"edit" in row.actions``)."""
    out = list(rows)
    for row in out:
        row.actions = actions(actor, row)  # type: ignore[attr-defined]
    return out
