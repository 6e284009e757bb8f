"""The audit log's sentences for agreements and their versions (imported by
``partnerships.audit_texts``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.audit_reading import Events, by_pk, describe_all, object_type
from xietong.partnerships.audit_texts import GROUP
from xietong.partnerships.models import Agreement, AgreementVersion


def _agreements(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = Agreement.objects.select_related("partnership").only("title", "partnership__name")
    return by_pk(
        qs, lambda a: {"name": f"{a.title} · {a.partnership.name}", "title": a.title}, keys
    )


def _versions(keys: list[str]) -> dict[str, dict[str, str]]:
    qs = AgreementVersion.objects.select_related("agreement").only(
        "number", "title", "agreement__title"
    )
    return by_pk(qs, lambda v: {"name": f"{v.agreement.title} v{v.number}", "title": v.title}, keys)


object_type("partnerships.agreement", gettext_lazy("agreement"), _agreements)
object_type("partnerships.agreementversion", gettext_lazy("agreement version"), _versions)

EVENTS: Events = [
    (
        "partnerships.agreement.create",
        gettext_lazy("Agreement started"),
        lambda f: _("%(actor)s started the agreement %(object)s") % f,
        {},
    ),
    (
        "partnerships.agreementversion.create",
        gettext_lazy("Agreement version written"),
        lambda f: (
            _("%(actor)s wrote %(object)s (fingerprint %(fp)s)")
            % {**f, "fp": str(f.value("after.fingerprint", "—"))[:12]}
        ),
        {},
    ),
    (
        "partnerships.agreementversion.approve",
        gettext_lazy("Agreement version approved by a party"),
        lambda f: (
            _("%(actor)s approved %(object)s for %(count)s party(ies)")
            % {**f, "count": len(f.value("detail.members", []) or [])}
        ),
        {},
    ),
    (
        "partnerships.agreementversion.approved",
        gettext_lazy("Agreement version approved by every party"),
        lambda f: _("%(object)s was approved by every party (last approval by %(actor)s)") % f,
        {},
    ),
    (
        "partnerships.agreementversion.superseded",
        gettext_lazy("Agreement version superseded"),
        lambda f: _("%(object)s was superseded by a newer version") % f,
        {},
    ),
]

describe_all(GROUP, EVENTS)
