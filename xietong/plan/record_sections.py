"""The section "Tasks of the plan it serves" on the pages of linkable records.

Registered for each kind in ``plan.linkables`` (the partnership's page through
``partnerships.sections``, the others through :mod:`xietong.core.sections` pages).
It lists the tasks the record is linked to (those the reader reads) and, for the plan's
managers and the record's own managers, a form to link it to another task.
"""

from __future__ import annotations

from typing import Any

from xietong import access
from xietong.plan import linkable, selectors
from xietong.plan.linkable import Linkable
from xietong.plan.models import Task
from xietong.plan.services import links


def context_for(kind: Linkable) -> Any:
    def context(actor: Any, record: Any) -> dict[str, Any] | None:
        if not access.can(actor, "plan.read") and not actor.is_system_admin:
            return None
        rows = selectors.tasks_of_record(actor, record)
        manages_record = linkable.manages(actor, kind, record)
        linked = {x.task_id for x in rows}
        choices: list[Task] = []
        if manages_record or access.can(actor, "plan.manage"):
            qs = selectors.tasks_for(actor).exclude(pk__in=linked).prefetch_related(None)
            if not manages_record:
                qs = qs.filter(access.verb_q(actor, Task, "link"))
            choices = list(qs)
        for x in rows:
            x.removable = links.links_admin(actor, x)  # type: ignore[attr-defined]
        if not rows and not choices:
            return None
        return {"kind": kind, "links": rows, "choices": choices, "record_id": record.pk}

    return context
