"""The 查询 (search) page and its CSV export: filters by number, applicant, text, state, due range and
unit; pages by keyset; the export streams every row of the result."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from sqlmodel import Session
from starlette.responses import Response, StreamingResponse

from service.agencies.models import Agency
from service.db import transaction
from service.deps import SessionDep
from service.requests import present, repository
from service.requests.views.common import agencies_of
from service.web import messages
from service.web.deps import Visible, WebUser, render
from workflow.errors import InvalidField

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


@dataclass
class SearchForm:
    """The search filters as typed (kept as text so the form shows them back)."""

    q: str = ""
    status: list[str] | None = None
    due_from: str = ""
    due_to: str = ""
    agency: str = ""
    page: int = 1


def _parse_date(value: str, name: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = "请填写日期（年-月-日）"
        return None


def _search(session: Session, visible: set[int], f: SearchForm, *, offset: int, limit: int,
            after: str | None = None, before: str | None = None
            ) -> tuple[repository.Page, dict[str, str], dict[int, Agency]]:
    errors: dict[str, str] = {}
    due_from = _parse_date(f.due_from, "due_from", errors)
    due_to = _parse_date(f.due_to, "due_to", errors)
    agencies = agencies_of(session, visible)
    agency_id = None
    if f.agency:
        agency_id = next((a.id for a in agencies.values() if a.code == f.agency), None)
        if agency_id is None:
            errors["agency"] = "不是您可以查看的单位"
    if errors:
        return repository.Page([], 0, True, None, None), errors, agencies
    try:
        found = repository.page(session=session, agency_ids=sorted(visible), q=f.q or None, status=f.status or [],
                                due_from=due_from, due_to=due_to, agency_id=agency_id, offset=offset, limit=limit,
                                order="due", after=after, before=before)
    except InvalidField as exc:
        errors[exc.field if exc.field in ("q", "after", "before") else "q"] = messages.field_message(exc)
        return repository.Page([], 0, True, None, None), errors, agencies
    return found, errors, agencies


MAX_PAGE = 1_000_000


def _search_form(q: str, status: list[str], due_from: str, due_to: str, agency: str, page: int) -> SearchForm:
    return SearchForm(q=q.strip(), status=[s for s in status if s in messages.STATUS], due_from=due_from.strip(),
                      due_to=due_to.strip(), agency=agency.strip(),
                      page=min(max(page, 1), MAX_PAGE))  # a page past any result, not an integer overflow


@router.get("/search")
def search_page(request: Request, session: SessionDep, user: WebUser, visible: Visible,
                q: str = "", status: list[str] = Query([]), due_from: str = "",  # noqa: B006
                due_to: str = "", agency: str = "", page: int = 1, after: str = "", before: str = "") -> Response:
    """Search by number, applicant, text, state, due range and unit; paginated; CSV link.

    Pages after the first follow a keyset cursor (``after``/``before``: the due key and id of the row
    at the edge of the page), so page 2,000 costs what page 2 costs; a bare ``page`` number (typed or
    from an old link) still works by offset."""
    f = _search_form(q, status, due_from, due_to, agency, page)
    keyset = bool(after or before)
    found, errors, agencies = _search(session, visible, f, offset=0 if keyset else (f.page - 1) * PAGE_SIZE,
                                      limit=PAGE_SIZE, after=after or None, before=before or None)
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "after", "before")]
    pages = max(1, -(-found.total // PAGE_SIZE))
    views = present.clock_views(session=session, records=[r for r, _ in found.rows])
    return render(request, "search.html", status_code=422 if errors else 200, f=f, rows=found.rows,
                  total=found.total, exact=found.exact, next_after=found.next_after,
                  prev_before=found.prev_before if f.page > 2 else None,
                  views=views, unit_names={a.id: a.name for a in agencies.values()},
                  errors=errors, page=f.page, pages=pages, agencies=sorted(agencies.values(), key=lambda a: a.code),
                  query=urlencode(params), all_statuses=list(messages.STATUS.items()))


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (text typed by applicants lands here)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_HEADER = ["编号", "单位", "状态", "申请人", "申请方式", "收到日期", "答复期限", "期限为暂定", "剩余工作日", "期限情况",
              "答复类型", "答复日期", "申请内容"]


CSV_BATCH = 2000


@router.get("/search.csv")
def search_csv(request: Request, session: SessionDep, user: WebUser, visible: Visible,
               q: str = "", status: list[str] = Query([]), due_from: str = "",  # noqa: B006
               due_to: str = "", agency: str = "") -> Response:
    """The whole search result as CSV (UTF-8 with BOM so spreadsheet programs read the Chinese): every
    row, streamed page by page (keyset, ``CSV_BATCH`` rows at a time) from a read-only transaction of
    its own, so memory stays flat however many rows there are and nothing is cut off."""
    f = _search_form(q, status, due_from, due_to, agency, 1)
    first, errors, agencies = _search(session, visible, f, offset=0, limit=CSV_BATCH)
    if errors:
        return Response("; ".join(f"{k}: {v}" for k, v in errors.items()), status_code=422,
                        media_type="text/plain; charset=utf-8")
    url = str(session.get_bind().url.render_as_string(hide_password=False))

    def lines() -> Iterator[str]:

        buf = io.StringIO()
        buf.write("\ufeff")
        writer = csv.writer(buf)
        writer.writerow(CSV_HEADER)
        found = first
        with transaction(url, readonly=True) as reader:
            while True:
                # The same clock as every page: each batch's events in one query.
                views = present.clock_views(session=reader, records=[r for r, _ in found.rows])
                for record, _code in found.rows:
                    view = views[record.id]  # type: ignore[index]
                    # Numbers are written as numbers (a negative count is not a formula to guard against).
                    writer.writerow([v if isinstance(v, int) else _cell(v) for v in (
                        record.number, agencies[record.agency_id].name, messages.status_label(record.status),
                        record.applicant_name, messages.CHANNELS.get(record.channel, record.channel),
                        record.received_on, view.due_on, "是" if view.provisional else "",
                        "" if view.days_left is None else view.days_left, view.label,
                        messages.DECISION_LABELS.get(record.decision or "", record.decision or ""),
                        record.replied_on, record.description)])
                # One chunk per batch: each chunk costs a trip through the ASGI stack.
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
                if found.next_after is None:
                    break
                found, _, _ = _search(reader, visible, f, offset=0, limit=CSV_BATCH, after=found.next_after)
                reader.expunge_all()

    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": "attachment; filename=requests.csv"})
