"""Who reads activities and who changes them.

An activity is read by whoever reads its partnership (the partnership's readers, through
``r.via``). It is logged by an admin of any member (:func:`member_admin_of`) while the
partnership is active; it is edited or deleted by the admin of the member it was logged
for, or by the partnership's managers, while the partnership is not ended.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xietong import access
from xietong.access import Guard, Policy, Rule, declare
from xietong.access import reach as r
from xietong.accounts.access import Actor
from xietong.attachments.registry import register_owner
from xietong.partnerships.access import CHANGEABLE, READERS
from xietong.partnerships.models import Activity, Partnership

EVIDENCE_TYPES = ("jpeg", "png", "pdf")


def _open(a: Activity) -> bool:
    return a.partnership.status in CHANGEABLE


declare(
    Policy(
        model=Activity,
        relations={
            **{name: r.via("partnership", Partnership, name) for name in READERS},
            "logger": r.school("logged_for__institution"),
        },
        read=READERS,
        rules=(
            Rule(
                "edit",
                by=("logger", "manager"),
                guards=(Guard(_open, _("An ended partnership can no longer be changed.")),),
                denied=_("Only the admin who logged it or the partnership's managers change it."),
            ),
            Rule(
                "delete",
                by=("logger", "manager"),
                guards=(Guard(_open, _("An ended partnership can no longer be changed.")),),
                denied=_("Only the admin who logged it or the partnership's managers change it."),
            ),
        ),
        state_field="",
        audit_prefix="partnerships.activity",
    )
)


def readable_activities(actor: Actor) -> QuerySet[Activity]:
    return Activity.objects.filter(access.read_q(actor, Activity))


def manageable_activity(actor: Actor, activity: Activity) -> bool:
    return "edit" in access.actions(actor, activity)


def register() -> None:
    register_owner(
        Activity,
        readable=readable_activities,
        manageable=manageable_activity,
        types=EVIDENCE_TYPES,
    )
