"""The desk's 归档 pages: batch archiving of replied cases (each gets its 档号), recently archived case
files with their PDF and ZIP, and the list of case files due for disposal review (nothing is deleted)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session, col, select
from starlette.responses import Response

from service.archive import service
from service.archive.models import ArchiveRecord
from service.deps import SessionDep
from service.requests import repository as requests_repository
from service.requests.models import RequestRecord
from service.web import messages
from service.web.deps import CheckedForm, Visible, WebUser, redirect, render
from workflow.errors import DomainError

router = APIRouter(include_in_schema=False)
ARCHIVING_ROLES = ("handler", "approver")


def _recent(session: Session, visible: set[int], limit: int = 50) -> list[tuple[ArchiveRecord, RequestRecord]]:
    stmt = (select(ArchiveRecord, RequestRecord).join(RequestRecord, RequestRecord.id == ArchiveRecord.request_id)
            .where(col(ArchiveRecord.agency_id).in_(sorted(visible))).order_by(col(ArchiveRecord.id).desc()).limit(limit))
    return list(session.exec(stmt))  # type: ignore[arg-type]


def _page(request: Request, session: Session, user: Any, visible: set[int], *, error: str = "",
          status_code: int = 200) -> Response:
    replied, total = requests_repository.search(session=session, agency_ids=sorted(visible), status=["replied"],
                                                limit=200, order="due")
    return render(request, "archive.html", status_code=status_code, replied=replied, replied_total=total,
                  recent=_recent(session, visible), can_archive=user.role in ARCHIVING_ROLES, error=error,
                  today=date.today().isoformat(), flash=request.query_params.get("flash"))


@router.get("/archive")
def archive_page(request: Request, session: SessionDep, user: WebUser, visible: Visible) -> Response:
    """Replied cases waiting to be archived, and the latest archived case files."""
    return _page(request, session, user, visible)


@router.post("/archive")
def archive_batch_page(request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
                       visible: Visible) -> Response:
    """Archive the ticked cases together (all or none); each gets its 档号."""
    ids = [int(v) for v in form.getlist("request_id") if isinstance(v, str) and v.isdigit() and len(v) < 10]
    raw_on = form.get("on")
    try:
        on = date.fromisoformat(raw_on) if isinstance(raw_on, str) and raw_on else None
    except ValueError:
        return _page(request, session, user, visible, error="归档日期格式有误。", status_code=422)
    try:
        rows = service.archive_many(session=session, user=user, visible=visible, request_ids=ids, on=on)
    except DomainError as exc:
        session.rollback()
        errors, code = messages.form_errors(exc)
        text = "；".join(errors.values()) if ids else "请至少勾选一件案件。"
        return _page(request, session, user, visible, error=f"未归档（全部撤销）：{text}", status_code=code)
    numbers = "、".join(r.number for r in rows)
    return redirect(f"/archive?{urlencode({'flash': f'已归档 {len(rows)} 件：{numbers}'})}")


@router.get("/archive/retention")
def retention_page(request: Request, session: SessionDep, user: WebUser, visible: Visible) -> Response:
    """Case files whose 保管期限 has run, for the disposal review (鉴定); nothing is deleted here."""
    raw = request.query_params.get("as_of") or ""
    try:
        as_of = date.fromisoformat(raw) if raw else None
    except ValueError:
        as_of = None
    rows = service.due_for_review(session=session, visible=visible, as_of=as_of)
    numbers = {r.id: r.number for r in session.exec(select(RequestRecord).where(
        col(RequestRecord.id).in_([x.request_id for x in rows])))} if rows else {}
    return render(request, "archive_retention.html", rows=rows, numbers=numbers, as_of=as_of)
