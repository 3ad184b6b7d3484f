"""Stage lateness (内部时限): which office stage each open case waits at, who is responsible and whether it
is past its internal deadline today. Shown on the dashboard's worklist; never touches the statutory clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from service.agencies.models import Agency
from service.drafts.models import Draft, WorkStep
from service.requests.context import calendar_for
from service.requests.models import RequestRecord
from service.users.models import User
from workflow import drafts as rules
from workflow.clock import clock_start
from workflow.machine import OPEN_STATUSES, ROLE_LABELS, Role

# Who answers for a stage when no one person is named on the case.
_STAGE_ROLE = {"assign": Role.APPROVER, "review": Role.REVIEWER, "sign": Role.APPROVER}


@dataclass(frozen=True)
class StageLate:
    """An open case waiting past its internal stage deadline."""

    request_id: int
    number: str
    stage: str
    stage_label: str
    due_on: date
    person: str          # the handler for 拟稿; else the role that acts (负责人, 法制审核员)
    days_late: int       # working days past the internal deadline


def _open_drafts(session: Session, ids: list[int]) -> dict[int, Draft]:
    """The latest unsigned draft of each request."""
    out: dict[int, Draft] = {}
    for draft in session.exec(select(Draft).where(col(Draft.request_id).in_(ids),
                                                  col(Draft.status) != str(rules.DraftStatus.SIGNED))
                              .order_by(col(Draft.updated_at), col(Draft.id))):
        out[draft.request_id] = draft
    return out


def _handler_due(session: Session, ids: list[int]) -> dict[int, date]:
    """The handler's own 拟稿 deadline given at 分办 (the latest assignment wins)."""
    out: dict[int, date] = {}
    for step in session.exec(select(WorkStep).where(col(WorkStep.request_id).in_(ids),
                                                    WorkStep.stage == "handler_due").order_by(col(WorkStep.id))):
        if step.due_on is not None:
            out[step.request_id] = step.due_on
    return out


def stage_lateness(*, session: Session, records: list[RequestRecord], today: date) -> dict[int, StageLate]:
    """For the given requests, those waiting at a stage past its internal deadline today, by request id.

    Only cases the office is working on count: open, with the clock running (a case waiting for the
    applicant's correction, a consultation answer or a fee is not late at an office stage).
    """
    from service.requests.present import fold_cases

    waiting = [r for r in records if r.status in OPEN_STATUSES and not r.paused and r.due_on is not None]
    if not waiting:
        return {}
    ids = [r.id for r in waiting]
    drafts, handler_due = _open_drafts(session, ids), _handler_due(session, ids)  # type: ignore[arg-type]
    cases = fold_cases(session=session, records=waiting)
    agencies = {a.id: a for a in session.exec(select(Agency).where(col(Agency.id).in_({r.agency_id for r in waiting})))}
    people = {u.id: u.display_name or u.username for u in session.exec(
        select(User).where(col(User.id).in_({r.handler_id for r in waiting if r.handler_id})))}
    out: dict[int, StageLate] = {}
    for r in waiting:
        agency = agencies[r.agency_id]
        draft = drafts.get(r.id)  # type: ignore[arg-type]
        stage = rules.waiting_stage(assigned=r.handler_id is not None,
                                    draft=rules.DraftStatus(draft.status) if draft else None,
                                    legal_review=rules.legal_review_required(agency.code))
        day = rules.stage_days(agency.code).get(stage or "")
        if stage is None or day is None:
            continue
        calendar = calendar_for(agency)
        due = rules.stage_due(clock_start(cases[r.id]), day, calendar)  # type: ignore[index]
        if stage == "draft" and r.id in handler_due:
            due = handler_due[r.id]  # type: ignore[index]
        if today <= due:
            continue
        person = people.get(r.handler_id, "") if stage == "draft" else ROLE_LABELS[_STAGE_ROLE[stage]]  # type: ignore[arg-type]
        out[r.id] = StageLate(request_id=r.id, number=r.number, stage=stage,  # type: ignore[arg-type]
                              stage_label=rules.STAGE_LABELS[stage], due_on=due, person=person or "承办人",
                              days_late=calendar.working_days_between(due, today))
    return out
