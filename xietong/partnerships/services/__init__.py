"""Every write of partnerships (see :mod:`.partnerships`, :mod:`.members`, :mod:`.rules`)."""

from xietong.partnerships.services.members import (
    DispatchIn,
    TermIn,
    add_dispatch,
    add_member,
    delete_dispatch,
    delete_term,
    remove_member,
    set_term,
)
from xietong.partnerships.services.partnerships import (
    MemberIn,
    PartnershipIn,
    activate,
    create_partnership,
    delete,
    end,
    member_admin_users,
    update_partnership,
)

__all__ = [
    "DispatchIn",
    "MemberIn",
    "PartnershipIn",
    "TermIn",
    "activate",
    "add_dispatch",
    "add_member",
    "create_partnership",
    "delete",
    "delete_dispatch",
    "delete_term",
    "end",
    "member_admin_users",
    "remove_member",
    "set_term",
    "update_partnership",
]
