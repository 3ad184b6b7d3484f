"""HTML pages for letters: the list on a case page, a preview page, and the issued HTML for printing.

The PDF is served by the API (``GET /api/v1/letters/{id}/pdf``), which accepts the desk's session
cookie for GET requests, so the page links straight to it.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import HTMLResponse, Response

from service.deps import RowId, SessionDep
from service.web.deps import Visible, WebUser, render
from workflow.replies import ELEMENTS

router = APIRouter(include_in_schema=False)


def letters_of(*, session: Session, request_id: int) -> list[dict[str, Any]]:
    """A request's letters for display: number, title, date, links, and what was missing if forced."""
    from service.letters import repository

    letters = list(repository.for_request(session=session, request_id=request_id))
    replaced = repository.superseded_ids(session=session, letter_ids=[int(x.id) for x in letters if x.id])
    result = []
    for letter in letters:
        missing = [ELEMENTS.get(m, m) for m in json.loads(letter.missing or "[]")]
        result.append({
            "id": letter.id, "kind": letter.kind, "title": letter.title, "number": letter.number,
            "issued_on": letter.issued_on, "forced": letter.forced, "missing": missing,
            "superseded_by": replaced.get(int(letter.id or 0)),
            "page": f"/letters/{letter.id}", "html": f"/letters/{letter.id}/html",
            "pdf": f"/api/v1/letters/{letter.id}/pdf",
        })
    return result


def _visible_letter(session: Session, letter_id: int, visible: set[int]) -> Any:
    from service.letters import repository

    letter = repository.get(session=session, letter_id=letter_id)
    # Another unit's letter is "not found", like its request (existence never leaks).
    return letter if letter is not None and letter.agency_id in visible else None


@router.get("/letters/{letter_id}")
def letter_page(letter_id: RowId, request: Request, session: SessionDep, user: WebUser, visible: Visible) -> Response:
    """A letter's preview with its number, the element check and the PDF download."""
    letter = _visible_letter(session, letter_id, visible)
    if letter is None:
        return render(request, "error.html", status_code=404, heading="未找到", message="没有找到这份文书，或您无权查看。")
    missing = [ELEMENTS.get(m, m) for m in json.loads(letter.missing or "[]")]
    from service.letters import repository

    # 作废: a superseded letter links to its replacement; the replacement to what it voids.
    replaced_by = repository.superseded_by(session=session, letter_id=letter_id)
    voids = repository.get(session=session, letter_id=letter.supersedes_id) if letter.supersedes_id else None
    return render(request, "letter.html", letter=letter, missing=missing, replaced_by=replaced_by, voids=voids,
                  error=request.query_params.get("error"))


@router.get("/letters/{letter_id}/html")
def letter_html(letter_id: RowId, session: SessionDep, user: WebUser, visible: Visible) -> Response:
    """The letter exactly as issued (HTML snapshot), for the preview frame and for printing."""
    letter = _visible_letter(session, letter_id, visible)
    if letter is None:
        return HTMLResponse("<p>未找到</p>", status_code=404)
    # The snapshot is our own rendered template; scripts are not expected, so forbid them outright.
    return HTMLResponse(letter.html, headers={"Content-Security-Policy": "script-src 'none'"})
