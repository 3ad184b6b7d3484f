"""HTTP routes for agencies: the assessment attributes of a unit (type, level, summation parent,
target points), by the day they take effect."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from service.agencies import attributes
from service.agencies.repository import all_agencies, by_code
from service.deps import CurrentUser, SessionDep, VisibleAgencies, require_roles
from service.errors import INVALID_RESPONSE
from workflow.errors import NotFound

router = APIRouter(tags=["agencies"])
Code = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]


class AttributesIn(BaseModel):
    """Attributes to set from ``valid_from`` on (omitted: since always); fields left out are carried over."""

    valid_from: date | None = Field(default=None, description="first day in force, e.g. 2026-07-01")
    type: str | None = Field(default=None, max_length=40, description="unit type (schemes/vocabulary.yaml)")
    level: str | None = Field(default=None, max_length=20, description="level (schemes/vocabulary.yaml)")
    sum_parent: str | None = Field(default=None, max_length=40, description="agency code scores are summed into")
    target_points: float | None = Field(default=None, ge=0, le=1000, description="annual target points (目标分值)")


class AttributesOut(BaseModel):
    """One snapshot of a unit's attributes."""

    valid_from: str | None
    type: str | None
    level: str | None
    sum_parent: str | None
    target_points: float | None
    set_by: str


def _visible(session: Any, code: str, visible: set[int]) -> Any:
    agency = by_code(session=session, code=code)
    if agency is None or agency.id not in visible:
        raise NotFound(f"agency {code} not found")
    return agency


@router.get("/agencies/{code}/attributes", response_model=list[AttributesOut],
            responses={404: {"description": "No such agency, or not visible to you"}})
def get_attributes(code: Code, session: SessionDep, visible: VisibleAgencies, _: CurrentUser) -> list[AttributesOut]:
    """The unit's assessment attributes, oldest first (valid_from null: since always)."""
    agency = _visible(session, code, visible)
    codes = {a.id: a.code for a in all_agencies(session=session)}
    return [AttributesOut(**attributes.as_dict(r, codes))
            for r in attributes.history(session=session, agency_id=agency.id)]


@router.put("/agencies/{code}/attributes", response_model=list[AttributesOut],
            responses={404: {"description": "No such agency, or not visible to you"}, **INVALID_RESPONSE})
def put_attributes(code: Code, body: AttributesIn, session: SessionDep, visible: VisibleAgencies,
                   user: Annotated[CurrentUser, Depends(require_roles("admin"))]) -> list[AttributesOut]:
    """Set a unit's type, level, summation parent or target points from a day on (admins, their units)."""
    agency = _visible(session, code, visible)
    attributes.set_by_admin(session=session, agency=agency, valid_from=body.valid_from,
                            change=body.model_dump(exclude={"valid_from"}), visible=visible, actor=user)
    codes = {a.id: a.code for a in all_agencies(session=session)}
    return [AttributesOut(**attributes.as_dict(r, codes))
            for r in attributes.history(session=session, agency_id=agency.id)]
