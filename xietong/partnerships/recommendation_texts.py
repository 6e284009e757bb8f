"""Partner recommendations in words: the reasons stored as codes, rendered when read.

A proposal's ``reasons`` is plain JSON written by :mod:`xietong.partnerships.recommend`
(``{"code": "distance", "km": 32}``, ``{"code": "load", "load": 1, "cap": 3}`` …); a school
left without a partner carries one of ``no_candidate``, ``all_at_cap`` or ``taken``.
:func:`render` turns each into a sentence in the active language, so the page and the API
speak the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from xietong.institutions.choices import Kind, Stage


def _chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def _stages(codes: list[str]) -> str:
    labels = [str(Stage(c).label) if c in Stage.values else c for c in codes]
    return ("、" if _chinese() else ", ").join(labels)


def _kind(code: str) -> str:
    return str(Kind(code).label) if code in Kind.values else code


def sentence(e: Mapping[str, Any]) -> str:
    """One reason in the reader's language."""
    code = e.get("code")
    if code == "stages":
        stages = list(e.get("stages", []))
        return ngettext(
            "Shares the stage %(stages)s", "Shares the stages %(stages)s", len(stages)
        ) % {"stages": _stages(stages)}
    if code == "distance":
        km = int(e.get("km", 0))
        return ngettext("%(km)d km away", "%(km)d km away", km) % {"km": km}
    if code == "no_distance":
        return _("Distance unknown (coordinates missing)")
    if code == "load":
        load, cap = int(e.get("load", 0)), int(e.get("cap", 0))
        return ngettext(
            "Serves %(load)d partnership of %(cap)d",
            "Serves %(load)d partnerships of %(cap)d",
            load,
        ) % {"load": load, "cap": cap}
    if code == "same_kind":
        return _("Same kind of school (%(kind)s)") % {"kind": _kind(str(e.get("kind", "")))}
    if code == "compatible_kind":
        return _("A %(partner_kind)s can support a %(kind)s") % {
            "partner_kind": _kind(str(e.get("partner_kind", ""))),
            "kind": _kind(str(e.get("kind", ""))),
        }
    if code == "no_candidate":
        return _(
            "No Beijing or Tianjin school of a compatible kind with a common stage lies "
            "within %(km)d km."
        ) % {"km": int(e.get("km", 0))}
    if code == "all_at_cap":
        return _(
            "Every compatible Beijing or Tianjin school within range already serves its "
            "cap of %(cap)d partnerships."
        ) % {"cap": int(e.get("cap", 0))}
    if code == "taken":
        return _(
            "Its candidates' places went to other schools of the area under the best overall plan."
        )
    return str(code)


def render(reasons: list[Mapping[str, Any]]) -> list[str]:
    return [sentence(e) for e in reasons or []]
