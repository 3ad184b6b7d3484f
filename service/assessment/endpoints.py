"""HTTP routes for assessment: events in, schemes, manual entries, results with trails."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from service.assessment import service
from service.assessment.schemas import (
    EntryIn,
    EntryOut,
    EventIn,
    EventOut,
    ResultsOut,
    SchemeDetail,
    SchemeSummary,
)
from service.deps import CurrentUser, SessionDep, VisibleAgencies, require_roles
from service.errors import FORBIDDEN_RESPONSE, INVALID_RESPONSE

router = APIRouter(tags=["assessment"])

ASSESSORS = [Depends(require_roles("assessor", "admin"))]
NOT_FOUND = {404: {"description": "No such scheme, or the unit is not visible to you"}}


@router.post("/assessment-events", response_model=EventOut, status_code=201, dependencies=ASSESSORS,
             responses=INVALID_RESPONSE)
def post_event(body: EventIn, session: SessionDep, visible: VisibleAgencies, response: Response) -> EventOut:
    """Record an assessment event from a producer other than the workflow (assessor or admin).
    Idempotent on ``key``: posting the same key again answers 200 and changes nothing."""
    recorded = service.record_event(session=session, data=body.model_dump(), visible=visible)
    if not recorded:
        response.status_code = 200
    return EventOut(key=body.key, recorded=recorded)


@router.get("/schemes", response_model=list[SchemeSummary])
def list_schemes(_: CurrentUser) -> list[SchemeSummary]:
    """Every assessment scheme installed."""
    return [SchemeSummary(**{k: v for k, v in service.describe(s).items() if k in SchemeSummary.model_fields})
            for s in service.all_schemes().values()]


@router.get("/schemes/{scheme_id}", response_model=SchemeDetail, responses=NOT_FOUND)
def get_scheme(scheme_id: str, _: CurrentUser) -> SchemeDetail:
    """One scheme: grades with the document's wording, categories, items, rules, components."""
    return SchemeDetail(**service.describe(service.get_scheme(scheme_id)))


@router.get("/schemes/{scheme_id}/results", response_model=ResultsOut,
            responses={**NOT_FOUND, **INVALID_RESPONSE})
def get_results(scheme_id: str, session: SessionDep, visible: VisibleAgencies,
                period: Annotated[str, Query(description="2026 or 2026Q1")],
                unit: Annotated[str | None, Query(description="one unit's agency code")] = None) -> ResultsOut:
    """Scores, grades, consequences and trails of the units the caller may see."""
    found = service.results(session=session, scheme_id=scheme_id, period=period, visible=visible, unit=unit)
    label = found[0].period if found else period
    return ResultsOut(scheme=scheme_id, period=label, units=[r.to_dict() for r in found])


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
