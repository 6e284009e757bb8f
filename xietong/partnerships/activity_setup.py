"""Plugs activities and the network into partnerships (called once from ``ready()``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def setup() -> None:
    from xietong.partnerships import (
        activity_access,
        activity_audit_texts,  # noqa: F401  (audit sentences)
    )
    from xietong.partnerships.activity_views import timeline_section
    from xietong.partnerships.sections import Section, register_section
    from xietong.workbench.navigation import NavItem, register

    activity_access.register()
    register_section(
        Section("activities", "partnerships/activities/_section.html", timeline_section, 40)
    )
    register(
        NavItem(
            label=_("Collaboration network"),
            url_name="partnerships:network",
            icon="share",
            capability="partnerships.list",
            order=36,
            section=_("Collaboration"),
        )
    )
    register(
        NavItem(
            label=_("Partnership activities"),
            url_name="partnerships:activities",
            icon="calendar-event",
            capability="partnerships.list",
            order=36,
            section=_("Collaboration"),
        )
    )
    register(
        NavItem(
            label=_("Gaps in the network"),
            url_name="partnerships:gaps",
            icon="exclamation-diamond",
            capability="partnerships.list",
            order=37,
            section=_("Collaboration"),
        )
    )
