"""States, actions and guards of a disclosure request (who may do what, when), and the fold of its events.

The package, one job per module (``from workflow.machine import ...`` keeps working for all names):

- ``states``     — ``Status``, ``Role``, ``Actor``, labels, open/final states, role groups.
- ``case``       — ``Case`` and its fact records, ``apply``/``fold`` (one function per event kind).
- ``parameters`` — ``Ctx`` (what an action is given) and the parameter readers (``parse_date``,
  ``fact_date``, ``text``, ``integer``, ``boolean``, ``choice``); failures are ``InvalidField`` with a code.
- ``guards``     — one function per rule of the case and the clock, returning ``Refused`` or None.
- ``actions``    — one handler per action, a module per stage: parameters in, (events, assessment events,
  letters) out.
- ``table``      — ``ACTIONS``: one ``ActionSpec`` row per action carrying its states, roles, letter,
  guard, when the guard runs (``guard_on``) and handler; ``check_table`` and ``mermaid``.
- ``engine``     — ``perform``, ``allowed_actions``, ``check_letters``, ``Outcome``.

``perform`` turns one action with its JSON-ish parameters into domain events, assessment events and
letter orders, or refuses it with ``ActionNotAllowed`` (state, role, clock: HTTP 409) or
``InvalidField`` (HTTP 422); every refusal carries a code worded in ``workflow/error_catalogue.toml``.
"""

from __future__ import annotations

from workflow.machine.case import (
    Case,
    Consultation,
    Correction,
    Deadline,
    Extension,
    FeeNotice,
    Reply,
    Review,
    apply,
    fold,
)
from workflow.machine.engine import CheckLetter, Outcome, allowed_actions, check_letters, no_check, perform
from workflow.machine.parameters import Ctx, parse_date
from workflow.machine.states import (
    FINAL_STATUSES,
    INITIAL_STATUS,
    OPEN_STATUSES,
    ROLE_LABELS,
    STATUS_LABELS,
    Actor,
    Role,
    Status,
)
from workflow.machine.table import ACTIONS, ANNOTATIONS, ActionSpec, check_table, mermaid

__all__ = [
    "ACTIONS", "ANNOTATIONS", "FINAL_STATUSES", "INITIAL_STATUS", "OPEN_STATUSES", "ROLE_LABELS", "STATUS_LABELS",
    "ActionSpec", "Actor", "Case", "CheckLetter", "Consultation", "Correction", "Ctx", "Deadline", "Extension",
    "FeeNotice", "Outcome", "Reply", "Review", "Role", "Status", "allowed_actions", "apply", "check_letters",
    "check_table", "fold", "mermaid", "no_check", "parse_date", "perform",
]
