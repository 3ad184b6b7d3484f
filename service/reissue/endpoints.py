"""HTTP route to void and reissue a letter."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from service.deps import CurrentUser, RowId, SessionDep, VisibleAgencies
from service.errors import CONFLICT_RESPONSE, INVALID_RESPONSE
from service.reissue import service

router = APIRouter(tags=["letters"])


class SupersedeIn(BaseModel):
    """Why the letter is voided, and what the replacement corrects."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, description="Why the letter is voided (printed on the new letter)")
    issued_on: date | None = Field(default=None, description="Date of the new letter; default today")
    fields: dict[str, Any] = Field(default={}, description="Corrected fields of the letter (e.g. disclosure)")
    seal_confirmed: bool = False


class SupersedeOut(BaseModel):
    """The voided letter and its replacement."""

    voided_id: int
    voided_number: str
    new_id: int
    new_number: str
    status: str = Field(description="作废: the old letter stays, marked voided, linked to the new one")


@router.post("/letters/{letter_id}/supersede", response_model=SupersedeOut, status_code=201,
             responses={404: {"description": "not found"}, **CONFLICT_RESPONSE, **INVALID_RESPONSE})
def supersede(letter_id: RowId, body: SupersedeIn, session: SessionDep, user: CurrentUser,
              visible: VisibleAgencies) -> SupersedeOut:
    """Void a letter and issue its replacement with a new number (approver only). 409 when the caller is
    not an approver or the letter is already superseded; 422 without a reason."""
    old, new = service.supersede(session=session, user=user, visible=visible, letter_id=letter_id,
                                 data=body.model_dump())
    return SupersedeOut(voided_id=old.id, voided_number=old.number, new_id=new.id, new_number=new.number,  # type: ignore[arg-type]
                        status="作废")
