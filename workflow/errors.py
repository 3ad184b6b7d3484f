"""Domain errors shared by the workflow; the service maps them to HTTP 409/422/404 and CLI exits."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """Base of every rule the workflow refuses to break."""


class InvalidField(DomainError):
    """A value is malformed or out of range (HTTP 422, naming the field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ActionNotAllowed(DomainError):
    """The action is not allowed in this state, for this role, or at this point of the clock (HTTP 409)."""

    def __init__(self, state: str, action: str, allowed: Sequence[str], reason: str) -> None:
        super().__init__(f"{action} not allowed in state {state}: {reason}")
        self.state = state
        self.action = action
        self.allowed = list(allowed)
        self.reason = reason


class Conflict(DomainError):
    """The change conflicts with what is already recorded (HTTP 409)."""

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    """No such thing, or not visible to this user (HTTP 404, never 403, so existence does not leak)."""
