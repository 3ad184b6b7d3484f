"""HTTP routes for attachments: streamed upload, list, metadata, download (always as a download)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from service.deps import CurrentUser, RowId, SessionDep, VisibleAgencies
from service.errors import CONFLICT_RESPONSE, INVALID_RESPONSE
from service.files import intake, repository, service
from service.files.kinds import KINDS
from service.files.names import content_disposition
from service.files.storage import get_store

router = APIRouter(tags=["attachments"])

NOT_FOUND = {404: {"description": "not found (or another unit's)"}}
UPLOAD_RESPONSES: dict[int | str, dict] = {
    **CONFLICT_RESPONSE, **INVALID_RESPONSE, **NOT_FOUND,
    413: {"description": "larger than the size limit (OGI_MAX_UPLOAD_MB)"},
    415: {"description": "not an accepted type (read from the content)"}}
UPLOAD_BODY = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file", "kind"],
        "properties": {
            "file": {"type": "string", "format": "binary", "description": "the file (PDF, JPEG, PNG, TIFF, OFD, "
                                                                           "DOCX or XLSX; type read from the content)"},
            "kind": {"type": "string", "enum": [*KINDS, *KINDS.values()]},
            "letter_id": {"type": "integer", "description": "attach to this letter of the request"},
            "service_id": {"type": "integer", "description": "attach as the proof of this service record of the "
                                                             "request (kind service_proof or other)"},
        }}}}},
}
PROOF_BODY = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {
            "file": UPLOAD_BODY["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]["file"],
            "kind": {"type": "string", "enum": ["service_proof", "other", "送达回证", "其他"],
                     "description": "default service_proof (送达回证)"},
        }}}}},
}


def download_headers(name: str) -> dict[str, str]:
    """Headers that make a browser save the file and never render or sniff it."""
    return {"Content-Disposition": content_disposition(name), "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox", "Cache-Control": "private, no-store"}


@router.post("/requests/{request_id}/attachments", status_code=201, openapi_extra=UPLOAD_BODY,
             responses=UPLOAD_RESPONSES)
async def upload_attachment(request_id: RowId, request: Request, session: SessionDep, user: CurrentUser,
                            visible: VisibleAgencies) -> JSONResponse:
    """Attach a file (multipart field ``file``, with ``kind`` and optionally ``letter_id`` or
    ``service_id``). The body is streamed to disk and hashed, never held in memory; the upload is
    recorded on the request's event chain with its sha256."""
    # Before reading a byte: the request must be visible (404) and the role allowed.
    await run_in_threadpool(service.check_can_attach, session=session, user=user, visible=visible,
                            request_id=request_id)
    row = await intake.upload(request=request, session=session, user=user, visible=visible, request_id=request_id)
    return JSONResponse(service.out(row) | {"uploaded_at": row.uploaded_at.isoformat()}, status_code=201)


@router.post("/letters/{letter_id}/service/attachments", status_code=201, openapi_extra=PROOF_BODY,
             responses=UPLOAD_RESPONSES)
async def upload_service_proof(letter_id: RowId, request: Request, session: SessionDep, user: CurrentUser,
                               visible: VisibleAgencies) -> JSONResponse:
    """Attach a proof of service (送达回证, EMS tracking print, delivery report) to the letter's service
    record: multipart field ``file`` and optionally ``kind`` (default ``service_proof``). 409 when the
    letter's service is not recorded yet; the upload is on the request's chain with its sha256."""
    record = await run_in_threadpool(service.service_record_of_letter, session=session, user=user, visible=visible,
                                     letter_id=letter_id)
    row = await intake.upload(request=request, session=session, user=user, visible=visible,
                              request_id=record.request_id, service_id=record.id)
    return JSONResponse(service.out(row) | {"uploaded_at": row.uploaded_at.isoformat()}, status_code=201)


@router.get("/letters/{letter_id}/service/attachments", responses=NOT_FOUND)
def list_service_proofs(letter_id: RowId, session: SessionDep, visible: VisibleAgencies) -> list[dict]:
    """The proofs attached to a letter's service record, in upload order (empty when none or not recorded)."""
    from service.delivery.service import visible_letter

    visible_letter(session=session, letter_id=letter_id, visible=visible)
    return [service.out(a) for a in repository.for_letter_service(session=session, letter_id=letter_id)]


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

        raise Conflict("the stored file is missing; run ogi files verify", code="upload.stored_missing",
                       attachment_id=row.id)
    headers = {**download_headers(row.filename), "Content-Length": str(row.size), "ETag": f'"{row.sha256}"'}
    return StreamingResponse(store.iter_bytes(row.sha256), media_type=row.media_type, headers=headers)
