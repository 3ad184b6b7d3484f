"""The desk's attachments panel: upload from the case page (streamed like the API) and the panel's rows."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from service.deps import RowId, SessionDep
from service.files import intake, repository, service
from service.files.errors import chinese
from service.files.kinds import KINDS
from service.settings import get_settings
from service.web.deps import CsrfRejected, Visible, WebUser, redirect
from workflow.errors import DomainError, NotFound

router = APIRouter(include_in_schema=False)


def panel(*, session: Session, request_id: int) -> dict[str, Any]:
    """What the case page's 附件 panel shows: rows, the kinds to choose from, the size limit."""
    rows = repository.for_request(session=session, request_id=request_id)
    released = [a for a in rows if a.kind == "released"]
    from service.archive.repository import for_request as archive_of

    proofs: dict[int, list[dict[str, Any]]] = {}
    for a in rows:
        if a.service_id is not None:
            proofs.setdefault(a.service_id, []).append(service.out(a))
    return {"rows": [service.out(a) for a in rows], "kinds": list(KINDS.items()), "proofs": proofs,
            "archive": archive_of(session=session, request_id=request_id),
            "limit_mb": get_settings().max_upload_mb, "released_count": len(released),
            "released_pages": sum(a.pages for a in released)}


def _csrf_ok(request: Request, sent: str | None) -> bool:
    expected = str((getattr(request.state, "web_session", {}) or {}).get("c", ""))
    sent = sent or request.headers.get("x-csrf-token") or ""
    return bool(expected) and hmac.compare_digest(sent, expected)


def _csrf_check(request: Request) -> Callable[[dict[str, str]], None]:
    def check(fields: dict[str, str]) -> None:
        if not _csrf_ok(request, fields.get("csrf_token")):
            raise CsrfRejected()

    return check


@router.post("/requests/{request_id}/attachments")
async def upload_page(request_id: RowId, request: Request, session: SessionDep, user: WebUser,
                      visible: Visible) -> Response:
    """Upload from the 附件 panel; back to the case page with the result or the refusal in Chinese."""
    back = f"/requests/{request_id}"
    try:
        await run_in_threadpool(service.check_can_attach, session=session, user=user, visible=visible,
                                request_id=request_id)
        row = await intake.upload(request=request, session=session, user=user, visible=visible,
                                  request_id=request_id, check_fields=_csrf_check(request))
    except NotFound:
        session.rollback()
        return _not_found(request)
    except DomainError as exc:
        session.rollback()
        return redirect(f"{back}?{urlencode({'files_error': chinese(exc)})}#attachments")
    return redirect(f"{back}?{urlencode({'flash': f'已上传：{row.filename}（{KINDS[row.kind]}）'})}#attachments")


@router.post("/letters/{letter_id}/service/attachments")
async def upload_proof_page(letter_id: RowId, request: Request, session: SessionDep, user: WebUser,
                            visible: Visible) -> Response:
    """Upload a proof of service (送达回证, EMS print) from the case page's 送达 card, under the letter's
    service record; back to the card with the result or the refusal in Chinese."""
    try:
        record = await run_in_threadpool(service.service_record_of_letter, session=session, user=user,
                                         visible=visible, letter_id=letter_id)
        back = f"/requests/{record.request_id}"
        row = await intake.upload(request=request, session=session, user=user, visible=visible,
                                  request_id=record.request_id, service_id=record.id,
                                  check_fields=_csrf_check(request))
    except NotFound:
        session.rollback()
        return _not_found(request)
    except DomainError as exc:
        session.rollback()
        from service.delivery.service import visible_letter

        request_id = visible_letter(session=session, letter_id=letter_id, visible=visible).request_id
        return redirect(f"/requests/{request_id}?{urlencode({'service_error': chinese(exc)})}#service-proofs-{letter_id}")
    return redirect(f"{back}?{urlencode({'flash': f'已上传送达凭证：{row.filename}（{KINDS[row.kind]}）'})}"
                    f"#service-proofs-{letter_id}")


def _not_found(request: Request) -> Response:
    from service.requests.views.common import not_found as page

    return page(request)
