"""The signed PDF or scan of an agreement version, an attachment of that version.

Read: whoever reads the partnership. Manage: the partnership's managers and the parties'
admins (those who write its agreements).
"""

from __future__ import annotations

from django.db.models import QuerySet

from xietong import access
from xietong.accounts.access import Actor
from xietong.attachments.registry import register_owner
from xietong.partnerships.agreements.access import WRITERS
from xietong.partnerships.models import AgreementVersion

KIND = "signed"


def readable_versions(actor: Actor) -> QuerySet[AgreementVersion]:
    return AgreementVersion.objects.filter(access.read_q(actor, AgreementVersion))


def manageable_version(actor: Actor, version: AgreementVersion) -> bool:
    return AgreementVersion.objects.filter(
        access.relation_q(actor, AgreementVersion, WRITERS), pk=version.pk
    ).exists()


def register() -> None:
    register_owner(AgreementVersion, readable=readable_versions, manageable=manageable_version)
