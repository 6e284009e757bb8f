"""Who reads and keeps the registry: the declarations of institutions, staff and regions.

* institutions are a directory every business role reads; they are kept (edited, deleted,
  given labs) by an authority admin over their region, their own admin (a branch campus
  by its parent's admin too) and the system admin;
* staff records are read by the authorities over the record's institution (admins and
  viewers), the system admin, the admins of the record's institution and the staff member;
  beyond that only where a task needs the person (decision 0001, minimum necessary): the
  apps built on the registry add those relations (``access.extend_read``) — exchanges,
  for the applicants of an authority's programs and the teachers placed at a host;
  they are kept by the admins of the record's institution only — not by the system
  admin, not by the staff member (decision 0009); personal data is revealed to those
  admins and to the staff member themself;
* institutions are registered in a region by an authority admin over it or the system
  admin.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xietong.access import Policy, Rule, capability, declare
from xietong.access import reach as r
from xietong.accounts.models import Role
from xietong.institutions.models import Institution, Staff
from xietong.regions.models import Region

BUSINESS_ROLES = (
    Role.AUTHORITY_ADMIN,
    Role.AUTHORITY_VIEWER,
    Role.INSTITUTION_ADMIN,
    Role.STAFF,
    Role.SYSTEM_ADMIN,
)
DIRECTORY_ROLES = (Role.AUTHORITY_ADMIN, Role.AUTHORITY_VIEWER, Role.SYSTEM_ADMIN)
# The staff relations the tallies count (regions and institutions); the others (oneself,
# the task relations other apps add) are counted row by row — they are few.
TALLIED_STAFF_RELATIONS = ("viewer", "school", "system")
KEEPERS = ("authority", "school")

declare(
    Policy(
        model=Institution,
        relations={
            "authority": r.authority(),
            "school": r.school(),
            "viewer": r.viewer(),
            "system": r.roles(Role.SYSTEM_ADMIN),
            "directory": r.roles(*BUSINESS_ROLES),
        },
        read=("directory",),
        rules=(
            Rule(
                "edit", by=(*KEEPERS, "system"), denied=_("This institution is outside your scope.")
            ),
            Rule(
                "delete",
                by=(*KEEPERS, "system"),
                denied=_("This institution is outside your scope."),
            ),
            Rule(
                "register_staff",
                by=KEEPERS,
                denied=_("You may only register staff of institutions in your scope."),
            ),
            # Organise programs as (or for) this authority.
            Rule("organise", by=("authority",)),
            Rule(
                "host",
                by=KEEPERS,
                denied=_(
                    "Only the host's administrator or an authority over it may offer places there."
                ),
            ),
        ),
    )
)

declare(
    Policy(
        model=Staff,
        # Keyed: the staff list walks its (name, id) index and tests each row's institution
        # against one subquery; the exchanges' relations are ORed in (see reach.py).
        relations={
            "authority": r.authority("institution", keyed=True),
            "school": r.school("institution", keyed=True),
            "self": r.person(),
            "viewer": r.viewer("institution", keyed=True),
            "system": r.roles(Role.SYSTEM_ADMIN),
        },
        read=("viewer", "school", "self", "system"),
        rules=(
            Rule(
                "edit",
                by=KEEPERS,
                denied=_("A staff record is kept by the administrators of its institution."),
            ),
            Rule(
                "delete",
                by=KEEPERS,
                denied=_("A staff record is kept by the administrators of its institution."),
            ),
            Rule(
                "reveal",
                by=(*KEEPERS, "self"),
                denied=_("Personal data of staff outside your scope is shown masked only."),
            ),
            # Act as the applicant of an exchange: oneself, or the home school on one's behalf.
            Rule(
                "act_for",
                by=("self", "school"),
                denied=_(
                    "You may apply for yourself, or for staff of an institution you administer."
                ),
            ),
        ),
    )
)

declare(
    Policy(
        model=Region,
        relations={"authority": r.region(), "system": r.roles(Role.SYSTEM_ADMIN)},
        read=("authority", "system"),
        rules=(
            Rule("register_institution", by=("authority", "system")),
            # Own exchange programs (and later plans, reports) in this region.
            Rule("organise", by=("authority",)),
        ),
        state_field="",
    )
)

capability("registry.read", *BUSINESS_ROLES)
capability("staff.read", *DIRECTORY_ROLES, Role.INSTITUTION_ADMIN, person=True)
# The whole staff directory: the system admin only (decision 0001).
capability("staff.directory", Role.SYSTEM_ADMIN)
# Scopes that name institutions (a school's admin), not regions only.
capability("staff.school", Role.INSTITUTION_ADMIN)
capability("staff.register", Role.AUTHORITY_ADMIN, Role.INSTITUTION_ADMIN)
# Export the institution directory: the roles that read it, not the teachers.
capability("institutions.export", *DIRECTORY_ROLES, Role.INSTITUTION_ADMIN)
# Export the staff list (masked): the readers of staff lists, not the staff themselves.
capability("staff.export", *DIRECTORY_ROLES, Role.INSTITUTION_ADMIN)
# Ask for ID numbers and phones in clear in it: the roles of the keepers, who reveal them;
# which rows open is the reveal's own rule (verb "reveal" of each record).
capability("staff.export_personal", Role.AUTHORITY_ADMIN, Role.INSTITUTION_ADMIN)
capability("institutions.register", Role.AUTHORITY_ADMIN, Role.SYSTEM_ADMIN)
# The security admin reads no registry (三员分立), except the names and codes of
# institutions, to grant an institution administrator's role (decision 0005).
capability("institutions.name_for_grants", Role.SECURITY_ADMIN)
# The home page: an authority's own regions in numbers; the keepers' registry counts.
capability("registry.region", Role.AUTHORITY_ADMIN, Role.AUTHORITY_VIEWER)
capability("registry.overview", Role.INSTITUTION_ADMIN, Role.SYSTEM_ADMIN)
