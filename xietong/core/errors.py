"""Errors raised by services and selectors.

Every entry point (view, API, importer, CLI) turns these into a specific message in the
user's language; none of them is ever a server error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """A refusal with a machine-readable ``code`` and a translatable ``message``."""

    code = "error"
    status = 400

    def __init__(
        self, message: object = None, *, fields: Mapping[str, Sequence[object]] | None = None
    ):
        self.message = message if message is not None else self.default_message()
        self.fields = {k: [str(m) for m in v] for k, v in (fields or {}).items()}
        super().__init__(str(self.message))

    def default_message(self) -> object:
        return _("The request could not be processed.")

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"code": self.code, "message": str(self.message)}
        if self.fields:
            data["fields"] = self.fields
        return data


class InvalidInput(ServiceError):
    code = "invalid"
    status = 422

    def default_message(self) -> object:
        return _("Some fields are not valid.")

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> InvalidInput:
        if hasattr(error, "error_dict"):
            fields = {k: [m for e in v for m in e.messages] for k, v in error.error_dict.items()}
            general = fields.pop("__all__", [])
            return cls(general[0] if general else None, fields=fields)
        return cls(error.messages[0] if error.messages else None)


class PermissionDenied(ServiceError):
    code = "forbidden"
    status = 403

    def default_message(self) -> object:
        return _("You do not have permission to do this.")


class NotFound(ServiceError):
    code = "not_found"
    status = 404

    def default_message(self) -> object:
        return _("The requested record does not exist or is not visible to you.")


class Conflict(ServiceError):
    code = "conflict"
    status = 409

    def default_message(self) -> object:
        return _("The record was changed or already exists.")


def field_error(field: str, message: object) -> InvalidInput:
    """A refusal of one field's value, with the message under that field."""
    return InvalidInput(message, fields={field: [message]})
