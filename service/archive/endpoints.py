"""HTTP routes of the archive: the case file as PDF and ZIP, a case's 档号, batch archiving, retention."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from service.archive import export, repository, service
from service.deps import CurrentUser, RowId, SessionDep, VisibleAgencies
from service.errors import CONFLICT_RESPONSE, INVALID_RESPONSE
from service.files.names import content_disposition
from service.files.storage import scratch_dir
from service.requests.service import get_visible

router = APIRouter(tags=["archive"])
NOT_FOUND = {404: {"description": "not found (or another unit's)"}}


def _temp_response(path: Path, media_type: str, name: str) -> FileResponse:
    return FileResponse(path, media_type=media_type, background=BackgroundTask(path.unlink, missing_ok=True),
                        headers={"Content-Disposition": content_disposition(name), "X-Content-Type-Options": "nosniff"})


def _scratch() -> Path:
    tmp = scratch_dir()
    fd, name = tempfile.mkstemp(dir=tmp, prefix="casefile-")
    import os

    os.close(fd)
    return Path(name)


@router.get("/requests/{request_id}/case-file.pdf", responses=NOT_FOUND, response_class=FileResponse)
def case_file_pdf(request_id: RowId, session: SessionDep, visible: VisibleAgencies) -> FileResponse:
    """The case file (卷宗) as one PDF: cover, 卷内目录, letters, service proofs, attachments."""
    record = get_visible(session=session, request_id=request_id, visible=visible)
    path = _scratch()
    try:
        name = export.write_pdf_file(session=session, record=record, path=path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return _temp_response(path, "application/pdf", f"{name}.pdf")


@router.get("/requests/{request_id}/case-file.zip", responses=NOT_FOUND, response_class=FileResponse)
def case_file_zip(request_id: RowId, session: SessionDep, visible: VisibleAgencies) -> FileResponse:
    """The case file's originals as a ZIP with ``manifest.json`` (each file's sha256) and the PDF."""
    record = get_visible(session=session, request_id=request_id, visible=visible)
    path = _scratch()
    try:
        name = export.write_zip_file(session=session, record=record, path=path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return _temp_response(path, "application/zip", f"{name}.zip")


@router.get("/requests/{request_id}/archive", responses=NOT_FOUND)
def read_archive(request_id: RowId, session: SessionDep, visible: VisibleAgencies) -> dict:
    """The case's 档号 and 保管期限 (``archived: false`` before archiving)."""
    record = get_visible(session=session, request_id=request_id, visible=visible)
    row = repository.for_request(session=session, request_id=record.id)  # type: ignore[arg-type]
    return service.archive_out(row)


class BatchArchiveIn(BaseModel):
    """Cases to archive together (each must be replied)."""

    request_ids: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] = Field(min_length=1, max_length=500)
    on: date | None = None


@router.post("/archive/batch", responses={**CONFLICT_RESPONSE, **INVALID_RESPONSE, **NOT_FOUND})
def archive_batch(body: BatchArchiveIn, session: SessionDep, user: CurrentUser, visible: VisibleAgencies) -> list[dict]:
    """Archive several replied cases in one transaction (all or none), each with its 档号."""
    rows = service.archive_many(session=session, user=user, visible=visible, request_ids=body.request_ids, on=body.on)
    return [service.archive_out(r) for r in rows]


@router.get("/archive/retention")
def retention_due(session: SessionDep, visible: VisibleAgencies, as_of: date | None = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[dict]:
    """Archived cases whose 保管期限 has run (for disposal review by people; nothing is deleted)."""
    return [service.archive_out(r) for r in service.due_for_review(session=session, visible=visible, as_of=as_of,
                                                                      limit=limit)]
