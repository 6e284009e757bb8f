"""Agreements of a partnership and their versions (decision 0013).

Each version is immutable once written and fingerprinted (:mod:`.fingerprint`); every party
(member) approves it through an administrator of that member (:mod:`.services`); any two
versions compare side by side (:mod:`.compare`). :func:`setup` is called once from
``PartnershipsConfig.ready()``.
"""


def setup() -> None:
    """Declare the rules, notifications, attachment owner, page section and audit texts."""
    from xietong.partnerships.agreements import (  # noqa: F401
        access,
        attachments,
        audit_texts,
        notices,
        sections,
    )

    attachments.register()
    sections.register()
