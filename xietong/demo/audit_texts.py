"""The audit log's sentences for the demo data: synthetic populations loaded and removed,
demo exchanges removed (see ``accounts.audit_reading``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.audit_reading import Facts, describe, object_type

GROUP = gettext_lazy("Demo data")

object_type("demo.demoload", gettext_lazy("demo data load"))


def _count(f: Facts, path: str) -> object:
    return f.value(path, 0)


def _summed(f: Facts, what: str) -> int:
    """A load's counts are per province (``{"13": {"staff": 20000, …}, …}``): their sum."""
    counts = f.value("detail.counts", {}) or {}
    return sum(int(c.get(what, 0)) for c in counts.values() if isinstance(c, dict))


describe(
    GROUP,
    "demo.synthetic_load",
    gettext_lazy("Synthetic population loaded"),
    lambda f: (
        _(
            "%(actor)s loaded a synthetic population at scale %(scale)s: %(institutions)s "
            "institutions, %(staff)s staff"
        )
        % {
            **f,
            "scale": f.value("detail.scale", "—"),
            "institutions": _summed(f, "institutions"),
            "staff": _summed(f, "staff"),
        }
    ),
)
describe(
    GROUP,
    "demo.synthetic_delete",
    gettext_lazy("Synthetic population removed"),
    lambda f: (
        _(
            "%(actor)s removed a synthetic population: %(institutions)s institutions, "
            "%(staff)s staff"
        )
        % {
            **f,
            "institutions": _count(f, "detail.deleted.institutions"),
            "staff": _count(f, "detail.deleted.staff"),
        }
    ),
)
describe(
    GROUP,
    "demo.exchanges_delete",
    gettext_lazy("Demo exchanges removed"),
    lambda f: (
        _(
            "%(actor)s removed the demo exchanges: %(programs)s programs, "
            "%(applications)s applications"
        )
        % {
            **f,
            "programs": _count(f, "detail.programs"),
            "applications": _count(f, "detail.applications"),
        }
    ),
)
describe(
    GROUP,
    "demo.network_delete",
    gettext_lazy("Demo partnerships removed"),
    lambda f: (
        _("%(actor)s removed the synthetic demo partnerships: %(partnerships)s partnerships")
        % {**f, "partnerships": _count(f, "detail.partnerships")}
    ),
)
describe(
    GROUP,
    "demo.recommendations_delete",
    gettext_lazy("Demo partner recommendations removed"),
    lambda f: (
        _(
            "%(actor)s removed the partner recommendations of a replaced synthetic population: "
            "%(recommendations)s recommendations, %(partnerships)s draft partnerships"
        )
        % {
            **f,
            "recommendations": _count(f, "detail.recommendations"),
            "partnerships": _count(f, "detail.partnerships"),
        }
    ),
)
describe(
    GROUP,
    "demo.resource_uses_delete",
    gettext_lazy("Demo uses of shared resources removed"),
    lambda f: (
        _(
            "%(actor)s removed the demo uses of shared resources that named a replaced "
            "synthetic population: %(uses)s uses of %(resources)s resources, %(accounts)s "
            "teacher accounts"
        )
        % {
            **f,
            "uses": _count(f, "detail.uses"),
            "resources": _count(f, "detail.resources"),
            "accounts": _count(f, "detail.accounts"),
        }
    ),
)
describe(
    GROUP,
    "demo.training_delete",
    gettext_lazy("Demo training programs removed"),
    lambda f: (
        _(
            "%(actor)s removed the demo training programs that enrolled a replaced synthetic "
            "population: %(programs)s programs, %(enrollments)s enrollments, %(certificates)s "
            "certificates"
        )
        % {
            **f,
            "programs": _count(f, "detail.programs"),
            "enrollments": _count(f, "detail.enrollments"),
            "certificates": _count(f, "detail.certificates"),
        }
    ),
)
