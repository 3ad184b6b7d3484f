"""HTTP routes for 分办, drafts (拟稿), legal review, returns and signing (签发)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from service.deps import CurrentUser, RowId, SessionDep, VisibleAgencies
from service.drafts import service
from service.drafts.models import Draft
from service.errors import CONFLICT_RESPONSE, INVALID_RESPONSE
from workflow.drafts import DRAFT_STATUS_LABELS, DraftStatus, draftable

router = APIRouter(tags=["drafts (拟稿/签发)"])
RESPONSES = {404: {"description": "not found"}, **CONFLICT_RESPONSE, **INVALID_RESPONSE}


class AssignIn(BaseModel):
    """分办: the handler (username) and an internal deadline (default: the unit's draft stage day)."""

    model_config = ConfigDict(extra="forbid")
    handler: str
    due_on: date | None = None


class DraftIn(BaseModel):
    """A draft of an outgoing action: ``action`` and its fields as in ``POST /requests/{id}/actions``
    (dates may be left out: they default to the signing day)."""

    model_config = ConfigDict(extra="forbid")
    action: str = Field(description=", ".join(draftable()))
    params: dict[str, Any] = {}


class RedraftIn(BaseModel):
    """A new version's fields."""

    model_config = ConfigDict(extra="forbid")
    params: dict[str, Any]


class CommentIn(BaseModel):
    """A comment (required to return a draft)."""

    model_config = ConfigDict(extra="forbid")
    comment: str = ""


class SignIn(BaseModel):
    """签发: the signer confirms the wet stamp after checking the final letter (``GET …/final``)."""

    model_config = ConfigDict(extra="forbid")
    seal_confirmed: bool = Field(default=False, description="Must be true")


class StepOut(BaseModel):
    """One internal step."""

    stage: str
    actor_id: int | None
    version: int | None
    comment: str
    done_on: date
    due_on: date | None
    late: bool


class DraftOut(BaseModel):
    """A draft with its current fields, versions and steps."""

    id: int
    request_id: int
    action: str
    status: str
    status_label: str
    version: int
    params: dict[str, Any]
    versions: list[dict[str, Any]]
    steps: list[StepOut]
    letter_id: int | None
    updated_at: datetime


def out(session: SessionDep, draft: Draft) -> DraftOut:
    """The draft as the API shows it."""
    return DraftOut(
        id=draft.id, request_id=draft.request_id, action=draft.action, status=draft.status,  # type: ignore[arg-type]
        status_label=DRAFT_STATUS_LABELS[DraftStatus(draft.status)], version=draft.version,
        params=service.params_of(session=session, draft=draft),
        versions=[{"version": v.version, "author_id": v.author_id, "created_at": v.created_at,
                   "params": json.loads(v.params)} for v in service.versions(session=session, draft_id=draft.id)],  # type: ignore[arg-type]
        steps=[StepOut(stage=s.stage, actor_id=s.actor_id, version=s.version, comment=s.comment, done_on=s.done_on,
                       due_on=s.due_on, late=bool(s.due_on and s.done_on > s.due_on))
               for s in service.steps(session=session, request_id=draft.request_id, draft_id=draft.id)],
        letter_id=draft.letter_id, updated_at=draft.updated_at)


@router.post("/requests/{request_id}/assign", response_model=StepOut, status_code=201, responses=RESPONSES)
def assign(request_id: RowId, body: AssignIn, session: SessionDep, user: CurrentUser, visible: VisibleAgencies) -> StepOut:
    """分办 (approver): give the request to a handler with an internal deadline."""
    s = service.assign(session=session, user=user, visible=visible, request_id=request_id, data=body.model_dump())
    return StepOut(stage=s.stage, actor_id=s.actor_id, version=None, comment=s.comment, done_on=s.done_on,
                   due_on=s.due_on, late=bool(s.due_on and s.done_on > s.due_on))


@router.post("/requests/{request_id}/drafts", response_model=DraftOut, status_code=201, responses=RESPONSES)
def create(request_id: RowId, body: DraftIn, session: SessionDep, user: CurrentUser, visible: VisibleAgencies) -> DraftOut:
    """拟稿: 409 names the state and the action when the case does not allow the action now; 422 a bad field."""
    return out(session, service.create(session=session, user=user, visible=visible, request_id=request_id,
                                       data=body.model_dump()))


@router.get("/requests/{request_id}/drafts", response_model=list[DraftOut], responses=RESPONSES)
def list_drafts(request_id: RowId, session: SessionDep, _: CurrentUser, visible: VisibleAgencies) -> list[DraftOut]:
    """A request's drafts, newest first."""
    service._request(session, request_id, visible)
    return [out(session, d) for d in service.for_request(session=session, request_id=request_id)]


@router.get("/drafts/{draft_id}", response_model=DraftOut, responses=RESPONSES)
def read(draft_id: RowId, session: SessionDep, _: CurrentUser, visible: VisibleAgencies) -> DraftOut:
    """One draft with its versions and steps."""
    return out(session, service.get_visible(session=session, draft_id=draft_id, visible=visible)[0])


@router.post("/drafts/{draft_id}", response_model=DraftOut, responses=RESPONSES)
def redraft(draft_id: RowId, body: RedraftIn, session: SessionDep, user: CurrentUser, visible: VisibleAgencies) -> DraftOut:
    """A new version (only while drafting; a signed draft cannot be edited: 409)."""
    return out(session, service.redraft(session=session, user=user, visible=visible, draft_id=draft_id,
                                        data=body.model_dump()))


@router.post("/drafts/{draft_id}/submit", response_model=DraftOut, responses=RESPONSES)
def submit(draft_id: RowId, session: SessionDep, user: CurrentUser, visible: VisibleAgencies) -> DraftOut:
    """Submit for legal review (where the unit has it) or signing."""
    return out(session, service.submit(session=session, user=user, visible=visible, draft_id=draft_id))


@router.post("/drafts/{draft_id}/approve", response_model=DraftOut, responses=RESPONSES)
def approve(draft_id: RowId, body: CommentIn, session: SessionDep, user: CurrentUser, visible: VisibleAgencies) -> DraftOut:
    """法制审核通过 (reviewer)."""
    return out(session, service.approve(session=session, user=user, visible=visible, draft_id=draft_id,
                                        data=body.model_dump()))


@router.post("/drafts/{draft_id}/return", response_model=DraftOut, responses=RESPONSES)
def return_draft(draft_id: RowId, body: CommentIn, session: SessionDep, user: CurrentUser,
                 visible: VisibleAgencies) -> DraftOut:
    """退回修改 with a comment (reviewer or approver)."""
    return out(session, service.return_for_changes(session=session, user=user, visible=visible, draft_id=draft_id,
                                                   data=body.model_dump()))


@router.post("/drafts/{draft_id}/sign", response_model=DraftOut, responses=RESPONSES)
def sign(draft_id: RowId, body: SignIn, session: SessionDep, user: CurrentUser, visible: VisibleAgencies) -> DraftOut:
    """签发 (approver): performs the action; the letter gets its number. A handler cannot sign; nobody signs
    a draft not submitted (409)."""
    draft, _ = service.sign(session=session, user=user, visible=visible, draft_id=draft_id, data=body.model_dump())
    return out(session, draft)


@router.get("/drafts/{draft_id}/preview.pdf", response_class=Response, responses=RESPONSES)
def preview_pdf(draft_id: RowId, session: SessionDep, _: CurrentUser, visible: VisibleAgencies) -> Response:
    """The letter the draft would produce, as PDF, watermarked 草稿 (no number yet)."""
    from service.letters.render import html_to_pdf

    draft, record = service.get_visible(session=session, draft_id=draft_id, visible=visible)
    pdf = html_to_pdf(service.preview_html(session=session, draft=draft, record=record))
    return Response(pdf, media_type="application/pdf")


@router.get("/drafts/{draft_id}/preview", response_class=HTMLResponse, responses=RESPONSES)
def preview(draft_id: RowId, session: SessionDep, _: CurrentUser, visible: VisibleAgencies, final: bool = False) -> HTMLResponse:
    """The letter as HTML: watermarked 草稿, or (``final=true``) as it will be issued, for the signer."""
    draft, record = service.get_visible(session=session, draft_id=draft_id, visible=visible)
    html = service.preview_html(session=session, draft=draft, record=record, final=final)
    return HTMLResponse(html, headers={"Content-Security-Policy": "script-src 'none'"})


@router.get("/reports/timeliness", responses=RESPONSES)
def timeliness(session: SessionDep, _: CurrentUser, visible: VisibleAgencies) -> list[dict]:
    """Per person and stage (分办, 拟稿, 审核, 签发): steps done, on time, late against the internal stage
    deadlines. Internal only: never the statutory clock, never assessment events."""
    return service.timeliness(session=session, agency_ids=sorted(visible))
