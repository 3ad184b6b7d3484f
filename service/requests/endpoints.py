"""HTTP routes for requests: register, list, read, act, reminders."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from fastapi.exceptions import RequestValidationError

from service.deps import CurrentUser, RowId, SessionDep, VisibleAgencies
from service.errors import CONFLICT_RESPONSE, INVALID_RESPONSE
from service.requests import present, repository, service
from service.requests.action_schemas import ActionBody
from service.requests.schemas import RequestCreate, RequestOut, RequestSummary
from workflow.calendar import CalendarError

router = APIRouter(tags=["requests"])


@router.post("/requests", status_code=201, response_model=RequestOut,
             responses={**CONFLICT_RESPONSE, **INVALID_RESPONSE})
def create_request(
    body: RequestCreate, session: SessionDep, user: CurrentUser, visible: VisibleAgencies, response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> RequestOut:
    """Register a request (登记); the receipt letter is issued with it. Repeating the same
    ``Idempotency-Key`` returns the first answer instead of registering twice."""
    record, created = service.register(session=session, user=user, visible=visible,
                                       data=body.model_dump(exclude_unset=False), idempotency_key=idempotency_key)
    if not created:
        response.status_code = 200
    return present.request_out(session=session, record=record, user=user)


@router.get("/requests", response_model=list[RequestSummary])
def list_requests(
    session: SessionDep, visible: VisibleAgencies, response: Response,
    q: Annotated[str | None, Query(description="text, number, applicant or ID number (at most 100 characters)")] = None,
    status: Annotated[list[str], Query()] = [],  # noqa: B006
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0, limit: Annotated[int, Query(ge=1, le=500)] = 50,
    after: Annotated[str | None, Query(max_length=40, description="cursor from X-Next-After: the next page")] = None,
) -> list[RequestSummary]:
    """Requests of the caller's units, soonest due first; ``X-Total-Count`` gives the total (with
    ``X-Total-Count-Exact: false`` when a text filter matched more than it counts) and ``X-Next-After``
    the cursor of the next page (pass it as ``after``: constant time however deep, unlike ``offset``)."""
    found = repository.page(session=session, agency_ids=sorted(visible), q=q, status=status, offset=offset,
                            limit=limit, after=after)
    response.headers["X-Total-Count"] = str(found.total)
    if not found.exact:
        response.headers["X-Total-Count-Exact"] = "false"
    if found.next_after:
        response.headers["X-Next-After"] = found.next_after
    views = present.clock_views(session=session, records=[r for r, _ in found.rows])
    return [present.summary(record, code, views[record.id]) for record, code in found.rows]  # type: ignore[index]


@router.get("/requests/{request_id}", response_model=RequestOut, responses={404: {"description": "not found"}})
def read_request(request_id: RowId, session: SessionDep, user: CurrentUser, visible: VisibleAgencies,
                 as_of: date | None = None) -> RequestOut:
    """One request with its clock, allowed actions and events; with ``as_of``, replayed as it stood
    that day (events dated up to then; each event also records the due date it left behind)."""
    record = service.get_visible(session=session, request_id=request_id, visible=visible)
    with _as_of_checked():
        return present.request_out(session=session, record=record, user=user, as_of=as_of)


@router.get("/requests/{request_id}/clock", responses={404: {"description": "not found"}})
def request_clock(request_id: RowId, session: SessionDep, user: CurrentUser, visible: VisibleAgencies,
                  as_of: date | None = None) -> dict:
    """The statutory clock with its explanation: every calendar day from the start to the due date,
    whether it counted and, if not, why (weekend, holiday, pause, regional holiday)."""
    record = service.get_visible(session=session, request_id=request_id, visible=visible)
    with _as_of_checked():
        return present.clock_out(session=session, record=record, as_of=as_of)


@contextmanager
def _as_of_checked() -> Iterator[None]:
    """A day the working-day calendar does not cover (before 2010, after 2040) is a 422 on ``as_of``."""
    try:
        yield
    except CalendarError as exc:
        raise RequestValidationError([{"loc": ("query", "as_of"), "msg": str(exc), "type": "value_error"}]) from None


@router.post("/requests/{request_id}/actions", response_model=RequestOut,
             responses={**CONFLICT_RESPONSE, **INVALID_RESPONSE, 404: {"description": "not found"}})
def request_action(request_id: RowId, body: ActionBody, session: SessionDep, user: CurrentUser,
                   visible: VisibleAgencies) -> RequestOut:
    """Perform an action (accept, request_correction, extend, reply, …): the body is one of the
    per-action shapes, chosen by ``action``. 409 names the state, the action, what is allowed and the
    refusal's ``code``; 422 names a bad field."""
    record = service.act(session=session, user=user, visible=visible, request_id=request_id,
                         payload=body.model_dump(exclude_unset=True))
    return present.request_out(session=session, record=record, user=user)


@router.get("/reminders")
def my_reminders(session: SessionDep, user: CurrentUser, visible: VisibleAgencies) -> list[dict]:
    """The caller's "due soon" and overdue list from the latest sweeps."""
    return present.reminders(session=session, user=user, visible=visible)


@router.get("/requests/{request_id}/similar", responses={404: {"description": "not found"}})
def similar_requests(request_id: RowId, session: SessionDep, user: CurrentUser, visible: VisibleAgencies) -> list[dict]:
    """Earlier requests of the unit by the same applicant (ID number however typed) or with near-identical
    content (RapidFuzz token-set ratio ≥ 85): what a 重复申请 decision should look at."""
    from service.similar import similar

    record = service.get_visible(session=session, request_id=request_id, visible=visible)
    return similar(session=session, record=record)
