"""Every write of the exchanges capability, one module per concern."""

from xietong.exchanges.services.applications import (
    approve_application,
    assign_place,
    confirm_application,
    create_application,
    eligibility_problems,
    recommend_application,
    reject_application,
    submit_application,
    take_place,
    update_choices,
    withdraw_application,
)
from xietong.exchanges.services.notifications import mark_read
from xietong.exchanges.services.placements import (
    add_log,
    add_return_duty,
    complete_application,
    complete_placement,
    complete_return_duty,
    evaluate_placement,
    start_placement,
    submit_report,
)
from xietong.exchanges.services.programs import (
    create_offer,
    create_program,
    delete_offer,
    repeat_program,
    set_program_status,
    update_offer,
    update_program,
)
from xietong.exchanges.services.runs import (
    execute_matching_run,
    publish_run,
    start_matching_run,
)

__all__ = [
    "add_log",
    "add_return_duty",
    "approve_application",
    "assign_place",
    "complete_application",
    "complete_placement",
    "complete_return_duty",
    "confirm_application",
    "create_application",
    "create_offer",
    "create_program",
    "delete_offer",
    "eligibility_problems",
    "evaluate_placement",
    "execute_matching_run",
    "mark_read",
    "publish_run",
    "recommend_application",
    "reject_application",
    "repeat_program",
    "set_program_status",
    "start_matching_run",
    "start_placement",
    "submit_application",
    "submit_report",
    "take_place",
    "update_choices",
    "update_offer",
    "update_program",
    "withdraw_application",
]
