"""Plugs shared resources in (called once from the app's ``ready()``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def setup() -> None:
    from xietong.resources import (
        access,
        audit_texts,  # noqa: F401  (audit sentences)
        flows,  # noqa: F401  (the resources.flows capability)
        metrics,
        notices,  # noqa: F401  (notification kinds)
    )
    from xietong.workbench.navigation import NavItem, register

    access.register()
    metrics.register_all()  # the plan's indicators count uses of shared resources
    register(
        NavItem(
            label=pgettext_lazy("resource flows", "Flows of use"),
            url_name="resource_flows:flows",
            icon="bezier2",
            capability="resources.flows",
            order=38,
            section=_("Collaboration"),
        )
    )
    register(
        NavItem(
            label=pgettext_lazy("resource flows", "Provider dashboard"),
            url_name="resource_flows:my_provider",
            icon="speedometer2",
            capability="resources.provide",
            order=39,
            section=_("Collaboration"),
        )
    )
