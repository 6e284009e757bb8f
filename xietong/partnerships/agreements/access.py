"""Who reads agreements and their versions, who writes new versions and who approves.

* an agreement and its versions are read by whoever reads the partnership;
* a new version (and a new agreement) is written by the partnership's managers and by the
  admin of any member, while the partnership is a draft or active;
* a pending version is approved by an administrator of a member (:func:`member_admin_of`
  says for which members), while the partnership is active.

Decision 0013.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.access import Guard, Policy, Rule, capability, declare
from xietong.access import reach as r
from xietong.accounts.models import Role
from xietong.partnerships.access import CHANGEABLE, READERS
from xietong.partnerships.choices import PartnershipStatus, VersionStatus
from xietong.partnerships.models import Agreement, AgreementVersion, Partnership

WRITERS = ("manager", "member")
WRITES = gettext_lazy(
    "Only the partnership's managers and its members' administrators change its agreements."
)
NOT_PARTY = gettext_lazy(
    "You are not a party to this agreement: only an administrator of one of the "
    "partnership's members approves its versions."
)
ENDED = gettext_lazy("The partnership has ended; its agreements can no longer be changed.")
NOT_ACTIVE = gettext_lazy("Versions are approved only while the partnership is active.")


def _open(agreement: Agreement) -> bool:
    return agreement.partnership.status in CHANGEABLE


def _active(version: AgreementVersion) -> bool:
    return version.agreement.partnership.status == PartnershipStatus.ACTIVE


def _not_pending(version: Any) -> str:
    if version.status == VersionStatus.SUPERSEDED:
        return _(
            "Version %(number)s has been superseded by a newer version; "
            "approve the current one instead."
        ) % {"number": version.number}
    return _("Version %(number)s has already been approved by every party.") % {
        "number": version.number
    }


def _relations(path: str) -> dict[str, Any]:
    return {name: r.via(path, Partnership, name) for name in READERS}


declare(
    Policy(
        model=Agreement,
        relations=_relations("partnership"),
        read=READERS,
        rules=(Rule("edit", by=WRITERS, guards=(Guard(_open, ENDED),), denied=WRITES),),
        state_field="",
        audit_prefix="partnerships.agreement",
    )
)

declare(
    Policy(
        model=AgreementVersion,
        relations=_relations("agreement__partnership"),
        read=READERS,
        rules=(
            Rule(
                "approve",
                by=("member",),
                states=frozenset({VersionStatus.PENDING}),
                guards=(Guard(_active, NOT_ACTIVE),),
                denied=NOT_PARTY,
                not_now=_not_pending,
            ),
        ),
        audit_prefix="partnerships.agreementversion",
        system_moves={
            VersionStatus.PENDING: frozenset({VersionStatus.APPROVED, VersionStatus.SUPERSEDED}),
            VersionStatus.APPROVED: frozenset({VersionStatus.SUPERSEDED}),
        },
    )
)

# Who is shown the approval inbox (an admin of a member institution approves its versions).
capability("partnerships.approve", Role.INSTITUTION_ADMIN)
