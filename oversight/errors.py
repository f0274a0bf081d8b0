"""Domain errors. They never subclass HTTP exceptions; `oversight.web` maps them to responses."""
from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose. `message` is already translated."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """Someone else changed the record first, or a uniqueness rule was hit by a race."""

    status = 409


class InvalidTransition(DomainError):
    status = 409


class ValidationFailed(DomainError):
    """Input breaks a rule. `errors` maps field names (or "") to messages."""

    status = 422

    def __init__(self, message: str | dict[str, str], *, field: str | None = None):
        if isinstance(message, dict):
            self.errors = dict(message)
            message = "；".join(self.errors.values())
        else:
            self.errors = {field or "": message}
        super().__init__(message, field=field)
