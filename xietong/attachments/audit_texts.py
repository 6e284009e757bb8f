"""The audit log's sentences for attachments: files attached, removed and downloaded
(see ``accounts.audit_reading``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.audit_reading import by_pk, describe, object_type
from xietong.attachments.models import Attachment

GROUP = gettext_lazy("Attachments")


def _attachments(keys: list[str]) -> dict[str, dict[str, str]]:
    return by_pk(
        Attachment.objects.only("original_name"), lambda a: {"name": a.original_name}, keys
    )


object_type("attachments.attachment", gettext_lazy("attachment"), _attachments)

describe(
    GROUP,
    "attachment.create",
    gettext_lazy("File attached"),
    lambda f: _("%(actor)s attached the file “%(object)s”") % f,
)
describe(
    GROUP,
    "attachment.remove",
    gettext_lazy("File removed"),
    lambda f: _("%(actor)s removed the file “%(object)s”") % f,
)
describe(
    GROUP,
    "attachment.download",
    gettext_lazy("File downloaded"),
    lambda f: _("%(actor)s downloaded the file “%(object)s”") % f,
)
