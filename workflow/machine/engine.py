"""Performing an action: the row's role, state and guard checks, its handler, the letter check, and the
stamping of each event with who did it and the due date it left behind. Nothing is applied here: the
caller stores the returned outcome or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from workflow import clock as clk
from workflow.errors import ActionNotAllowed, Conflict, InvalidField, Refused
from workflow.events import REPLY_DEFECT, AssessmentEvent, DomainEvent, LetterOrder
from workflow.machine.actions import assessment_event
from workflow.machine.case import Case, apply
from workflow.machine.parameters import Ctx, boolean, fact_date, iso
from workflow.machine.states import ROLE_LABELS, Actor, Role, Status
from workflow.machine.table import ACTIONS
from workflow.policy import Policy


@dataclass(frozen=True)
class Outcome:
    """What an action produces: events to append, assessment events to forward, letters to number.

    ``case`` is the case after the events (a convenience; the events are the record).
    """

    events: list[DomainEvent]
    assessment: list[AssessmentEvent] = field(default_factory=list)
    letters: list[LetterOrder] = field(default_factory=list)
    case: Case | None = None


CheckLetter = Callable[[LetterOrder], Sequence[str]]


def no_check(order: LetterOrder) -> Sequence[str]:
    """The default letter check: nothing missing (the service passes the real one)."""
    return ()

def _allowed(ctx: Ctx, on: date) -> list[str]:
    return [name for name, spec in ACTIONS.items()
            if ctx.actor.role in spec.roles and ctx.case.status in spec.sources and spec.guard(ctx, on) is None]

def allowed_actions(case: Case, actor: Actor, *, today: date, calendar: Any, policy: Policy) -> list[str]:
    """The actions ``actor`` may perform on ``case`` today (state, role and clock permitting)."""
    return _allowed(Ctx(case, {}, actor, today, calendar, policy), today)

def refusal(ctx: Ctx, action: str, refused: Refused) -> ActionNotAllowed:
    """A guard's or handler's refusal as the 409 error: with the state and what is allowed instead."""
    return ActionNotAllowed(str(ctx.case.status), action, _allowed(ctx, ctx.today), refused.reason,
                            code=refused.code, **refused.params)

def check_letters(orders: Sequence[LetterOrder], *, check_letter: CheckLetter, force: bool,
                  actor: Actor) -> list[tuple[LetterOrder, list[str]]]:
    """Run the element check on every letter; return (order, missing) for the ones forced through.

    Raises ``Conflict`` (missing elements, no ``force``) or ``Refused`` (a non-approver forcing).
    """
    forced: list[tuple[LetterOrder, list[str]]] = []
    for order in orders:
        missing = [str(m) for m in check_letter(order)]
        if not missing:
            continue
        if not force:
            raise Conflict("letter is missing required elements", code="letter.missing_elements",
                           missing=missing, letter=order.kind)
        if actor.role != Role.APPROVER:
            raise Refused("letter.force_needs_approver", "only an approver may force a letter with missing elements")
        forced.append((order, missing))
    return forced

def perform(case: Case, action: str, params: Mapping[str, Any], *, actor: Actor, today: date, calendar: Any,
            policy: Policy, check_letter: CheckLetter = no_check) -> Outcome:
    """Perform one action on a case; return its events, assessment events and letter orders.

    Raises ``InvalidField`` for a bad parameter (422), ``ActionNotAllowed`` when the state, the role
    or the clock does not allow the action (409), ``Conflict`` when a letter lacks required elements
    and ``force`` is not given (409). Nothing is returned half-done.
    """
    spec = ACTIONS.get(action)
    if spec is None:
        raise InvalidField("action", f"unknown action {action!r}; one of {', '.join(ACTIONS)}",
                           code="action.unknown", value=repr(action))
    ctx = Ctx(case, params, actor, today, calendar, policy)
    if actor.role not in spec.roles:
        roles = ", ".join(str(r) for r in sorted(spec.roles))
        raise refusal(ctx, action, Refused("action.role_not_allowed",
                                           f"role {actor.role} may not {action} (allowed to: {roles})",
                                           role=str(actor.role), roles=roles,
                                           role_cn=ROLE_LABELS.get(actor.role, str(actor.role))))
    if case.status not in spec.sources:
        states = ", ".join(str(s) for s in sorted(spec.sources, key=list(Status).index))
        raise refusal(ctx, action, Refused("action.wrong_state",
                                           f"{action} is not possible in state {case.status} (only in: {states})",
                                           states=states))
    # The guard runs on today, or on the action's own date (read, and checked as a fact date, first).
    on = today if spec.guard_on is None else fact_date(ctx, spec.guard_on)
    refused = spec.guard(ctx, on)
    if refused is not None:
        raise refusal(ctx, action, refused)
    force = boolean(params, "force")
    try:
        events, assessment, letters = spec.handler(ctx)
        forced = check_letters(letters, check_letter=check_letter, force=force, actor=actor)
    except Refused as refused_now:
        raise refusal(ctx, action, refused_now) from None
    for order, missing in forced:
        subject = "reply" if order.kind == "reply" else f"letter:{order.kind}:{case.version + 1}"
        assessment.append(assessment_event(ctx, REPLY_DEFECT, order.issued_on, subject,
                                           f"{order.kind} 缺少必备要素：{'、'.join(missing)}",
                                           letter_kind=order.kind, missing=missing, forced_by=actor.user_id))
        if order.kind == "reply":
            events = [replace(e, data={**e.data, "forced": True, "missing": missing}) if e.kind == "replied"
                      else e for e in events]
    # Record, with each event, the who and the due date it left behind (history of the due date).
    stamped: list[DomainEvent] = []
    current = case
    for event in events:
        event = replace(event, data={**event.data, "by": actor.user_id, "role": str(actor.role)})
        probe = apply(current, event)
        due = clk.due_on(probe, as_of=event.on, calendar=calendar, policy=policy)
        event = replace(event, data={**event.data, "due_on": iso(due)})
        current = apply(current, event)
        stamped.append(event)
    return Outcome(events=stamped, assessment=assessment, letters=letters, case=current)
