"""Reading the audit log: each event in words, in the reader's language, naming objects.

An event is stored as facts — action code, actor, target (type, id, label at the time),
``before``/``after`` snapshots and ``detail`` — and turned into a sentence only when it is
read, through gettext, so the auditor reads "刘老师 批准了 王雨晴 对 «项目» 的申请" in
Chinese and "刘老师 approved 王雨晴's application to «program»" in English. Each app
declares, in its ``audit_texts`` module (imported when Django starts):

* its **object types**: a label ("exchange application") and a bulk resolver that names
  rows by id — the applicant and the program of applications, the title of programs::

      object_type("exchanges.application", _("exchange application"), applications)

* its **events**: one sentence per action code, and which ids in the snapshots are names
  to look up (``Ref``)::

      describe(GROUP, "exchanges.application.approved", _("Application approved"),
               lambda f: _("%(actor)s approved %(applicant)s's application to "
                           "%(program)s") % f)
      describe(GROUP, "exchanges.offer.create", _("Host places offered"),
               lambda f: _("%(actor)s offered places at %(host)s in %(program)s") % f,
               host=Ref("institutions.institution", "after.host"),
               program=Ref("exchanges.program", "after.program"))

:func:`render` names a whole page of events at once: one query per object type on the
page, whatever the page's length. An action nobody describes (an app removed since) reads
as a neutral sentence with its code; an object deleted since keeps the label it had when
the event was written.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xietong.accounts.models import AuditEvent

log = logging.getLogger("xietong.accounts")

Parts = dict[str, str]
Resolver = Callable[[list[str]], Mapping[str, Parts]]


@dataclass(frozen=True)
class ObjectType:
    model: str  # "app_label.modelname", as events store it
    label: str | Promise
    resolve: Resolver | None = None  # ids → {"name": …, other named parts}
    listed: bool = True  # offered in the log's "object type" filter


@dataclass(frozen=True)
class Ref:
    """A name to look up for the sentence: the id at ``path`` ("after.host") of ``model``."""

    model: str
    path: str


class Facts(dict[str, Any]):
    """The values a sentence is made of; a missing one reads as "—", never an error.

    ``actor`` (who did it, or "the system"), ``object`` (the target's name), the target's
    named parts (``applicant``, ``program`` …) and the names of the event's refs.
    """

    def __init__(self, event: AuditEvent, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.event = event

    def __missing__(self, key: str) -> str:
        return "—"

    def value(self, path: str, default: Any = None) -> Any:
        """A raw value of the stored event: ``"after.status"``, ``"detail.counts.rows"``."""
        return _dig(self.event, path, default)


Text = Callable[[Facts], str]


@dataclass(frozen=True)
class EventText:
    action: str
    group: str | Promise
    label: str | Promise  # a short name of the action, for the filter
    text: Text
    refs: Mapping[str, Ref] = field(default_factory=dict)


_types: dict[str, ObjectType] = {}
_events: dict[str, EventText] = {}


def object_type(
    model: str, label: str | Promise, resolve: Resolver | None = None, *, listed: bool = True
) -> None:
    """Declare how rows of ``model`` are named (``listed=False``: a lookup only, such as
    regions by code, that no event targets)."""
    _types[model] = ObjectType(model, label, resolve, listed)


def describe(
    group: str | Promise, action: str, label: str | Promise, text: Text, **refs: Ref
) -> None:
    """Declare the sentence of one action (once; a second declaration is a mistake)."""
    if action in _events and _events[action].text is not text:
        raise ValueError(f"audit action {action!r} is described twice")
    _events[action] = EventText(action, group, label, text, refs)


# A table of an app's actions: (action, label, sentence, the references its sentence names).
Events = list[tuple[str, str | Promise, Text, dict[str, Ref]]]


def describe_all(group: str | Promise, events: Events) -> None:
    """Declare the sentences of a table of actions (see :func:`describe`)."""
    for action, label, text, refs in events:
        describe(group, action, label, text, **refs)


def described(action: str) -> EventText | None:
    return _events.get(action)


def action_choices() -> list[tuple[Any, Any]]:
    """The known actions for a filter, grouped by area (``<optgroup>``), by code within."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for e in sorted(_events.values(), key=lambda e: e.action):
        groups[str(e.group)].append((e.action, f"{e.label} · {e.action}"))
    return [(g, items) for g, items in sorted(groups.items())]


def object_type_choices() -> list[tuple[str, str]]:
    listed = [(t.model, str(t.label)) for t in _types.values() if t.listed]
    return sorted(listed, key=lambda c: c[1])


def type_label(model: str) -> str:
    t = _types.get(model)
    return str(t.label) if t is not None else model


# --- rendering ----------------------------------------------------------------------------


def _dig(event: AuditEvent, path: str, default: Any = None) -> Any:
    head, _sep, rest = path.partition(".")
    value: Any = {"before": event.before, "after": event.after, "detail": event.detail}.get(head)
    for step in rest.split(".") if rest else []:
        if not isinstance(value, Mapping):
            return default
        value = value.get(step)
    return default if value is None else value


def _key(value: Any) -> str | None:
    if value is None or value == "" or isinstance(value, (dict, list, bool)):
        return None
    return str(value)


def _wanted(events: Iterable[AuditEvent]) -> dict[str, set[str]]:
    """Per object type, the ids a page of events names (targets and refs)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if e.object_type in _types and e.object_id:
            wanted[e.object_type].add(e.object_id)
        spec = _events.get(e.action)
        for ref in spec.refs.values() if spec else ():
            key = _key(_dig(e, ref.path))
            if key is not None and ref.model in _types:
                wanted[ref.model].add(key)
    return wanted


def _resolve(wanted: Mapping[str, set[str]]) -> dict[str, Mapping[str, Parts]]:
    names: dict[str, Mapping[str, Parts]] = {}
    for model, keys in wanted.items():
        resolver = _types[model].resolve
        if resolver is None or not keys:
            continue
        try:
            names[model] = resolver(sorted(keys))
        except (TypeError, ValueError):
            log.warning("audit names of %s could not be resolved", model)
    return names


def system_name() -> str:
    return pgettext("audit actor", "the system")


def _facts(event: AuditEvent, names: Mapping[str, Mapping[str, Parts]]) -> Facts:
    parts = dict(names.get(event.object_type, {}).get(event.object_id, {}))
    stored = event.object_label or (f"#{event.object_id}" if event.object_id else "")
    values: dict[str, Any] = {**parts}
    values["object"] = parts.get("name") or stored or "—"
    values["actor"] = event.actor_name or system_name()
    values["type"] = type_label(event.object_type) if event.object_type else "—"
    spec = _events.get(event.action)
    for placeholder, ref in spec.refs.items() if spec else ():
        key = _key(_dig(event, ref.path))
        if key is None:
            continue
        found = names.get(ref.model, {}).get(key, {})
        values[placeholder] = found.get("name") or f"#{key}"
    return Facts(event, values)


def _generic(facts: Facts) -> str:
    event = facts.event
    if event.object_type or event.object_id:
        return _("%(actor)s: %(action)s on %(type)s %(object)s") % {
            **facts,
            "action": event.action,
        }
    return _("%(actor)s: %(action)s") % {**facts, "action": event.action}


def sentence(event: AuditEvent, facts: Facts) -> str:
    spec = _events.get(event.action)
    if spec is not None:
        try:
            return str(spec.text(facts))
        except (KeyError, TypeError, ValueError, LookupError):
            log.warning("audit event %s (%s) does not fit its sentence", event.pk, event.action)
    return _generic(facts)


def render(events: Sequence[AuditEvent]) -> Sequence[AuditEvent]:
    """Set ``text``, ``action_label``, ``object_name`` and ``type_label`` on each event.

    Names are looked up once per object type for the whole sequence (bounded queries).
    """
    names = _resolve(_wanted(events))
    for e in events:
        facts = _facts(e, names)
        spec = _events.get(e.action)
        e.text = sentence(e, facts)  # type: ignore[attr-defined]
        e.action_label = str(spec.label) if spec else e.action  # type: ignore[attr-defined]
        e.object_name = facts["object"]  # type: ignore[attr-defined]
        e.type_label = facts["type"]  # type: ignore[attr-defined]
    return events


def render_in_chunks(events: Iterable[AuditEvent], size: int = 1000) -> Iterable[AuditEvent]:
    """:func:`render` over a long stream (an export): names looked up per chunk."""
    chunk: list[AuditEvent] = []
    for e in events:
        chunk.append(e)
        if len(chunk) >= size:
            yield from render(chunk)
            chunk = []
    if chunk:
        yield from render(chunk)


# --- helpers for the apps' sentences ------------------------------------------------------


def by_pk(qs: Any, parts: Callable[[Any], Parts], keys: Iterable[str]) -> dict[str, Parts]:
    """Resolve integer ids through ``qs`` (one query); keys that are not ids are skipped."""
    ids = [int(k) for k in keys if k.isdigit() and 0 < int(k) < 2**63]
    return {str(o.pk): parts(o) for o in qs.filter(pk__in=ids)} if ids else {}


def choice_label(choices: Any, value: Any) -> str:
    """The label of a stored choice value ("approved" → "已批准"), or the value itself."""
    return str(dict(choices).get(value, value if value not in (None, "") else "—"))


def field_names(model: Any, keys: Iterable[str]) -> str:
    """The verbose names of a model's fields (the fields an update changed), listed in the
    model's own order (a stored set of keys has none)."""
    order = {f.name: i for i, f in enumerate(model._meta.get_fields())}
    labels = []
    for k in sorted(set(keys), key=lambda k: (order.get(k, len(order)), k)):
        field = next((f for f in model._meta.get_fields() if f.name == k), None)
        labels.append(str(getattr(field, "verbose_name", k)) if field is not None else k)
    return pgettext("list separator", ", ").join(labels) or "—"
