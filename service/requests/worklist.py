"""The dashboard's worklist: filters with counts (今日到期, 本周到期, 已超期, 暂停中, 我的案件) as simple
indexed queries on the request rows, and batch actions (assign a handler; archive replied cases)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.agencies.models import Agency
from service.base import utcnow
from service.requests import service
from service.requests.context import local_today
from service.requests.models import RequestRecord
from service.users.models import User
from workflow.errors import Conflict, DomainError, InvalidField, NotFound
from workflow.machine import OPEN_STATUSES

FILTERS = {"today": "今日到期", "week": "本周到期", "overdue": "已超期", "paused": "暂停中", "mine": "我的案件",
           "to_archive": "待归档"}
ASSIGNING_ROLES = ("approver", "admin")
OPEN = [str(s) for s in OPEN_STATUSES]


def week_end(today: date) -> date:
    """The Sunday of ``today``'s week (本周: Monday to Sunday)."""
    return today + timedelta(days=6 - today.weekday())


def filter_clause(name: str, *, today: date, user_id: int) -> list:
    """The WHERE terms of one worklist filter on open requests (due dates as stored on the row; a running
    pause is its own filter, because its due date moves every paused working day)."""
    running = [col(RequestRecord.status).in_(OPEN)]
    counting = [*running, col(RequestRecord.paused).is_(False)]
    if name == "today":
        return [*counting, RequestRecord.due_on == today]
    if name == "week":
        return [*counting, col(RequestRecord.due_on) >= today, col(RequestRecord.due_on) <= week_end(today)]
    if name == "overdue":
        return [*counting, col(RequestRecord.due_on) < today]
    if name == "paused":
        return [*running, col(RequestRecord.paused).is_(True)]
    if name == "mine":
        return [*running, RequestRecord.handler_id == user_id]
    if name == "to_archive":  # replied, waiting to be archived (batch archive works from here)
        return [RequestRecord.status == "replied"]
    raise InvalidField("filter", f"unknown filter; one of {', '.join(FILTERS)}", code="request.unknown_filter")


def filter_counts(*, session: Session, agency_ids: Sequence[int], today: date, user_id: int) -> dict[str, int]:
    """How many open requests each filter holds (one COUNT per filter on indexed columns)."""
    out = {}
    for name in FILTERS:
        stmt = select(func.count()).select_from(RequestRecord).where(
            col(RequestRecord.agency_id).in_(list(agency_ids)), *filter_clause(name, today=today, user_id=user_id))
        out[name] = int(session.exec(stmt).one())
    return out


def handlers_of(*, session: Session, agency_ids: Sequence[int]) -> list[User]:
    """People a case may be assigned to: active handlers and approvers of the units."""
    return list(session.exec(select(User).where(col(User.agency_id).in_(list(agency_ids)),
                                                col(User.role).in_(["handler", "approver"]),
                                                col(User.active).is_(True)).order_by(User.agency_id, User.username)))


@dataclass
class BatchResult:
    """What a batch action did: the numbers done and, for each one refused, why."""

    done: list[str]
    refused: list[tuple[str, str | DomainError]]


def assign(*, session: Session, user: User, visible: set[int], request_ids: Sequence[int], handler_id: int,
           now: datetime | None = None) -> BatchResult:
    """Assign open cases to a handler (分办) and notify them, in this transaction. Only approvers and admins
    assign; the handler must belong to each case's unit."""
    from service.notify import handoffs

    now = now or utcnow()
    if user.role not in ASSIGNING_ROLES:
        raise Conflict(f"role {user.role} does not assign cases; an approver does", code="request.assign_role",
                       field="role", role=str(user.role))
    if not request_ids:
        raise InvalidField("ids", "choose at least one case", code="request.none_chosen")
    handler = session.get(User, handler_id)
    if handler is None or not handler.active or handler.role not in ("handler", "approver") \
            or handler.agency_id not in visible:
        raise InvalidField("handler", "not a handler of your units", code="request.handler_not_ours")
    result = BatchResult([], [])
    for rid in dict.fromkeys(request_ids):
        record = service.get_visible(session=session, request_id=rid, visible=visible, lock=True)
        if record.agency_id != handler.agency_id:
            result.refused.append((record.number, "承办人不属于该案件的单位"))
            continue
        if not service.is_open(record):
            result.refused.append((record.number, "案件已办结，不能分办"))
            continue
        if record.handler_id == handler.id:
            result.done.append(record.number)
            continue
        record.handler_id = handler.id
        record.updated_at = now
        session.add(record)
        handoffs.assigned(session=session, record=record, handler=handler, actor=user,
                          once=f"{handler.id}:{record.event_count}:{now.isoformat()}", now=now)
        result.done.append(record.number)
    session.flush()
    return result


def archive(*, session: Session, user: User, visible: set[int], request_ids: Sequence[int],
            now: datetime | None = None) -> BatchResult:
    """Archive replied cases with the workflow's own ``archive`` action, each in a savepoint: a case the
    machine refuses is reported and the others are archived."""
    now = now or utcnow()
    if not request_ids:
        raise InvalidField("ids", "choose at least one case", code="request.none_chosen")
    result = BatchResult([], [])
    for rid in dict.fromkeys(request_ids):
        try:
            record = service.get_visible(session=session, request_id=rid, visible=visible)
        except NotFound:
            result.refused.append((str(rid), "没有找到这件申请"))
            continue
        agency = session.get(Agency, record.agency_id)
        assert agency is not None
        number = record.number
        try:
            with session.begin_nested():
                service.act(session=session, user=user, visible=visible, request_id=rid,
                            payload={"action": "archive", "on": local_today(agency, now).isoformat()}, now=now)
        except DomainError as exc:
            result.refused.append((number, exc))
            continue
        result.done.append(number)
    return result
