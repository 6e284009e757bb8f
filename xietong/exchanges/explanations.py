"""Matching explanations: reason codes stored with each result, rendered when read.

A run stores, per applicant, what :func:`explain_all` returns — plain JSON such as
``{"code": "stable", "steps": [{"code": "full", "choice": 1, "host": "北京四中",
"stage": "senior", "subject": "数学", "capacity": 2, "cutoff": 4, "rank": 7}, …]}`` —
and :func:`render` turns it into sentences through gettext in the active language, so the
run page, the application page and the API speak the reader's language.

Result codes: ``no_choices`` (the applicant ranked no offer), ``no_fitting_slot`` (none of
its offers has a free slot for its stage and subject), ``stable`` (one step per slot it
ranked up to its result; step codes as in :mod:`xietong.matching.reasons`, with ``choice``
the rank of the offer in the application), ``min_cost_matched`` (``choice`` and the slot),
``min_cost_unmatched``, and ``legacy`` (sentences written before codes existed: ``zh``,
``en``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from xietong import matching
from xietong.core.codes import SUBJECTS
from xietong.exchanges.choices import RunMode
from xietong.institutions.choices import Stage

if TYPE_CHECKING:
    from xietong.exchanges.services.runs import Instance

Explanation = dict[str, Any]


# --- building (when a run is executed) ------------------------------------------------------------


def explain_all(inst: Instance, assignment: list[int], mode: str) -> list[Explanation]:
    """The explanation of every applicant of a run, in one pass: O(A + E) (plus a sort)."""
    slots = [
        {"host": s.offer.host.name, "stage": s.stage, "subject": s.subject} for s in inst.slots
    ]
    stable = mode == RunMode.STABLE
    steps = (
        matching.reasons(inst.prefs, inst.host_prefs, inst.capacities, assignment) if stable else []
    )
    out: list[Explanation] = []
    for a in range(len(inst.apps)):
        prefs, h = inst.prefs[a], assignment[a]
        if not prefs:
            out.append({"code": "no_fitting_slot" if inst.ranked[a] else "no_choices"})
        elif stable:
            out.append(
                {
                    "code": "stable",
                    "steps": [_step(s, inst.pref_ranks[a], slots) for s in steps[a]],
                }
            )
        elif h < 0:
            out.append({"code": "min_cost_unmatched"})
        else:
            choice = inst.pref_ranks[a][prefs.index(h)]
            out.append({"code": "min_cost_matched", "choice": choice, **slots[h]})
    return out


def _step(step: dict[str, Any], ranks: list[int], slots: list[dict[str, str]]) -> Explanation:
    """A matching step with the application's choice rank and the slot's names (in place)."""
    step["choice"] = ranks[step.pop("position") - 1]
    step.update(slots[step.pop("host")])
    return step


# --- rendering (when it is read) ----------------------------------------------------------------


def _chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def _slot(e: Mapping[str, Any]) -> str:
    stage = str(Stage(e["stage"]).label) if e.get("stage") in Stage.values else e.get("stage", "")
    return _("%(host)s (%(stage)s, %(subject)s)") % {
        "host": e["host"],
        "stage": stage,
        "subject": SUBJECTS.label(e.get("subject", "")),
    }


def _choice(e: Mapping[str, Any]) -> str:
    return _("Your choice no. %(choice)d, %(slot)s") % {"choice": e["choice"], "slot": _slot(e)}


def _sentence(e: Mapping[str, Any]) -> str:
    code = e.get("code")
    if code == "admitted":
        return _("%(choice)s: admitted.") % {"choice": _choice(e)}
    if code == "not_listed":
        return _("%(choice)s: the host did not list you as acceptable.") % {"choice": _choice(e)}
    if code == "no_places":
        return _("%(choice)s: no places.") % {"choice": _choice(e)}
    if code == "full":
        return ngettext(
            "%(choice)s: %(capacity)d place, taken by an applicant the host ranks higher "
            "(the last one admitted is ranked no. %(cutoff)d; you are ranked no. %(rank)d).",
            "%(choice)s: %(capacity)d places, all taken by applicants the host ranks higher "
            "(the last one admitted is ranked no. %(cutoff)d; you are ranked no. %(rank)d).",
            int(e["capacity"]),
        ) % {**e, "choice": _choice(e)}
    if code == "free_places":
        return ngettext(
            "%(choice)s: %(free)d place is still free, so you should have been admitted "
            "(this assignment is not stable).",
            "%(choice)s: %(free)d places are still free, so you should have been admitted "
            "(this assignment is not stable).",
            int(e["free"]),
        ) % {**e, "choice": _choice(e)}
    if code == "holds_lower":
        return ngettext(
            "%(choice)s: the host admitted %(lower)d applicant it ranks below you, so you "
            "should have been admitted (this assignment is not stable).",
            "%(choice)s: the host admitted %(lower)d applicants it ranks below you, so you "
            "should have been admitted (this assignment is not stable).",
            int(e["lower"]),
        ) % {**e, "choice": _choice(e)}
    raise KeyError(code)


def _render(e: Mapping[str, Any]) -> str:
    code = e.get("code")
    if code == "no_choices":
        return _("You ranked no offer, so you were not matched.")
    if code == "no_fitting_slot":
        return _(
            "None of the offers you ranked has a free slot for your stage and subject, "
            "so you were not matched."
        )
    if code == "min_cost_unmatched":
        return _(
            "Under the minimum total cost plan the places you ranked went to other "
            "applicants; you were not matched."
        )
    if code == "min_cost_matched":
        return _("%(choice)s: assigned under the minimum total cost plan.") % {"choice": _choice(e)}
    if code == "stable":
        return ("" if _chinese() else " ").join(_sentence(s) for s in e["steps"])
    if code == "legacy":
        return str(e.get("zh" if _chinese() else "en") or "")
    raise KeyError(code)


def render(explanation: Mapping[str, Any] | None) -> str:
    """The explanation in the active language; a neutral sentence for one it cannot read."""
    if not explanation:
        return ""
    try:
        return _render(explanation)
    except (KeyError, TypeError, ValueError):
        return _("No explanation is available for this result.")
