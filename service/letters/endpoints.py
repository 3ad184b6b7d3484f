"""HTTP routes for letters: a request's letters, one letter (metadata, HTML, PDF), checking an upload."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse, Response

from service.deps import CurrentUser, RowId, SessionDep, VisibleAgencies
from service.errors import INVALID_RESPONSE
from service.letters import repository, service
from service.letters.extract import extract
from service.letters.models import Letter
from service.letters.render import html_to_pdf
from service.letters.schemas import CheckReport, ElementCheck, LetterOut, LetterSummary
from workflow.errors import InvalidField, NotFound
from workflow.replies import DECISIONS, ELEMENTS, find_elements

router = APIRouter(tags=["letters"])
NOT_FOUND = {404: {"description": "not found (or not visible to you)"}}
MAX_UPLOAD = 20 * 1024 * 1024


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
                    headers={"Content-Disposition": f'inline; filename="letter-{letter.id}.pdf"'})


@router.post("/letters/check", response_model=CheckReport, responses={**NOT_FOUND, **INVALID_RESPONSE})
def check_upload(
    session: SessionDep, user: CurrentUser, visible: VisibleAgencies,
    file: Annotated[UploadFile, File(description="the letter: PDF or UTF-8/GB18030 text")],
    request_id: Annotated[int | None, Form(description="attach to this request: a defect is recorded")] = None,
    decision: Annotated[str | None, Form(description="the decision the letter should carry")] = None,
) -> CheckReport:
    """Check a reply made outside the system: extract its text and report the LAW.md §6 elements found
    and missing. Attached to a request, a letter with missing elements records one ``ogi.reply_defect``
    assessment event (idempotent per request and file)."""
    if decision is not None and decision not in DECISIONS:
        raise InvalidField("decision", f"unknown decision {decision!r}; one of {', '.join(DECISIONS)}")
    data = file.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidField("file", "larger than 20 MB")
    got = extract(data, filename=file.filename or "", content_type=file.content_type or "")
    facts: tuple[str, ...] = ()
    record = None
    if request_id is not None:
        from service.requests.service import get_visible, load_case

        record = get_visible(session=session, request_id=request_id, visible=visible)
        facts = service.facts_of(load_case(session=session, record=record))
    report = find_elements(got.text, decision=decision, facts=facts, has_seal_image=got.has_seal_image)
    recorded = False
    if record is not None and report.missing:
        recorded = service.record_upload_defect(session=session, record=record, report=report, data=data,
                                                filename=file.filename or "", user_id=user.id)
    return CheckReport(found=list(report.found), missing=list(report.missing), unchecked=list(report.unchecked),
                       labels=_labels(list(report.found + report.missing + report.unchecked)),
                       decision=report.decision, pages=got.pages, characters=len(got.text.strip()),
                       recorded=recorded)

