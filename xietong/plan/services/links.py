"""Linking a record — a partnership, an activity, an exchange program, a placement … (see
``plan.linkable``) — to the plan task it serves, and unlinking it.

Allowed for the plan's managers (``link`` on the task) and for the record's own managers
(``Linkable.verb`` on the record), who must read the task too.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong import access
from xietong.access.actor import Actor
from xietong.accounts import audit
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xietong.plan import linkable
from xietong.plan.linkable import Linkable
from xietong.plan.models import Task, TaskLink

NOT_YOURS = gettext_lazy(
    "Only the plan's managers and the record's own managers link it to a task."
)


def _kind(key: str) -> Linkable:
    kind = linkable.kind(key)
    if kind is None:
        known = ", ".join(k.key for k in linkable.kinds())
        raise InvalidInput(
            _("“%(kind)s” is not a kind of record that can serve a task (known: %(known)s).")
            % {"kind": key, "known": known},
            fields={"kind": [_("Unknown kind of record.")]},
        )
    return kind


def _record(actor: Actor, kind: Linkable, record_id: Any) -> Any:
    try:
        pk = int(record_id)
    except (TypeError, ValueError):
        raise InvalidInput(
            _("The record must be given by its number."), fields={"record": [_("Not a number.")]}
        ) from None
    record = kind.model._default_manager.filter(access.read_q(actor, kind.model), pk=pk).first()
    if record is None:
        raise InvalidInput(
            _("No %(kind)s number %(id)s is visible to you.") % {"kind": kind.key, "id": pk},
            fields={"record": [_("No such record.")]},
        )
    return record


def _task(actor: Actor, task_id: int, *, lock: bool = False) -> Task:
    qs = Task.objects.filter(access.read_q(actor, Task), pk=task_id).select_related("plan")
    task = (qs.select_for_update(of=("self",)) if lock else qs).first()
    if task is None:
        raise NotFound()
    return task


def may_link(actor: Actor, task: Task, kind: Linkable, record: Any) -> bool:
    """The plan's managers, and the record's managers (reading the task), may link it."""
    return "link" in access.actions(actor, task) or linkable.manages(actor, kind, record)


def _refuse() -> PermissionDenied:
    return PermissionDenied(NOT_YOURS)


def link(actor: Actor, task_id: int, kind_key: str, record_id: Any) -> TaskLink:
    with transaction.atomic():
        task = _task(actor, task_id, lock=True)
        kind = _kind(kind_key)
        record = _record(actor, kind, record_id)
        if not may_link(actor, task, kind, record):
            raise _refuse()
        ct = ContentType.objects.get_for_model(kind.model)
        if TaskLink.objects.filter(task=task, record_type=ct, record_id=record.pk).exists():
            raise Conflict(
                _("%(record)s is already linked to the task %(task)s.")
                % {"record": kind.title(record), "task": task.code}
            )
        try:
            with transaction.atomic():
                row = TaskLink.objects.create(
                    task=task, record_type=ct, record_id=record.pk, linked_by_id=actor.user_id
                )
        except IntegrityError:
            raise Conflict(_("This record was linked to the task a moment ago.")) from None
        audit.record(
            actor,
            "plan.link.add",
            target=row,
            label=f"{task.code} ← {kind.title(record)}",
            after={"task": task.pk, "kind": kind.key, "record": record.pk},
        )
    return row


def unlink(actor: Actor, link_id: int) -> None:
    with transaction.atomic():
        row = (
            TaskLink.objects.filter(access.read_q(actor, TaskLink), pk=link_id)
            .select_related("task", "record_type")
            .select_for_update(of=("self",))
            .first()
        )
        if row is None:
            raise NotFound()
        kind = linkable.kind_of_type(row.record_type)
        record = kind.model._default_manager.filter(pk=row.record_id).first() if kind else None
        plan_manager = "delete" in access.actions(actor, row)
        record_manager = (
            kind is not None and record is not None and linkable.manages(actor, kind, record)
        )
        if not (plan_manager or record_manager):
            raise _refuse()
        label = f"{row.task.code} ← {kind.title(record) if kind and record else row.record_id}"
        before = {"task": row.task_id, "kind": kind.key if kind else "", "record": row.record_id}
        audit.record(actor, "plan.link.remove", target=row, label=label, before=before)
        row.delete()


def links_admin(actor: Actor, link_row: TaskLink) -> bool:
    """Whether the actor may unlink this (already read) link: for the page's buttons."""
    if "delete" in access.actions(actor, link_row):
        return True
    kind = getattr(link_row, "kind", None) or linkable.kind_of_type(link_row.record_type)
    record = getattr(link_row, "linked", None)
    if kind is None:
        return False
    if record is None:
        record = kind.model._default_manager.filter(pk=link_row.record_id).first()
    return record is not None and linkable.manages(actor, kind, record)
