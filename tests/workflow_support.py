"""Test support for the workflow domain tests: the real official calendar, the default policy, and a
small driver that registers a case and performs actions on it the way the service does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from workflow.calendar import get_calendar
from workflow.clock import ClockStatus, clock
from workflow.events import DomainEvent, LetterOrder
from workflow.machine import Actor, Case, Outcome, Role, fold, perform
from workflow.policy import Policy
from workflow.registration import Registration, register

CAL = get_calendar()
POLICY = Policy.load()
BEIJING = ZoneInfo("Asia/Shanghai")

CLERK = Actor("c1", Role.CLERK)
HANDLER = Actor("h1", Role.HANDLER)
APPROVER = Actor("a1", Role.APPROVER)
ASSESSOR = Actor("s1", Role.ASSESSOR)
ADMIN = Actor("x1", Role.ADMIN)

APPLICANT = {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
             "id_number": "11010519491231002X", "phone": "13800000000"}
NUMBER = "常住建依申〔2026〕1号"


def reg(receipt: date, **over: Any) -> Registration:
    """A registration handed in at 10:00 Beijing time on ``receipt``."""
    values: dict[str, Any] = dict(
        agency_code="housing", number=NUMBER, applicant=APPLICANT, channel="in_person",
        arrival_at=datetime.combine(receipt, time(10, 0), tzinfo=BEIJING), description="2025年某小区规划许可文件",
    )
    values.update(over)
    return Registration(**values)


class Story:
    """A case driven through actions; each action is dated ``today`` unless a date field is given."""

    def __init__(self, receipt: date, *, policy: Policy = POLICY, **over: Any) -> None:
        self.policy = policy
        out = register(reg(receipt, **over), policy=policy, calendar=CAL)
        self.events: list[DomainEvent] = list(out.events)
        self.outcomes: list[Outcome] = [out]

    @property
    def case(self) -> Case:
        """The case folded from every event so far."""
        return fold(self.events)

    def do(self, action: str, today: date, *, actor: Actor = APPROVER,
           check_letter: Callable[[LetterOrder], Sequence[str]] | None = None, **params: Any) -> Outcome:
        """Perform ``action`` on ``today``; keep its events."""
        kwargs: dict[str, Any] = {}
        if check_letter is not None:
            kwargs["check_letter"] = check_letter
        out = perform(self.case, action, params, actor=actor, today=today, calendar=CAL, policy=self.policy,
                      **kwargs)
        self.events.extend(out.events)
        self.outcomes.append(out)
        return out

    def serve(self, subject: str, sent_on: date, received_on: date | None = None, *, method: str = "direct",
              ems_number: str | None = None) -> None:
        """Record the service of the letter about ``subject`` (as the service layer's events do)."""
        self.events.append(DomainEvent("letter_sent", sent_on, {"subject": subject, "method": method,
                                                                "ems_number": ems_number}))
        if received_on is not None:
            self.events.append(DomainEvent("letter_received", received_on, {"subject": subject}))

    def clock(self, as_of: date) -> ClockStatus:
        """The clock as of a day, from the events dated up to that day (replay)."""
        case = fold(e for e in self.events if e.on <= as_of)
        return clock(case, as_of=as_of, calendar=CAL, policy=self.policy)
