"""HTTP routes for letters: a request's letters, one letter (metadata, HTML, PDF), checking an upload."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.types import Message

from service.deps import CurrentUser, RowId, SessionDep, VisibleAgencies
from service.errors import INVALID_RESPONSE, invalid_body
from service.letters import repository, service
from service.letters.extract import Extracted, UnsupportedType, extract, kind_of
from service.letters.models import Letter
from service.letters.render import html_to_pdf
from service.letters.schemas import CheckReport, ElementCheck, LetterOut, LetterSummary
from service.settings import get_settings
from workflow.errors import InvalidField, NotFound
from workflow.letters.check import Expect, check_text
from workflow.replies import DECISIONS, ELEMENTS

router = APIRouter(tags=["letters"])
NOT_FOUND = {404: {"description": "not found (or not visible to you)"}}


def _visible_letter(*, session: SessionDep, letter_id: int, visible: set[int]) -> Letter:
    letter = repository.get(session=session, letter_id=letter_id)
    if letter is None or letter.agency_id not in visible:
        raise NotFound(f"letter {letter_id} not found")
    return letter


def _labels(codes: list[str]) -> dict[str, str]:
    return {c: ELEMENTS.get(c.split(":")[0], c) for c in codes}


def _summary(letter: Letter, superseded: dict[int, int]) -> dict:
    return {"id": letter.id, "kind": letter.kind, "title": letter.title, "number": letter.number,
            "issued_on": letter.issued_on, "decision": letter.decision, "forced": letter.forced,
            "superseded_by": superseded.get(letter.id or 0), "supersedes": letter.supersedes_id}


@router.get("/requests/{request_id}/letters", response_model=list[LetterSummary], responses=NOT_FOUND)
def request_letters(request_id: RowId, session: SessionDep, _: CurrentUser, visible: VisibleAgencies) -> list[dict]:
    """A request's letters in issue order, corrections pointing at what they supersede."""
    from service.requests.service import get_visible

    get_visible(session=session, request_id=request_id, visible=visible)
    letters = repository.for_request(session=session, request_id=request_id)
    superseded = repository.superseded_ids(session=session, letter_ids=[x.id for x in letters if x.id])
    return [_summary(x, superseded) for x in letters]


@router.get("/letters/{letter_id}", response_model=LetterOut, responses=NOT_FOUND)
def read_letter(letter_id: RowId, session: SessionDep, _: CurrentUser, visible: VisibleAgencies) -> dict:
    """One letter's metadata and its element check as recorded when it was issued."""
    letter = _visible_letter(session=session, letter_id=letter_id, visible=visible)
    superseded = repository.superseded_ids(session=session, letter_ids=[letter_id])
    missing = json.loads(letter.missing)
    present = [c for c in ELEMENTS if c not in {m.split(":")[0] for m in missing}] if letter.kind == "reply" else []
    return {**_summary(letter, superseded), "request_id": letter.request_id, "addressee": letter.addressee,
            "seal_mode": letter.seal_mode, "seal_confirmed": letter.seal_confirmed,
            "clause_versions": json.loads(letter.clause_versions), "sha256": letter.sha256,
            "created_at": letter.created_at,
            "check": ElementCheck(found=present, missing=missing, labels=_labels(present + missing),
                                  decision=letter.decision)}


@router.get("/letters/{letter_id}/html", response_class=HTMLResponse, responses=NOT_FOUND)
def letter_html(letter_id: RowId, session: SessionDep, _: CurrentUser, visible: VisibleAgencies) -> HTMLResponse:
    """The letter exactly as issued (stored snapshot)."""
    letter = _visible_letter(session=session, letter_id=letter_id, visible=visible)
    return HTMLResponse(letter.html, headers={"ETag": f'"{letter.sha256}"'})


@router.get("/letters/{letter_id}/pdf", response_class=Response, responses=NOT_FOUND)
def letter_pdf(letter_id: RowId, session: SessionDep, _: CurrentUser, visible: VisibleAgencies) -> Response:
    """The letter as PDF, rendered from the stored snapshot (a reprint shows what was sent then)."""
    letter = _visible_letter(session=session, letter_id=letter_id, visible=visible)
    return Response(html_to_pdf(letter.html), media_type="application/pdf",
                    headers={"Content-Disposition": content_disposition(letter.number, letter.id)})


def content_disposition(number: str, letter_id: int | None) -> str:
    """``inline`` with the letter's number as file name (RFC 6266/5987), and an ASCII fallback
    (``letter-2026-49.pdf``) for clients that do not read ``filename*``."""
    digits = "-".join(part for part in "".join(c if c.isdigit() else " " for c in number).split())
    fallback = f"letter-{digits or letter_id}.pdf"
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(number + '.pdf', safe='')}"


class UploadLimitRoute(APIRoute):
    """A route that refuses an upload over ``letter_check_max_bytes`` at once (413), before the multipart
    body is parsed: from Content-Length when given, else while the body streams in."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            limit = get_settings().letter_check_max_bytes
            declared = request.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit + 64 * 1024:
                return _too_large(limit)
            received = 0
            receive = request.receive

            async def counting() -> Message:
                nonlocal received
                message = await receive()
                received += len(message.get("body", b""))
                if received > limit + 64 * 1024:
                    raise _TooLarge()
                return message

            request = Request(request.scope, counting)
            try:
                return await handler(request)
            except _TooLarge:
                return _too_large(limit)

        return limited


class _TooLarge(Exception):
    pass


# POST /letters/check lives on its own router so its size limit applies before the body is parsed.
check_router = APIRouter(tags=["letters"], route_class=UploadLimitRoute)


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(status_code=413, content=invalid_body("file", f"larger than {limit // (1024 * 1024)} MB"),
                        headers={"Connection": "close"})


# Reading uploads (pdftotext, OCR, DOCX) runs on a small pool of its own, never on the threads that
# serve other users; a full queue answers 503 at once instead of stalling everybody.
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="letter-check")
_QUEUE = threading.BoundedSemaphore(8)


async def _read_letter(data: bytes, *, filename: str, content_type: str, registered: bytes | None) -> Extracted:
    if not _QUEUE.acquire(blocking=False):
        raise _Busy()
    try:
        future = _POOL.submit(extract, data, filename=filename, content_type=content_type,
                              registered_seal=registered)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), get_settings().letter_check_timeout_s)
        except TimeoutError:
            raise InvalidField("file", "the letter could not be read in time (too many pages or images)",
                               code="letter.read_timeout") from None
    finally:
        _QUEUE.release()


class _Busy(Exception):
    pass


CHECK_RESPONSES: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND, **INVALID_RESPONSE,
    413: {"description": "the file is larger than the limit"},
    415: {"description": "not a PDF, DOCX or text letter"},
    503: {"description": "too many letters being read; retry after the given seconds"},
}


@check_router.post("/letters/check", response_model=CheckReport, responses=CHECK_RESPONSES)
async def check_upload(
    session: SessionDep, user: CurrentUser, visible: VisibleAgencies,
    file: Annotated[UploadFile, File(description="the letter: PDF (text or scanned), DOCX or UTF-8/GB18030 text")],
    request_id: Annotated[int | None, Form(description="attach to this request: a defect is recorded")] = None,
    decision: Annotated[str | None, Form(description="the decision the letter should carry")] = None,
) -> Any:
    """Check a letter made outside the system with the checker of the system's own letters: read its
    text (text layer, OCR for a scan, DOCX), look for a seal (the agency's registered e-seal image or a
    red round stamp), and report the LAW.md §6 elements found and missing. Attached to a request, the
    remedy notice is compared with the agency's configured 复议 body and court and the rule in force,
    and a letter with missing elements records one ``ogi.reply_defect`` (idempotent per request and file)."""
    limit = get_settings().letter_check_max_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        return _too_large(limit)
    if not data:
        raise InvalidField("file", "the file is empty", code="upload.empty")
    if decision is not None and decision not in DECISIONS:
        raise InvalidField("decision", f"unknown decision {decision!r}; one of {', '.join(DECISIONS)}",
                           code="letter.unknown_decision", decision=decision)
    kind = kind_of(data)
    if kind in ("zip", "binary"):
        return JSONResponse(status_code=415, content=invalid_body(
            "file", "not a letter file: send a PDF, a DOCX or UTF-8/GB18030 text"))

    def context() -> tuple[Any, Any, tuple[str, ...], bytes | None]:
        from service.agencies.models import Agency

        record = None
        agency = session.get(Agency, user.agency_id) if user.agency_id else None
        facts: tuple[str, ...] = ()
        if request_id is not None:
            from service.requests.service import get_visible, load_case

            record = get_visible(session=session, request_id=request_id, visible=visible)
            agency = session.get(Agency, record.agency_id)
            facts = service.facts_of(load_case(session=session, record=record))
        return record, agency, facts, service.registered_seal(agency) if agency is not None else None

    record, agency, facts, registered = await run_in_threadpool(context)
    try:
        got = await _read_letter(data, filename=file.filename or "", content_type=file.content_type or "",
                                 registered=registered)
    except _Busy:
        return JSONResponse(status_code=503, headers={"Retry-After": "10"},
                            content={"detail": "too many letters are being read; retry in a few seconds"})
    except UnsupportedType as exc:
        return JSONResponse(status_code=415, content=invalid_body(exc.field, exc.message))
    expect = None
    if record is not None and agency is not None:
        expect = Expect(agency_name=agency.name, reconsideration_body=(agency.reconsideration_body or "").strip(),
                        court=(agency.court or "").strip(), vertically_managed=bool(agency.vertically_managed),
                        day=date.today())
    report = check_text(got.text, kind="reply", decision=decision, facts=facts, seal=got.seal, expect=expect)
    recorded = False
    if record is not None and report.missing:
        recorded = await run_in_threadpool(lambda: service.record_upload_defect(
            session=session, record=record, report=report, data=data, filename=file.filename or "",
            user_id=user.id))
    return CheckReport(found=list(report.found), missing=list(report.missing), unchecked=list(report.unchecked),
                       labels=_labels(list(report.found + report.missing + report.unchecked)),
                       decision=report.decision, pages=got.pages, characters=len(got.text.strip()),
                       recorded=recorded, method=got.method, seal_kind=got.seal_kind, note=got.note)
