"""The action table: one row per action, carrying everything about it.

A row names the action, its Chinese label, the states it starts from and the state it leads to (None:
a self-loop that records a fact), the roles allowed, the letter it produces, its guard (why the case or
the clock refuses it now), when that guard runs (``guard_on``: None = on the agency's today, before
the handler; a parameter name = on the date the action is dated with, read from that parameter) and
its handler. Adding an action is one row here plus its wording in ``workflow/error_catalogue.toml``
(for any new refusal code) and its parameters in ``service/requests/schemas.py``.

The table is checked when the module loads (one initial state, nothing unreachable, no way out of a
final state).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from workflow.errors import Refused
from workflow.events import AssessmentEvent, DomainEvent, LetterOrder
from workflow.machine import actions as act
from workflow.machine import guards
from workflow.machine.parameters import Ctx
from workflow.machine.states import (
    APPROVER_ONLY,
    CLERK_UP,
    FINAL_STATUSES,
    HANDLER_UP,
    INITIAL_STATUS,
    OPEN_STATUSES,
    Role,
    Status,
)

Handler = Callable[[Ctx], tuple[list[DomainEvent], list[AssessmentEvent], list[LetterOrder]]]
Guard = Callable[[Ctx, date], Refused | None]


def _no_guard(ctx: Ctx, on: date) -> Refused | None:
    return None


def _unset(ctx: Ctx) -> tuple[list[DomainEvent], list[AssessmentEvent], list[LetterOrder]]:
    raise NotImplementedError("an action row without a handler")


@dataclass(frozen=True)
class ActionSpec:
    """One row of the transition table.

    ``target`` None means the action records a fact without changing the state (a self-loop).
    """

    name: str
    label: str
    sources: frozenset[Status]
    target: Status | None
    roles: frozenset[Role]
    letter: str | None = None
    handler: Handler = _unset
    guard: Guard = _no_guard
    # None: the guard runs on today before the handler; a name: on the date in that parameter.
    guard_on: str | None = None


_S = Status
_ROWS = (
    ActionSpec("accept", "受理", frozenset({_S.REGISTERED}), _S.REVIEWING, CLERK_UP, handler=act.do_accept),
    ActionSpec("request_correction", "告知补正", frozenset({_S.REGISTERED, _S.REVIEWING}), _S.AWAITING_CORRECTION,
               HANDLER_UP, "correction_notice", act.do_request_correction, guards.correction_once),
    ActionSpec("receive_correction", "收到补正", frozenset({_S.AWAITING_CORRECTION}), _S.REVIEWING, CLERK_UP,
               handler=act.do_receive_correction),
    ActionSpec("lapse", "视为放弃申请", frozenset({_S.AWAITING_CORRECTION, _S.AWAITING_FEE}), _S.LAPSED, HANDLER_UP,
               handler=act.do_lapse, guard=guards.lapse_after_window, guard_on="on"),
    ActionSpec("start_consultation", "征求意见", frozenset({_S.REVIEWING}), _S.CONSULTING, HANDLER_UP,
               "consultation", act.do_start_consultation),
    ActionSpec("end_consultation", "收到意见/期满", frozenset({_S.CONSULTING}), _S.REVIEWING, CLERK_UP,
               "third_party_opinion", act.do_end_consultation),
    ActionSpec("issue_fee_notice", "发出收费通知", frozenset({_S.REVIEWING}), _S.AWAITING_FEE, HANDLER_UP,
               "fee_notice", act.do_issue_fee_notice, guards.fee_once),
    ActionSpec("waive_fee", "减免信息处理费", frozenset({_S.REVIEWING}), None, HANDLER_UP,
               handler=act.do_waive_fee, guard=guards.fee_once),
    ActionSpec("receive_payment", "收到缴费", frozenset({_S.AWAITING_FEE}), _S.REVIEWING, CLERK_UP,
               handler=act.do_receive_payment),
    ActionSpec("extend", "延期答复", frozenset({_S.REVIEWING, _S.CONSULTING, _S.AWAITING_FEE}), None, APPROVER_ONLY,
               "extension_notice", act.do_extend, guards.extension_in_time, "notified_on"),
    ActionSpec("request_reasons", "要求说明理由", frozenset({_S.REVIEWING}), None, HANDLER_UP, "reasons_request",
               act.do_request_reasons),
    ActionSpec("set_deadline", "确定合理答复期限", frozenset({_S.REVIEWING}), None, APPROVER_ONLY,
               "extension_notice", act.do_set_deadline, guards.deadline_in_time, "notified_on"),
    ActionSpec("reply", "答复", frozenset({_S.REGISTERED, _S.REVIEWING}), _S.REPLIED, APPROVER_ONLY, "reply",
               act.do_reply, guards.reply_states_only_what_happened),
    ActionSpec("archive", "归档", frozenset({_S.REPLIED}), _S.ARCHIVED, HANDLER_UP, handler=act.do_archive),
    ActionSpec("withdraw", "申请人撤回", OPEN_STATUSES, _S.WITHDRAWN, CLERK_UP, handler=act.do_withdraw),
    ActionSpec("record_review", "登记复议/诉讼", frozenset({_S.REPLIED, _S.ARCHIVED}), None, HANDLER_UP,
               handler=act.do_record_review),
    ActionSpec("decide_review", "登记复议/诉讼结果", frozenset({_S.REPLIED, _S.ARCHIVED}), None, HANDLER_UP,
               handler=act.do_decide_review, guard=guards.review_undecided),
)
ACTIONS: dict[str, ActionSpec] = {row.name: row for row in _ROWS}
# Actions that only annotate a closed case (reviews): the one kind of self-loop a final state may have.
ANNOTATIONS = frozenset({"record_review", "decide_review"})


def check_table(actions: Mapping[str, ActionSpec], initial: Status = INITIAL_STATUS,
                final: frozenset[Status] = FINAL_STATUSES) -> None:
    """Validate a transition table; raise ValueError naming the first problem."""
    for name, spec in actions.items():
        if name != spec.name:
            raise ValueError(f"action {name!r} is declared as {spec.name!r}")
        if not spec.sources:
            raise ValueError(f"action {name!r} has no source state")
        if not spec.roles:
            raise ValueError(f"action {name!r} is allowed to nobody")
        for src in spec.sources & final:
            # Only annotations (reviews) may touch a final state, and they never leave it.
            if spec.target is not None or name not in ANNOTATIONS:
                raise ValueError(f"final state {src} has an action {name!r}")
    reached = {initial}
    frontier = [initial]
    while frontier:
        state = frontier.pop()
        for spec in actions.values():
            if state in spec.sources and spec.target is not None and spec.target not in reached:
                reached.add(spec.target)
                frontier.append(spec.target)
    missing = set(Status) - reached
    if missing:
        raise ValueError(f"unreachable states: {sorted(missing)}")
    for state in set(Status) - final:
        if not any(state in s.sources and s.target not in (None, state) for s in actions.values()):
            raise ValueError(f"state {state} is a dead end but not final")
    if OPEN_STATUSES & final:
        raise ValueError("a final state is marked open")


check_table(ACTIONS)
assert all(row.handler is not _unset for row in _ROWS), "every action needs its handler"


def mermaid(actions: Mapping[str, ActionSpec] = ACTIONS) -> str:
    """The transition table as a Mermaid state diagram (docs/workflow.md is generated from this)."""
    edges: dict[tuple[Status, Status], list[str]] = {}
    for spec in actions.values():
        for src in sorted(spec.sources, key=list(Status).index):
            dst = spec.target if spec.target is not None else src
            edges.setdefault((src, dst), []).append(spec.name)
    lines = ["stateDiagram-v2", f"    [*] --> {INITIAL_STATUS}: register"]
    order = list(Status)
    for (src, dst), names in sorted(edges.items(), key=lambda kv: (order.index(kv[0][0]), order.index(kv[0][1]))):
        lines.append(f"    {src} --> {dst}: {', '.join(names)}")
    for state in order:
        if state in FINAL_STATUSES:
            lines.append(f"    {state} --> [*]")
    return "\n".join(lines) + "\n"
