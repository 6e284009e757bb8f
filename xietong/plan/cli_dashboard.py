"""``xietong plan report --authority 110000 --period 2025Q3 [--as USER]``: a periodic
report (xlsx and PDF) of an authority for a period, written now.

A subcommand of ``xietong plan`` (:mod:`xietong.plan.cli`). Bad input — an unknown user,
an authority or period the report refuses — is said plainly, with exit code 2.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from xietong.access import actor_for, system_actor
from xietong.accounts.models import User
from xietong.plan.cli import Subcommand, register_subcommand

NAME = "report"
HELP = "Write the periodic progress report (xlsx and PDF) of an authority for a period."


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--authority", required=True, help="the authority's region code (110000)")
    parser.add_argument("--period", required=True, help="2025Q3, 2025-07 or 2025")
    parser.add_argument("--as", dest="as_user", default="", help="request as this user")


def run(command: Any, options: dict[str, Any]) -> None:
    from xietong.attachments.models import Attachment
    from xietong.dashboard import reports
    from xietong.jobs import services as jobs

    out = command.stdout
    if options.get("as_user"):
        user = User.objects.filter(username=options["as_user"]).first()
        if user is None:
            raise CommandError(
                _("There is no user “%(name)s”.") % {"name": options["as_user"]}, returncode=2
            )
        actor = actor_for(user)
    else:
        actor = system_actor("plan report")
    # A refusal (ServiceError) is said by the plan command, with exit code 2.
    report = reports.request_report(actor, options["authority"], options["period"], dispatch=False)
    assert report.job is not None
    job = jobs.run_now(report.job)
    if job.status != "succeeded":
        raise CommandError(f"the report's job {job.pk} ended {job.status}: {job.message_code}")
    report.refresh_from_db()
    out.write(f"report {report.pk} {report.period} fingerprint {report.fingerprint}\n")
    for att in Attachment.objects.filter(owner_id=report.pk, kind="report").filter(
        owner_type__model="periodicreport"
    ):
        out.write(f"  {att.original_name} {att.size} bytes sha256 {att.sha256}\n")


register_subcommand(Subcommand(NAME, HELP, add_arguments, run))
