"""The desk's attachments panel: upload from the case page (streamed like the API) and the panel's rows."""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from service.deps import RowId, SessionDep
from service.files import repository, service
from service.files.errors import chinese
from service.files.kinds import KINDS
from service.files.sniff import sniff
from service.files.storage import get_store
from service.files.upload import receive
from service.settings import get_settings
from service.web.deps import CsrfRejected, Visible, WebUser, redirect
from workflow.errors import DomainError, NotFound

router = APIRouter(include_in_schema=False)


def panel(*, session: Session, request_id: int) -> dict[str, Any]:
    """What the case page's 附件 panel shows: rows, the kinds to choose from, the size limit."""
    rows = repository.for_request(session=session, request_id=request_id)
    released = [a for a in rows if a.kind == "released"]
    from service.archive.repository import for_request as archive_of

    return {"rows": [service.out(a) for a in rows], "kinds": list(KINDS.items()),
            "archive": archive_of(session=session, request_id=request_id),
            "limit_mb": get_settings().max_upload_mb, "released_count": len(released),
            "released_pages": sum(a.pages for a in released)}


def _csrf_ok(request: Request, sent: str | None) -> bool:
    expected = str((getattr(request.state, "web_session", {}) or {}).get("c", ""))
    sent = sent or request.headers.get("x-csrf-token") or ""
    return bool(expected) and hmac.compare_digest(sent, expected)


@router.post("/requests/{request_id}/attachments")
async def upload_page(request_id: RowId, request: Request, session: SessionDep, user: WebUser,
                      visible: Visible) -> Response:
    """Upload from the 附件 panel; back to the case page with the result or the refusal in Chinese."""
    back = f"/requests/{request_id}"
    try:
        await run_in_threadpool(service.check_can_attach, session=session, user=user, visible=visible,
                                request_id=request_id)
        store = get_store()
        with store.temp_file() as (fh, path):
            received = await receive(chunks=request.stream(), content_type=request.headers.get("content-type"),
                                     content_length=request.headers.get("content-length"), store=store, fh=fh,
                                     path=path, limit=get_settings().max_upload_mb * 1024 * 1024)
            if not _csrf_ok(request, received.fields.get("csrf_token")):
                raise CsrfRejected()
            sniffed = await run_in_threadpool(sniff, path)
            row = await run_in_threadpool(service.attach, session=session, user=user, visible=visible,
                                          request_id=request_id, kind=received.fields.get("kind"),
                                          letter_id=received.fields.get("letter_id"), received=received,
                                          sniffed=sniffed, store=store)
    except NotFound:
        session.rollback()
        from service.requests.views.common import not_found

        return not_found(request)
    except DomainError as exc:
        session.rollback()
        return redirect(f"{back}?{urlencode({'files_error': chinese(exc)})}#attachments")
    return redirect(f"{back}?{urlencode({'flash': f'已上传：{row.filename}（{KINDS[row.kind]}）'})}#attachments")
