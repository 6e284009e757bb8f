"""Plugs teacher training in (called once from the app's ``ready()``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def setup() -> None:
    from xietong.access import capability
    from xietong.core.sections import Section, register_section
    from xietong.training import (
        access,
        audit_texts,  # noqa: F401  (audit sentences)
        metrics,
        notices,  # noqa: F401  (notification kinds)
        pickers,  # noqa: F401  (the catalogue's provider picker)
        queues,
    )
    from xietong.training.views import staff_section
    from xietong.workbench.navigation import NavItem, register

    access.register()
    metrics.register_all()  # the plan's indicators count teachers trained and hours
    # A staff member's page shows her training record's summary to those who read it.
    register_section(
        "institutions.staff",
        Section("training_record", "training/_staff_record.html", staff_section, 40),
    )
    queues.register()
    # "My training": anyone with a staff record of their own (the teacher's side).
    capability("training.learn", person=True)
    section = _("Teacher training")
    register(
        NavItem(
            label=_("Training programs"),
            url_name="training:catalogue",
            icon="mortarboard",
            capability="training.browse",
            order=60,
            section=section,
        )
    )
    register(
        NavItem(
            label=_("My training"),
            url_name="training:mine",
            icon="person-video3",
            capability="training.learn",
            order=61,
            section=section,
        )
    )
    register(
        NavItem(
            label=_("My training record"),
            url_name="training:record",
            icon="journal-bookmark",
            capability="training.learn",
            order=62,
            section=section,
        )
    )
    register(
        NavItem(
            label=_("New training program"),
            url_name="training:new",
            icon="plus-square",
            capability="training.provide",
            order=63,
            section=section,
        )
    )
    register(
        NavItem(
            label=_("Providers' reach"),
            url_name="training:reach",
            icon="bar-chart",
            capability="training.reach",
            order=64,
            section=section,
        )
    )
