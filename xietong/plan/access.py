"""Who reads the plan and who manages it: the declarations of its models.

* the plan, its sections, tasks, responsible bodies and indicators are read by every
  authority admin and viewer, and by the admins of any institution that is a body of one
  of the plan's tasks (a named university, a district authority …);
* they are managed — tasks edited, indicators defined, records linked — by the authority
  admins acting for a signatory of the plan (the provincial authorities that signed it:
  :func:`xietong.access.reach.acts_for`, exactly the signatory's region);
* a linked record (``TaskLink``) is read through its task; who may link and unlink is the
  plan's managers and the managers of the record itself (``plan.services.links``).

Other parts of the plan use :data:`MANAGER` and :data:`BODY_ADMIN` (the relation names)
and :func:`body_admin_of` — the task bodies the actor acts for.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xietong import access
from xietong.access import Policy, Rule, capability, declare
from xietong.access import reach as r
from xietong.access.actor import Actor
from xietong.accounts.models import Role
from xietong.plan.models import Indicator, Plan, Section, Task, TaskBody, TaskLink

MANAGES = _("Only an authority administrator of a province that signed the plan manages it.")

MANAGER = "manager"
BODY_ADMIN = "body_admin"
READERS = ("authority", "body_admin")

_signatories = Plan.signatories.through

declare(
    Policy(
        model=Plan,
        relations={
            MANAGER: r.through(_signatories, "plan", r.acts_for("institution")),
            "authority": r.roles(Role.AUTHORITY_ADMIN, Role.AUTHORITY_VIEWER),
            BODY_ADMIN: r.through(TaskBody, "task__plan", r.acts_for("institution")),
        },
        read=READERS,
        rules=(Rule("edit", by=(MANAGER,), denied=MANAGES),),
        state_field="",
        audit_prefix="plan.plan",
    )
)


def _through_plan(model: type, path: str, rules: tuple[Rule, ...], prefix: str) -> Policy:
    names = (MANAGER, *READERS)
    return declare(
        Policy(
            model=model,  # type: ignore[arg-type]
            relations={name: r.via(path, Plan, name) for name in names},
            read=READERS,
            rules=rules,
            state_field="",
            audit_prefix=prefix,
        )
    )


_through_plan(Section, "plan", (Rule("edit", by=(MANAGER,), denied=MANAGES),), "plan.section")
_through_plan(
    Task,
    "plan",
    (
        Rule("edit", by=(MANAGER,), denied=MANAGES),
        # Linking any record to the task; the record's own managers may too (links.py).
        Rule("link", by=(MANAGER,), denied=MANAGES),
    ),
    "plan.task",
)
_through_plan(
    TaskBody,
    "task__plan",
    (
        Rule("edit", by=(MANAGER,), denied=MANAGES),
        Rule("delete", by=(MANAGER,), denied=MANAGES),
    ),
    "plan.taskbody",
)
_through_plan(
    TaskLink,
    "task__plan",
    (Rule("delete", by=(MANAGER,), denied=MANAGES),),
    "plan.tasklink",
)

_indicator_tasks = Indicator.tasks.through
declare(
    Policy(
        model=Indicator,
        relations={
            MANAGER: r.through(_indicator_tasks, "indicator", r.via("task", Task, MANAGER)),
            "authority": r.roles(Role.AUTHORITY_ADMIN, Role.AUTHORITY_VIEWER),
            BODY_ADMIN: r.through(_indicator_tasks, "indicator", r.via("task", Task, BODY_ADMIN)),
            # The admin acting for the body that reports a reported indicator.
            "reporter": r.acts_for("reporter"),
        },
        read=READERS,
        rules=(
            Rule("edit", by=(MANAGER,), denied=MANAGES),
            Rule("delete", by=(MANAGER,), denied=MANAGES),
            Rule(
                "report",
                by=("reporter",),
                denied=_("Only the body that reports this indicator reports its values."),
            ),
        ),
        state_field="",
        audit_prefix="plan.indicator",
    )
)

capability("plan.read", Role.AUTHORITY_ADMIN, Role.AUTHORITY_VIEWER, Role.INSTITUTION_ADMIN)
capability("plan.manage", Role.AUTHORITY_ADMIN)


def body_admin_q(actor: Actor, prefix: str = "") -> Q:
    """Task bodies the actor acts for (its institution, or its authority's own region)."""
    return r.acts_for("institution")(actor, prefix)


def body_admin_of(actor: Actor, task: Task) -> list[TaskBody]:
    """The bodies of ``task`` the actor acts for (empty for a task it may not read)."""
    if not access.can_read(actor, task):
        return []
    return list(
        TaskBody.objects.filter(body_admin_q(actor), task=task)
        .select_related("institution")
        .order_by("role", "id")
    )
