"""Deciding many applications at once: the review queues' batch actions.

A batch is a list of application ids, one verb — recommend, approve or reject (退回, "return
to the applicant") — and one comment (审批意见) for all. Each row goes through the very
service a single decision uses, in its own transaction: the verb is checked against the
actor's ``actions`` (scope, state, the public notice), the row is written and audited or
refused with the service's reason, and a refused row leaves nothing behind. The batch
answers row by row, in the order given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.accounts.access import Actor
from xietong.core.errors import ServiceError
from xietong.exchanges.models import Application
from xietong.exchanges.services.applications import (
    COMMENT_MAX,
    approve_application,
    check_notice_dates,
    earliest_notice_end,
    recommend_application,
    reject_application,
)
from xietong.exchanges.services.common import invalid

BATCH_VERBS = ("recommend", "approve", "reject")
BATCH_MAX = 100  # the largest page of a review queue


@dataclass(frozen=True)
class RowResult:
    """What became of one row: done, or refused with the service's code and reason."""

    id: int
    done: bool
    status: str = ""  # the application's status after a decision
    code: str = ""  # the refusal's code (forbidden, not_found, conflict, invalid)
    message: str = ""  # the refusal's reason, in the active language


def _ids(ids: Sequence[object]) -> list[int]:
    out: list[int] = []
    for raw in ids:
        try:
            pk = int(str(raw))
        except ValueError:
            raise invalid("ids", _("“%(id)s” is not an application id.") % {"id": raw}) from None
        if pk < 1 or pk > 2**63 - 1:
            raise invalid("ids", _("“%(id)s” is not an application id.") % {"id": raw})
        if pk not in out:
            out.append(pk)
    if not out:
        raise invalid("ids", _("Select at least one application."))
    if len(out) > BATCH_MAX:
        raise invalid(
            "ids", _("At most %(n)d applications can be decided at once.") % {"n": BATCH_MAX}
        )
    return out


def decide_many(
    actor: Actor,
    verb: str,
    ids: Sequence[object],
    *,
    comment: str = "",
    notice_starts_on: dt.date | None = None,
    notice_ends_on: dt.date | None = None,
) -> list[RowResult]:
    """Do ``verb`` on each application as its own service call; one result per distinct id.

    A recommendation's public notice runs from ``notice_starts_on`` (default today) to
    ``notice_ends_on`` (default: the shortest notice allowed). A return needs a comment:
    it is the reason each applicant is sent. Bad input for the whole batch (an unknown verb,
    no ids, a return without a reason) is refused before any row is touched.
    """
    if verb not in BATCH_VERBS:
        raise invalid("verb", _("Choose recommend, approve or reject."))
    pks = _ids(ids)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise invalid("comment", _("The comment is at most %(n)d characters.") % {"n": COMMENT_MAX})
    if verb == "reject" and not comment:
        raise invalid(
            "comment", _("Give the reason for rejecting them: each applicant is sent it.")
        )
    decide: Callable[[int], Application]
    if verb == "recommend":
        starts = notice_starts_on or timezone.localdate()
        ends = notice_ends_on or earliest_notice_end(starts)
        check_notice_dates(starts, ends)  # the same for every row: refused once, up front

        def decide(pk: int) -> Application:
            return recommend_application(
                actor, pk, notice_starts_on=starts, notice_ends_on=ends, comment=comment
            )
    elif verb == "approve":

        def decide(pk: int) -> Application:
            return approve_application(actor, pk, comment=comment)
    else:

        def decide(pk: int) -> Application:
            return reject_application(actor, pk, comment)

    results: list[RowResult] = []
    for pk in pks:
        try:
            app = decide(pk)  # each service is its own transaction: all of a row or nothing
        except ServiceError as e:
            results.append(RowResult(pk, False, code=e.code, message=str(e.message)))
        else:
            results.append(RowResult(pk, True, status=app.status))
    return results
