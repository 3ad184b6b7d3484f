"""Domain errors shared by the workflow; the service maps them to HTTP 409/422/404 and CLI exits.

Every error carries a ``code`` (a stable name such as ``date.in_future``) and ``params`` (the values
its wording needs). The English ``message`` is what the API has always returned; the Chinese wording
of each code is data, in ``workflow/error_catalogue.toml``, read by :func:`wording`.
``tests/test_error_catalogue.py`` fails when a code raised in ``workflow/`` has no wording.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

CATALOGUE_PATH = Path(__file__).with_name("error_catalogue.toml")


class DomainError(Exception):
    """Base of every rule the workflow refuses to break."""

    code: str = "general.error"
    params: Mapping[str, Any] = {}


class InvalidField(DomainError):
    """A value is malformed or out of range (HTTP 422, naming the field)."""

    def __init__(self, field: str, message: str, *, code: str = "field.invalid", **params: Any) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.code = code
        self.params = {"field": field, "message": message, **params}


class ActionNotAllowed(DomainError):
    """The action is not allowed in this state, for this role, or at this point of the clock (HTTP 409)."""

    def __init__(self, state: str, action: str, allowed: Sequence[str], reason: str, *,
                 code: str = "action.not_allowed", **params: Any) -> None:
        super().__init__(f"{action} not allowed in state {state}: {reason}")
        self.state = state
        self.action = action
        self.allowed = list(allowed)
        self.reason = reason
        self.code = code
        self.params = {"state": state, "action": action, "reason": reason, **params}


class Refused(DomainError):
    """A guard's or handler's refusal before the state and the allowed actions are known.

    ``workflow.machine.perform`` turns it into :class:`ActionNotAllowed` (same code and params), adding
    the state and what the actor may do instead.
    """

    def __init__(self, code: str, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.params = params


class Conflict(DomainError):
    """The change conflicts with what is already recorded (HTTP 409)."""

    def __init__(self, message: str, *, code: str = "conflict.recorded", **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details
        self.params = dict(details)


class NotFound(DomainError):
    """No such thing, or not visible to this user (HTTP 404, never 403, so existence does not leak)."""

    code = "lookup.not_found"


@cache
def catalogue() -> Mapping[str, str]:
    """Code → Chinese wording (a ``str.format`` template over the error's params)."""
    with CATALOGUE_PATH.open("rb") as fh:
        data = tomllib.load(fh)
    flat: dict[str, str] = {}
    for section, entries in data.items():
        for key, text in entries.items():
            flat[f"{section}.{key}"] = str(text)
    return flat


class _Lenient(dict):  # type: ignore[type-arg]
    """Format mapping that leaves an unknown placeholder visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def wording(code: str, params: Mapping[str, Any] | None = None, *, labels: Mapping[str, str] | None = None) -> str | None:
    """The Chinese wording of ``code`` filled with ``params``, or None when the catalogue lacks it.

    ``labels`` maps raw values (action names, states, roles) to Chinese; each param is looked up there
    first, and a ``{name_cn}`` placeholder takes the label of ``{name}``.
    """
    template = catalogue().get(code)
    if template is None:
        return None
    values: dict[str, Any] = {}
    for key, value in (params or {}).items():
        values[key] = value
        if labels is not None and isinstance(value, str):
            values[f"{key}_cn"] = labels.get(value, value)
    return template.format_map(_Lenient(values))
