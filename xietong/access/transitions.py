"""One helper for every workflow step: check the verb, move the status, stamp, audit, notify.

``transition(actor, "approve", app, notify=Notify(...))`` refuses unless ``"approve"`` is in
``actions(actor, app)`` (``require``), moves the status to the rule's ``to`` — a move the
model's declared transition table allows — stamps the rule's time field, saves, writes
the audit event and sends the notification. :func:`move` does the same for moves made by
the system (publishing a run matches applicants), without a verb.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.access.actor import Actor
from xietong.access.rules import policy_for, require, rule_for
from xietong.core.errors import Conflict

M = TypeVar("M", bound=Model)


class Notify:
    """The notification a transition sends: the arguments of
    :func:`xietong.notifications.services.notify` (recipients, code, target, params)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs


def send(notification: Notify | None) -> None:
    """Hand a notification to the notification service (the one place that calls it)."""
    if notification is None:
        return
    from xietong.notifications.services import notify

    notify(*notification.args, **notification.kwargs)


def transition(
    actor: Actor,
    verb: str,
    obj: M,
    *,
    fields: Iterable[str] = (),
    notify: Notify | None = None,
    detail: dict[str, Any] | None = None,
) -> M:
    """Do ``verb`` on ``obj`` as ``actor``; ``fields`` are other fields set by the caller."""
    require(actor, verb, obj)
    rule = rule_for(actor, verb, obj)
    if rule.to is None:
        raise LookupError(f"{type(obj).__name__}.{verb} is not a transition")
    policy = policy_for(obj)
    event = rule.to if policy.event_by_state else verb
    return move(
        actor,
        obj,
        rule.to,
        stamp=rule.stamp,
        fields=fields,
        notify=notify,
        detail=detail,
        event=f"{policy.audit_prefix}.{event}",
    )


def move(
    actor: Actor,
    obj: M,
    to: str,
    *,
    event: str,
    stamp: str | None = None,
    fields: Iterable[str] = (),
    notify: Notify | None = None,
    detail: dict[str, Any] | None = None,
) -> M:
    """Move ``obj`` to ``to`` if its declared transition table allows it; audited."""
    from xietong.accounts import audit

    policy = policy_for(obj)
    old = str(getattr(obj, policy.state_field))
    if to not in policy.moves().get(old, set()):
        raise Conflict(
            _("“%(old)s” cannot move to “%(new)s”.") % {"old": _label(obj, old), "new": to}
        )
    setattr(obj, policy.state_field, to)
    update = [policy.state_field, *fields]
    if stamp:
        setattr(obj, stamp, timezone.now())
        update.append(stamp)
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        update.append("updated_at")
    obj.save(update_fields=list(dict.fromkeys(update)))
    audit.record(
        actor,
        event,
        target=obj,
        before={policy.state_field: old},
        after={policy.state_field: to},
        detail=detail,
    )
    send(notify)
    return obj


def _label(obj: Model, state: str) -> str:
    choices = getattr(obj._meta.get_field(policy_for(obj).state_field), "choices", None)
    return str(dict(choices or []).get(state, state))
