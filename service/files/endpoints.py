"""HTTP routes for attachments: streamed upload, list, metadata, download (always as a download)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from service.deps import CurrentUser, RowId, SessionDep, VisibleAgencies
from service.errors import CONFLICT_RESPONSE, INVALID_RESPONSE
from service.files import repository, service
from service.files.kinds import KINDS
from service.files.names import content_disposition
from service.files.sniff import sniff
from service.files.storage import get_store
from service.files.upload import receive
from service.settings import get_settings

router = APIRouter(tags=["attachments"])

NOT_FOUND = {404: {"description": "not found (or another unit's)"}}
UPLOAD_BODY = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file", "kind"],
        "properties": {
            "file": {"type": "string", "format": "binary", "description": "the file (PDF, JPEG, PNG, TIFF, OFD, "
                                                                           "DOCX or XLSX; type read from the content)"},
            "kind": {"type": "string", "enum": [*KINDS, *KINDS.values()]},
            "letter_id": {"type": "integer", "description": "attach to this letter of the request"},
        }}}}},
}


def download_headers(name: str) -> dict[str, str]:
    """Headers that make a browser save the file and never render or sniff it."""
    return {"Content-Disposition": content_disposition(name), "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox", "Cache-Control": "private, no-store"}


@router.post("/requests/{request_id}/attachments", status_code=201, openapi_extra=UPLOAD_BODY,
             responses={**CONFLICT_RESPONSE, **INVALID_RESPONSE, **NOT_FOUND,
                        413: {"description": "larger than the size limit (OGI_MAX_UPLOAD_MB)"},
                        415: {"description": "not an accepted type (read from the content)"}})
async def upload_attachment(request_id: RowId, request: Request, session: SessionDep, user: CurrentUser,
                            visible: VisibleAgencies) -> JSONResponse:
    """Attach a file (multipart field ``file``, with ``kind`` and optionally ``letter_id``). The body is
    streamed to disk and hashed, never held in memory; the upload is recorded on the request's event
    chain with its sha256."""
    # Before reading a byte: the request must be visible (404) and the role allowed.
    await run_in_threadpool(service.check_can_attach, session=session, user=user, visible=visible,
                            request_id=request_id)
    store = get_store()
    limit = get_settings().max_upload_mb * 1024 * 1024
    with store.temp_file() as (fh, path):
        received = await receive(chunks=request.stream(), content_type=request.headers.get("content-type"),
                                 content_length=request.headers.get("content-length"), store=store, fh=fh,
                                 path=path, limit=limit)
        sniffed = await run_in_threadpool(sniff, path)
        row = await run_in_threadpool(service.attach, session=session, user=user, visible=visible,
                                      request_id=request_id, kind=received.fields.get("kind"),
                                      letter_id=received.fields.get("letter_id"), received=received,
                                      sniffed=sniffed, store=store)
    return JSONResponse(service.out(row) | {"uploaded_at": row.uploaded_at.isoformat()}, status_code=201)


@router.get("/requests/{request_id}/attachments", responses=NOT_FOUND)
def list_attachments(request_id: RowId, session: SessionDep, visible: VisibleAgencies) -> list[dict]:
    """A request's attachments in upload order."""
    service.visible_request(session=session, request_id=request_id, visible=visible)
    return [service.out(a) for a in repository.for_request(session=session, request_id=request_id)]


@router.get("/attachments/{attachment_id}", responses=NOT_FOUND)
def read_attachment(attachment_id: RowId, session: SessionDep, visible: VisibleAgencies) -> dict:
    """One attachment's metadata (kind, name, sniffed type, size, sha256, pages)."""
    row, _ = service.visible_attachment(session=session, attachment_id=attachment_id, visible=visible)
    return service.out(row)


@router.get("/attachments/{attachment_id}/content", responses=NOT_FOUND, response_class=StreamingResponse)
def download_attachment(attachment_id: RowId, session: SessionDep, visible: VisibleAgencies) -> StreamingResponse:
    """The file as uploaded, always as a download (``Content-Disposition: attachment``, ``nosniff``,
    a sandboxing CSP), with the type sniffed at upload."""
    row, _ = service.visible_attachment(session=session, attachment_id=attachment_id, visible=visible)
    store = get_store()
    if not store.exists(row.sha256):
        from workflow.errors import Conflict

        raise Conflict("the stored file is missing; run ogi files verify", attachment_id=row.id)
    headers = {**download_headers(row.filename), "Content-Length": str(row.size), "ETag": f'"{row.sha256}"'}
    return StreamingResponse(store.iter_bytes(row.sha256), media_type=row.media_type, headers=headers)
