"""Who reads exchanges and who may do which step: the declarations of its models.

* a program is managed by an authority admin whose region covers the program's owning
  region or its organising authority; every business role reads it once it is no longer
  a draft — a draft (and its offers) is seen by its managers only (decision 0009);
* a host offer is kept by the host's admins (its own, its parent campus's, an authority
  over it);
* an application is read by the applicant, the home school, the authorities over the home
  institution, the host once matched, and the program's managers; each step is done by
  the people of that step: the applicant or the home school on their behalf (edit,
  submit, withdraw), the home school (recommend), an authority admin over the home
  institution (approve, after the public notice), the managers (place), the applicant
  alone (confirm: accepting a place commits the teacher personally);
* a placement is seen by both institutions' admins and authorities, the teacher, the
  mentor and the program's managers; once its end date has passed the daily job ends it
  (a system move), and logs, reports and completion go on from there;
* matching runs are seen by the program's managers and the authorities over its region.

The eligibility area of a program (:func:`area_q`) is a rule about institutions, not
about actors; it lives here beside the access rules it is used with.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xietong import access
from xietong.access import Guard, Policy, Rule, capability, declare
from xietong.access import reach as r
from xietong.accounts.models import Role
from xietong.core.errors import InvalidInput
from xietong.exchanges.choices import (
    WITHDRAWABLE,
    AppStatus,
    PlacementStatus,
    ProgramStatus,
    RunStatus,
)
from xietong.exchanges.models import (
    Application,
    HostOffer,
    MatchingRun,
    Placement,
    Program,
    ProgramArea,
)
from xietong.institutions.access import BUSINESS_ROLES
from xietong.institutions.models import Institution, Staff
from xietong.regions.selectors import under_paths_q

MANAGES = _("Only an authority administrator over the program's region manages this program.")
OFFERS = _("Only the host's administrator or an authority over it may offer places there.")
EDITABLE = frozenset({ProgramStatus.DRAFT, ProgramStatus.OPEN, ProgramStatus.CLOSED})


def _window_open(p: Program) -> bool:
    return p.status == ProgramStatus.OPEN and p.opens_at <= timezone.now() < p.closes_at


def window_open_q(prefix: str = "") -> Q:
    """:func:`_window_open` as a filter: programs accepting applications now."""
    now = timezone.now()
    return Q(
        **{
            f"{prefix}status": ProgramStatus.OPEN,
            f"{prefix}opens_at__lte": now,
            f"{prefix}closes_at__gt": now,
        }
    )


def _window_message(p: Program) -> str:
    return gettext(
        "Applications to this program are accepted from %(opens)s to %(closes)s only."
    ) % {
        "opens": timezone.localtime(p.opens_at).strftime("%Y-%m-%d %H:%M"),
        "closes": timezone.localtime(p.closes_at).strftime("%Y-%m-%d %H:%M"),
    }


WINDOW = Guard(_window_open, _window_message, refusal=InvalidInput)

declare(
    Policy(
        model=Program,
        relations={
            "manager": r.any_of(r.region("region"), r.authority("organiser")),
            "directory": r.where_not(r.roles(*BUSINESS_ROLES), status=ProgramStatus.DRAFT),
            "region_authority": r.region_viewer("region"),
            "offerer": r.roles(Role.AUTHORITY_ADMIN, Role.INSTITUTION_ADMIN),
            "teacher": r.myself(),
            "school": r.roles(Role.INSTITUTION_ADMIN),
        },
        read=("manager", "directory"),
        rules=(
            Rule(
                "edit",
                by=("manager",),
                states=EDITABLE,
                denied=MANAGES,
                not_now=_("A program cannot be changed once matching has started."),
            ),
            Rule(
                "set_status",
                by=("manager",),
                denied=MANAGES,
            ),
            Rule(
                "repeat",
                by=("manager",),
                denied=MANAGES,
            ),
            Rule(
                "offer",
                by=("offerer", "manager"),
                states=EDITABLE,
                denied=OFFERS,
                not_now=_("Offers cannot be added once matching has started."),
            ),
            Rule(
                "apply",
                by=("teacher",),
                guards=(WINDOW,),
                denied=_("Only teachers with a staff record apply for exchanges."),
            ),
            Rule(
                "apply_for",
                by=("school",),
                guards=(WINDOW,),
                denied=_(
                    "You may apply for yourself, or for staff of an institution you administer."
                ),
            ),
            Rule(
                "match",
                by=("manager",),
                states=frozenset({ProgramStatus.CLOSED, ProgramStatus.MATCHING}),
                denied=MANAGES,
                not_now=_("Close the applications of the program before matching."),
            ),
            Rule(
                "runs",
                by=("manager", "region_authority"),
                denied=_("Matching runs are seen by the program's authorities only."),
            ),
        ),
    )
)

OFFER_OPEN = Guard(
    lambda o: o.program.status in EDITABLE,
    _("Offers cannot be changed once matching has started."),
)
OFFER_DENIED = _("Only the host's administrator or an authority over it manages this offer.")

declare(
    Policy(
        model=HostOffer,
        relations={
            "host": r.administers("host"),
            "manager": r.via("program", Program, "manager"),
            "directory": r.via("program", Program, "directory"),
        },
        read=("manager", "directory"),
        rules=(
            Rule("edit", by=("host",), guards=(OFFER_OPEN,), denied=OFFER_DENIED),
            Rule("delete", by=("host",), guards=(OFFER_OPEN,), denied=OFFER_DENIED),
        ),
        state_field="",
    )
)

ACT_FOR = _("Only the applicant or their home school may do this.")
DECIDE = _("You may not decide on the application at this step.")


def _notice_over(app: Application) -> bool:
    return app.notice_ends_on is not None and timezone.localdate() > app.notice_ends_on


def _notice_message(app: Application) -> str:
    return gettext("The public notice runs until %(date)s; approve after it has ended.") % {
        "date": app.notice_ends_on
    }


declare(
    Policy(
        model=Application,
        relations={
            "applicant": r.person("applicant"),
            "school": r.school("home"),
            "authority": r.authority("home"),
            "viewer": r.viewer("home"),
            "host": r.administers("matched_slot__offer__host"),
            "manager": r.via("program", Program, "manager"),
        },
        read=("applicant", "school", "authority", "viewer", "host", "manager"),
        rules=(
            Rule(
                "edit",
                by=("applicant", "school"),
                states=frozenset({AppStatus.DRAFT}),
                denied=ACT_FOR,
            ),
            Rule(
                "submit",
                by=("applicant", "school"),
                states=frozenset({AppStatus.DRAFT}),
                to=AppStatus.SUBMITTED,
                stamp="submitted_at",
                denied=ACT_FOR,
            ),
            Rule(
                "withdraw",
                by=("applicant", "school"),
                states=frozenset(WITHDRAWABLE),
                to=AppStatus.WITHDRAWN,
                stamp="closed_at",
                denied=ACT_FOR,
            ),
            Rule(
                "recommend",
                by=("school",),
                states=frozenset({AppStatus.SUBMITTED}),
                to=AppStatus.RECOMMENDED,
                stamp="recommended_at",
                denied=_("Only the home institution's administrator recommends."),
            ),
            Rule(
                "approve",
                by=("authority",),
                states=frozenset({AppStatus.RECOMMENDED}),
                to=AppStatus.APPROVED,
                stamp="approved_at",
                guards=(Guard(_notice_over, _notice_message),),
                denied=_("Only an authority administrator over the home institution approves."),
            ),
            Rule(
                "reject",
                by=("school",),
                states=frozenset({AppStatus.SUBMITTED}),
                to=AppStatus.REJECTED,
                stamp="closed_at",
                denied=DECIDE,
                not_now=DECIDE,
            ),
            Rule(
                "reject",
                by=("authority",),
                states=frozenset({AppStatus.RECOMMENDED}),
                to=AppStatus.REJECTED,
                stamp="closed_at",
                denied=DECIDE,
                not_now=DECIDE,
            ),
            Rule(
                "reject",
                by=("manager",),
                states=frozenset({AppStatus.APPROVED, AppStatus.MATCHED}),
                to=AppStatus.REJECTED,
                stamp="closed_at",
                denied=DECIDE,
                not_now=DECIDE,
            ),
            Rule(
                "assign",
                by=("manager",),
                states=frozenset({AppStatus.APPROVED}),
                to=AppStatus.MATCHED,
                stamp="matched_at",
                denied=_("Only the program's managers place applicants."),
            ),
            Rule(
                "confirm",
                by=("applicant",),
                states=frozenset({AppStatus.MATCHED}),
                to=AppStatus.CONFIRMED,
                stamp="confirmed_at",
                denied=_("Only the applicant accepts a place."),
            ),
            Rule(
                "complete",
                by=("school", "authority"),
                states=frozenset({AppStatus.IN_PROGRESS}),
                to=AppStatus.COMPLETED,
                stamp="completed_at",
                denied=_("You may not do this for this placement."),
                not_now=_("The placement must be completed first."),
            ),
        ),
        audit_prefix="exchanges.application",
        event_by_state=True,
        # Publishing a run matches approved applicants; starting a placement puts it in progress.
        system_moves={
            AppStatus.APPROVED: frozenset({AppStatus.MATCHED}),
            AppStatus.CONFIRMED: frozenset({AppStatus.IN_PROGRESS}),
        },
    )
)

PLACEMENT_DENIED = _("You may not do this for this placement.")
RUNNING_OR_ENDED = frozenset({PlacementStatus.ACTIVE, PlacementStatus.ENDED})

declare(
    Policy(
        model=Placement,
        relations={
            "teacher": r.person("application__applicant"),
            "mentor": r.person("mentor"),
            "host": r.administers("host"),
            "home": r.administers("home"),
            "viewer": r.any_of(r.viewer("host"), r.viewer("home")),
            "manager": r.via("application__program", Program, "manager"),
        },
        read=("teacher", "mentor", "host", "home", "viewer", "manager"),
        rules=(
            Rule(
                "start",
                by=("mentor", "host", "home", "manager"),
                states=frozenset({PlacementStatus.PLANNED}),
                to=PlacementStatus.ACTIVE,
                stamp="started_at",
                denied=PLACEMENT_DENIED,
                not_now=_("This placement has already started."),
            ),
            Rule(
                "log",
                by=("teacher",),
                states=RUNNING_OR_ENDED,
                denied=PLACEMENT_DENIED,
                not_now=_("Logs are kept while the placement is active."),
            ),
            Rule(
                "report",
                by=("teacher", "mentor", "host"),
                states=frozenset({*RUNNING_OR_ENDED, PlacementStatus.COMPLETED}),
                denied=_("Reports are written by the teacher and by the host."),
                not_now=_("Reports are written once the placement has started."),
            ),
            Rule("evaluate", by=("mentor", "host"), denied=PLACEMENT_DENIED),
            Rule(
                "complete",
                by=("mentor", "host", "manager"),
                states=RUNNING_OR_ENDED,
                to=PlacementStatus.COMPLETED,
                stamp="completed_at",
                denied=PLACEMENT_DENIED,
                not_now=_("Only an active or ended placement can be completed."),
            ),
            Rule("add_duty", by=("home",), denied=PLACEMENT_DENIED),
            Rule("finish_duty", by=("teacher", "home"), denied=PLACEMENT_DENIED),
        ),
        audit_prefix="exchanges.placement",
        # The daily job ends active placements whose end date has passed.
        system_moves={PlacementStatus.ACTIVE: frozenset({PlacementStatus.ENDED})},
    )
)

declare(
    Policy(
        model=MatchingRun,
        relations={
            "manager": r.via("program", Program, "manager"),
            "region_authority": r.via("program", Program, "region_authority"),
        },
        read=("manager", "region_authority"),
        rules=(
            Rule(
                "publish",
                by=("manager",),
                states=frozenset({RunStatus.DONE}),
                to=RunStatus.PUBLISHED,
                stamp="published_at",
                denied=MANAGES,
                not_now=_("Only a finished run that is not yet published can be published."),
            ),
        ),
        audit_prefix="exchanges.run",
        system_moves={
            RunStatus.QUEUED: frozenset({RunStatus.RUNNING}),
            RunStatus.RUNNING: frozenset({RunStatus.DONE, RunStatus.FAILED}),
        },
    )
)

# The people an exchange shows beyond one's own region (decision 0001, minimum necessary):
# the applicants of the programs one manages and of the places one hosts, once submitted,
# and the teachers placed at, or from, institutions one oversees.
access.extend_read(
    Staff,
    "exchange_applicant",
    r.named_by(Application, "applicant", ("manager", "host"), submitted_at__isnull=False),
)
access.extend_read(
    Staff,
    "exchange_placed",
    r.named_by(Placement, "application__applicant", ("host", "viewer", "manager", "mentor")),
)

capability("exchanges.programs", *BUSINESS_ROLES)
capability("exchanges.create_program", Role.AUTHORITY_ADMIN)
capability("exchanges.apply", person=True)
capability("exchanges.review", Role.INSTITUTION_ADMIN, Role.AUTHORITY_ADMIN)
capability("exchanges.recommend", Role.INSTITUTION_ADMIN)
capability("exchanges.approve", Role.AUTHORITY_ADMIN)
capability("exchanges.matching", Role.AUTHORITY_ADMIN)
capability(
    "exchanges.placements",
    Role.INSTITUTION_ADMIN,
    Role.AUTHORITY_ADMIN,
    Role.AUTHORITY_VIEWER,
    person=True,
)
capability(
    "exchanges.coverage", Role.AUTHORITY_ADMIN, Role.AUTHORITY_VIEWER, Role.INSTITUTION_ADMIN
)
# The coverage page's table as a file: its readers (rows scoped as on the page).
capability(
    "exchanges.export_coverage",
    Role.AUTHORITY_ADMIN,
    Role.AUTHORITY_VIEWER,
    Role.INSTITUTION_ADMIN,
)
# The program list as a file: those who run or watch programs, not the applicants.
capability(
    "exchanges.export_programs",
    Role.AUTHORITY_ADMIN,
    Role.AUTHORITY_VIEWER,
    Role.INSTITUTION_ADMIN,
    Role.SYSTEM_ADMIN,
)
# The placement list as a file: the sides and authorities that read it, not the teachers.
capability(
    "exchanges.export_placements",
    Role.AUTHORITY_ADMIN,
    Role.AUTHORITY_VIEWER,
    Role.INSTITUTION_ADMIN,
)
# A review queue as a file: its reviewers (each queue also asks for its step's capability).
capability("exchanges.export_review", Role.INSTITUTION_ADMIN, Role.AUTHORITY_ADMIN)
capability("notifications.read", everyone=True)


def area_rows(program: Program, side: str) -> list[ProgramArea]:
    """The entries of a program's sending or host scope, ready for :func:`area_targets`."""
    return list(
        ProgramArea.objects.filter(program=program, side=side)
        .select_related("region")
        .prefetch_related("group__members")
    )


def area_targets(rows: Iterable[ProgramArea]) -> tuple[list[str], list[int]] | None:
    """The region paths and institution ids a scope's entries name; None: anywhere."""
    entries = list(rows)
    if not entries:
        return None
    paths: list[str] = []
    ids: list[int] = []
    for row in entries:
        if row.region is not None:
            paths.append(row.region.path)
        elif row.group is not None:
            paths.extend(m.path for m in row.group.members.all())
        elif row.institution_id:
            ids.append(row.institution_id)
    return paths, ids


def area_q(program: Program, side: str, prefix: str = "") -> Q:
    """Institutions inside a program's sending or host scope; no entries means anywhere."""
    targets = area_targets(area_rows(program, side))
    if targets is None:
        return Q()
    paths, ids = targets
    q = under_paths_q(paths, f"{prefix}region_path")
    if ids:
        q |= Q(**{f"{prefix}pk__in": ids})
    return q


def in_area(rows: Iterable[ProgramArea], institution: Institution) -> bool:
    """:func:`area_q` for one institution over entries already loaded (many programs at once)."""
    targets = area_targets(rows)
    if targets is None:
        return True
    paths, ids = targets
    return institution.pk in ids or any(institution.region_path.startswith(p) for p in paths)
