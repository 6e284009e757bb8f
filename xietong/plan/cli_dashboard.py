"""``xietong plan report --authority 110000 --period 2025Q3``: a periodic report, written now.

The subcommand's arguments and its work; the management command ``plan_report`` runs it
(and the ``plan`` command's dispatcher can plug it in as its ``report`` subcommand).
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import CommandError

from xietong.access import actor_for, system_actor
from xietong.accounts.models import User
from xietong.core.errors import ServiceError

NAME = "report"
HELP = "Write the periodic progress report (xlsx and PDF) of an authority for a period."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--authority", required=True, help="the authority's region code (110000)")
    parser.add_argument("--period", required=True, help="2025Q3, 2025-07 or 2025")
    parser.add_argument("--as", dest="as_user", default="", help="request as this user")


def run(options: dict[str, Any], out: Any) -> int:
    from xietong.attachments.models import Attachment
    from xietong.dashboard import reports
    from xietong.jobs import services as jobs

    if options.get("as_user"):
        user = User.objects.filter(username=options["as_user"]).first()
        if user is None:
            raise CommandError(f"no user {options['as_user']!r}")
        actor = actor_for(user)
    else:
        actor = system_actor("plan report")
    try:
        report = reports.request_report(
            actor, options["authority"], options["period"], dispatch=False
        )
    except ServiceError as e:
        raise CommandError(str(e.message)) from None
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
    return report.pk
