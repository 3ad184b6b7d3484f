"""HTTP routes for assessment: events in, schemes, manual entries, results with trails."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Response

from service.assessment import service
from service.assessment.schemas import (
    AdjustmentIn,
    AdjustmentOut,
    EntryIn,
    EntryOut,
    EventIn,
    EventOut,
    RequestAssessmentEvent,
    ResultsOut,
    SchemeDetail,
    SchemeSummary,
    SummaryOut,
    without_trails,
)
from service.deps import CurrentUser, RowId, SessionDep, VisibleAgencies, require_roles
from service.errors import FORBIDDEN_RESPONSE, INVALID_RESPONSE

router = APIRouter(tags=["assessment"])

ASSESSORS = [Depends(require_roles("assessor", "admin"))]
NOT_FOUND = {404: {"description": "No such scheme, or the unit is not visible to you"}}


@router.post("/assessment-events", response_model=EventOut, status_code=201, dependencies=ASSESSORS,
             responses=INVALID_RESPONSE)
def post_event(body: EventIn, session: SessionDep, visible: VisibleAgencies, response: Response) -> EventOut:
    """Record an assessment event from a producer other than the workflow (assessor or admin), for one of
    the caller's units. Idempotent on ``key`` per unit: posting the same key for the same unit again
    answers 200 and changes nothing. Keys are stored as ``api:<unit>:<key>``, so they never meet
    another unit's or the workflow's; ``ogi.*`` kinds are the workflow's and refused (422)."""
    recorded = service.record_event(session=session, data=body.model_dump(), visible=visible)
    if not recorded:
        response.status_code = 200
    return EventOut(key=body.key, recorded=recorded)


@router.post("/schemes/{scheme_id}/adjustments", response_model=AdjustmentOut, status_code=201,
             responses={**NOT_FOUND, **INVALID_RESPONSE})
def post_adjustment(scheme_id: str, body: AdjustmentIn, session: SessionDep, visible: VisibleAgencies,
                    user: Annotated[CurrentUser, Depends(require_roles("assessor", "admin"))]) -> AdjustmentOut:
    """An assessor's amount (with the reason) for one recorded event on an item the document leaves to
    judgement (酌情), within the document's bound; the original and every adjustment stay in the trail."""
    return AdjustmentOut(**service.adjust_event(session=session, scheme_id=scheme_id, data=body.model_dump(),
                                                visible=visible, author_id=user.id,
                                                author_name=user.display_name or user.username))


@router.get("/requests/{request_id}/assessment-events", response_model=list[RequestAssessmentEvent],
            responses={404: {"description": "No such request, or not visible to you"}})
def request_assessment_events(request_id: RowId, session: SessionDep, visible: VisibleAgencies
                              ) -> list[RequestAssessmentEvent]:
    """The assessment events a request produced (kind, date, unit) and, for each, the schemes and items it
    affects; for whoever may see the request."""
    from service.agencies.models import Agency
    from service.requests.service import get_visible

    record = get_visible(session=session, request_id=request_id, visible=visible)
    agency = session.get(Agency, record.agency_id)
    rows = service.request_events(session=session, number=record.number, unit=agency.code if agency else "")
    return [RequestAssessmentEvent(**row) for row in rows]


@router.get("/schemes", response_model=list[SchemeSummary])
def list_schemes(_: CurrentUser) -> list[SchemeSummary]:
    """Every assessment scheme installed."""
    return [SchemeSummary(**{k: v for k, v in service.describe(s).items() if k in SchemeSummary.model_fields})
            for s in service.all_schemes().values()]


@router.get("/schemes/{scheme_id}", response_model=SchemeDetail, responses=NOT_FOUND)
def get_scheme(scheme_id: str, _: CurrentUser) -> SchemeDetail:
    """One scheme: grades with the document's wording, categories, items, rules, components."""
    return SchemeDetail(**service.describe(service.get_scheme(scheme_id)))


Period = Annotated[str, Query(max_length=10, description="2026, 2026H1, 2026Q1 or 2026-07")]
After = Annotated[str | None, Query(max_length=40, description="unit code from next_after: the next page")]


def _page(found: list, limit: int | None) -> tuple[list, str | None]:
    """The page (asked for with one unit more than ``limit``) and the cursor of the next one, if any."""
    if limit is None or len(found) <= limit:
        return found, None
    return found[:limit], found[limit - 1].unit


@router.get("/schemes/{scheme_id}/results", response_model=ResultsOut,
            responses={**NOT_FOUND, **INVALID_RESPONSE})
def get_results(scheme_id: str, session: SessionDep, visible: VisibleAgencies, response: Response, period: Period,
                unit: Annotated[str | None, Query(max_length=40, description="one unit's agency code")] = None,
                limit: Annotated[int | None, Query(ge=1, le=100, description="at most this many units, in code "
                                                   "order (without it: every visible unit)")] = None,
                after: After = None) -> ResultsOut:
    """Scores, grades, consequences and trails of the units the caller may see: one unit with ``unit``, a
    page of ``limit`` units after ``after`` with ``limit``, else all of them (a province's trails run to
    megabytes: read ``/schemes/{id}/summary`` first, then the trails of the units wanted)."""
    found, nxt = _page(service.results(session=session, scheme_id=scheme_id, period=period, visible=visible,
                                       unit=unit, limit=None if limit is None else limit + 1, after=after), limit)
    label = found[0].period if found else period
    if nxt is not None:
        response.headers["X-Next-After"] = nxt
    return ResultsOut(scheme=scheme_id, period=label, units=[r.to_dict() for r in found], next_after=nxt)


@router.get("/schemes/{scheme_id}/summary", response_model=SummaryOut,
            responses={**NOT_FOUND, **INVALID_RESPONSE})
def get_summary(scheme_id: str, session: SessionDep, visible: VisibleAgencies, response: Response, period: Period,
                limit: Annotated[int, Query(ge=1, le=1000, description="at most this many units, in code order")] = 200,
                after: After = None) -> SummaryOut:
    """A page of the results of the units the caller may see, without trails: totals, grades,
    consequences, category and item figures (the same figures ``/results`` gives), each with
    ``trail_url``: that unit's results with its trail. Read from the per-month event tallies."""
    found, nxt = _page(service.results(session=session, scheme_id=scheme_id, period=period, visible=visible,
                                       trails=set(), limit=limit + 1, after=after), limit)
    label = found[0].period if found else period
    units = []
    for r in found:
        query = urlencode({"period": label, "unit": r.unit})
        units.append({**without_trails(r.to_dict()),
                      "trail_url": f"/api/v1/schemes/{quote(scheme_id)}/results?{query}"})
    if nxt is not None:
        response.headers["X-Next-After"] = nxt
    return SummaryOut(scheme=scheme_id, period=label, units=units, next_after=nxt)


@router.post("/schemes/{scheme_id}/entries", response_model=EntryOut, status_code=201,
             responses={**NOT_FOUND, **INVALID_RESPONSE})
def post_entry(scheme_id: str, body: EntryIn, session: SessionDep, visible: VisibleAgencies,
               user: Annotated[CurrentUser, Depends(require_roles("assessor", "admin"))],
               response: Response) -> EntryOut:
    """An assessor's manual entry on an item, component or forced outcome (idempotent on ``key``)."""
    key, recorded = service.add_entry(session=session, scheme_id=scheme_id, data=body.model_dump(),
                                      visible=visible, author_id=user.id)
    if not recorded:
        response.status_code = 200
    return EntryOut(key=key, recorded=recorded)


@router.put("/schemes/{scheme_id}/assignments/{office}", status_code=200,
            responses={**NOT_FOUND, **INVALID_RESPONSE, **FORBIDDEN_RESPONSE})
def put_assignment(scheme_id: str, office: str, session: SessionDep, visible: VisibleAgencies,
                   user: Annotated[CurrentUser, Depends(require_roles("admin"))],
                   include_office: bool = False) -> dict:
    """Make a scheme grade the units below a supervising office the admin oversees (admin only). Refused
    (403) when the scheme also grades units outside the admin's tree; recorded with its actor."""
    from service import boundaries
    from service.adminlog.service import record

    service.get_scheme(scheme_id)
    boundaries.check_scheme_assignment(session=session, user=user, visible=visible, scheme_id=scheme_id,
                                       office_code=office)
    service.assign(session=session, scheme_id=scheme_id, office_code=office, include_office=include_office,
                   visible=visible)
    record(session=session, actor=user, action="scheme_assign", target=f"{scheme_id} -> {office}",
           include_office=include_office)
    return {"scheme": scheme_id, "office": office, "include_office": include_office}
