"""Pages of exchanges, one module per concern (mirroring ``services``).

Thin: parse with a form, call a selector or a service, render. Every scope rule lives in
``selectors`` and ``services``; a refusal from them becomes an inline field error, a
message, a 403 or a 404 (``xietong.core.views.refusals``).
"""

from xietong.exchanges.views.applications import (
    application_approve,
    application_complete,
    application_confirm,
    application_detail,
    application_edit,
    application_recommend,
    application_reject,
    application_submit,
    application_withdraw,
    apply,
    my_applications,
    review,
    review_batch,
    review_export,
)
from xietong.exchanges.views.coverage import (
    coverage,
    coverage_export,
)
from xietong.exchanges.views.notifications import (
    notifications,
    notifications_badge,
    notifications_read,
)
from xietong.exchanges.views.placements import (
    duty_add,
    duty_done,
    placement_complete,
    placement_detail,
    placement_evaluate,
    placement_export,
    placement_list,
    placement_log,
    placement_report,
    placement_start,
)
from xietong.exchanges.views.programs import (
    offer_create,
    offer_delete,
    offer_edit,
    program_create,
    program_detail,
    program_edit,
    program_export,
    program_list,
    program_repeat,
    program_status,
)
from xietong.exchanges.views.runs import (
    matching,
    program_runs,
    run_detail,
    run_publish,
)

__all__ = [
    "application_approve",
    "application_complete",
    "application_confirm",
    "application_detail",
    "application_edit",
    "application_recommend",
    "application_reject",
    "application_submit",
    "application_withdraw",
    "apply",
    "coverage",
    "coverage_export",
    "duty_add",
    "duty_done",
    "matching",
    "my_applications",
    "notifications",
    "notifications_badge",
    "notifications_read",
    "offer_create",
    "offer_delete",
    "offer_edit",
    "placement_complete",
    "placement_detail",
    "placement_evaluate",
    "placement_export",
    "placement_list",
    "placement_log",
    "placement_report",
    "placement_start",
    "program_create",
    "program_detail",
    "program_edit",
    "program_export",
    "program_list",
    "program_repeat",
    "program_runs",
    "program_status",
    "review",
    "review_batch",
    "review_export",
    "run_detail",
    "run_publish",
]
