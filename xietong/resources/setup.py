"""Plugs shared resources in (called once from the app's ``ready()``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def setup() -> None:
    from xietong.resources import (
        access,
        audit_texts,  # noqa: F401  (audit sentences)
        exports,  # noqa: F401  (the catalogue export)
        flows,  # noqa: F401  (the resources.flows capability)
        metrics,
        notices,  # noqa: F401  (notification kinds)
        pickers,  # noqa: F401  (providers, authors, audience)
        queues,
        selectors,
    )
    from xietong.workbench.navigation import NavItem, register

    access.register()
    metrics.register_all()  # the plan's indicators count uses of shared resources
    queues.register()
    section = _("Shared resources")
    register(
        NavItem(
            label=pgettext_lazy("navigation", "Shared resources"),
            url_name="resources:list",
            icon="collection-play",
            capability="resources.browse",
            order=60,
            section=section,
        )
    )
    register(
        NavItem(
            label=_("Our resources"),
            url_name="resources:mine",
            icon="box-seam",
            capability="resources.provide",
            order=61,
            section=section,
        )
    )
    register(
        NavItem(
            label=_("Review resources"),
            url_name="resources:reviews",
            icon="clipboard-check",
            order=62,
            section=section,
            shown=selectors.is_reviewer,
        )
    )
    register(
        NavItem(
            label=_("Reviewers"),
            url_name="resources:reviewers",
            icon="person-badge",
            capability="resources.appoint",
            order=63,
            section=section,
        )
    )
    register(
        NavItem(
            label=pgettext_lazy("resource flows", "Flows of use"),
            url_name="resource_flows:flows",
            icon="bezier2",
            capability="resources.flows",
            order=64,
            section=section,
        )
    )
    register(
        NavItem(
            label=pgettext_lazy("resource flows", "Provider dashboard"),
            url_name="resource_flows:my_provider",
            icon="speedometer2",
            capability="resources.provide",
            order=65,
            section=section,
        )
    )
