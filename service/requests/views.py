"""HTML pages for requests: 工作台 (dashboard), 登记 (registration), 案件 (one case with its actions)
and 查询 (search with CSV export).

Every page calls the same service functions as the API (``service.register``, ``service.act``,
``repository.search``, ``present.request_out``); a domain refusal is shown next to the field it
names, after the transaction is rolled back so nothing is half-written.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session
from starlette.responses import HTMLResponse, Response, StreamingResponse

from service.agencies.models import Agency
from service.agencies.repository import all_agencies
from service.base import utcnow
from service.db import transaction
from service.deps import RowId, SessionDep
from service.requests import present, repository, service
from service.requests.context import calendar_for, local_today, policy_for
from service.users.models import User
from service.web import messages
from service.web.deps import CheckedForm, Visible, WebUser, form_dict, redirect, render, require_roles
from service.web.forms import ACTION_FORMS, action_payload
from workflow.applicants import IdType, OrgKind, check_id
from workflow.errors import DomainError, InvalidField, NotFound
from workflow.registration import DELIVERIES, REQUESTED_FORMS, Channel

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
DASHBOARD_ROWS = 100
REGISTERING_ROLES = ("clerk", "handler", "approver")
Registrar = Annotated[User, Depends(require_roles(*REGISTERING_ROLES, message="只有登记员、承办人和负责人可以登记申请。"))]


# --------------------------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------------------------


def _agencies(session: Session, ids: set[int]) -> dict[int, Agency]:
    return {a.id: a for a in all_agencies(session=session) if a.id in ids}  # type: ignore[misc]


def _not_found(request: Request) -> Response:
    return render(request, "error.html", status_code=404, heading="未找到",
                  message="没有找到这件申请，或您无权查看。", back="/")


# --------------------------------------------------------------------------------------------
# 工作台
# --------------------------------------------------------------------------------------------


@router.get("/")
def dashboard(request: Request, session: SessionDep, user: WebUser, visible: Visible,
              filter: str = "", flash: str = "") -> Response:  # noqa: A002
    """The worklist: open cases by due date with the one clock, filters with counts (今日到期, 本周到期,
    已超期, 暂停中, 我的案件), batch assign and archive, counts per state, the sweep's reminders."""
    from service.requests import worklist

    agencies = _agencies(session, visible)
    now = utcnow()
    own = agencies.get(user.agency_id) or next(iter(agencies.values()), None)
    today = local_today(own, now) if own else now.date()
    active = filter if filter in worklist.FILTERS else ""
    if active:
        rows, total = repository.search(session=session, agency_ids=sorted(visible), limit=DASHBOARD_ROWS,
                                        order="due", where=worklist.filter_clause(active, today=today,
                                                                                  user_id=user.id))  # type: ignore[arg-type]
    else:
        rows, total = repository.search(session=session, agency_ids=sorted(visible), status=messages.OPEN,
                                        limit=DASHBOARD_ROWS, order="due")
    views = present.clock_views(session=session, records=[r for r, _ in rows])
    people = _people(session, {r.handler_id for r, _ in rows if r.handler_id})
    cases = [{"record": r, "agency": agencies[r.agency_id], "clock": views[r.id], "mine": r.handler_id == user.id,
              "handler": people.get(r.handler_id)} for r, _ in rows]  # type: ignore[index]
    counts = repository.status_counts(session=session, agency_ids=sorted(visible))
    open_total = sum(n for s, n in counts.items() if s in messages.OPEN)
    filter_counts = worklist.filter_counts(session=session, agency_ids=sorted(visible), today=today,
                                           user_id=user.id)  # type: ignore[arg-type]
    reminders = present.reminders(session=session, user=user, visible=visible)
    from service.drafts.lateness import stage_lateness

    stage_late = stage_lateness(session=session, records=[r for r, _ in rows], today=today)
    handlers = (worklist.handlers_of(session=session, agency_ids=sorted(visible))
                if user.role in worklist.ASSIGNING_ROLES else [])
    return render(request, "dashboard.html", cases=cases, total_open=total, counts=counts,
                  filters=worklist.FILTERS, filter_counts=filter_counts, open_total=open_total, active=active, handlers=handlers,
                  agencies=agencies, reminders=reminders[:20], reminder_total=len(reminders), stage_late=stage_late,
                  flash=flash or None, can_assign=user.role in worklist.ASSIGNING_ROLES,
                  can_archive=user.role in ("handler", "approver"))


def _people(session: Session, ids: set[int]) -> dict[int, str]:
    """Display names of users by id."""
    if not ids:
        return {}
    from sqlmodel import col, select

    return {u.id: (u.display_name or u.username)  # type: ignore[misc]
            for u in session.exec(select(User).where(col(User.id).in_(ids)))}


@router.post("/worklist/batch")
def worklist_batch(request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
                   visible: Visible) -> Response:
    """Batch assign (分办, approvers) or batch archive (归档) the ticked cases; reports what was refused."""
    from service.requests import worklist

    action = str(form.get("batch") or "")
    back = str(form.get("filter") or "")
    ids = []
    for raw in form.getlist("ids"):
        try:
            ids.append(int(str(raw)))
        except ValueError:
            continue
    ids = [i for i in ids if 0 < i < 2_147_483_648]
    try:
        if action == "assign":
            handler = str(form.get("handler") or "")
            if not handler.isdigit():
                raise InvalidField("handler", "choose a handler")
            result = worklist.assign(session=session, user=user, visible=visible, request_ids=ids,
                                     handler_id=int(handler))
            verb = "分办"
        elif action == "archive":
            result = worklist.archive(session=session, user=user, visible=visible, request_ids=ids)
            verb = "归档"
        else:
            raise InvalidField("batch", "choose assign or archive")
    except DomainError as exc:
        session.rollback()
        errors, _ = messages.form_errors(exc)
        text = "；".join(errors.values())
        return redirect("/?" + urlencode({"flash": f"未执行：{text}", "filter": back}))
    refused = []
    for number, why in result.refused:
        refused.append(f"{number}（{'；'.join(messages.form_errors(why)[0].values()) if isinstance(why, DomainError) else why}）")
    text = f"已{verb} {len(result.done)} 件" + (f"；未{verb} {len(refused)} 件：" + "，".join(refused) if refused else "")
    return redirect("/?" + urlencode({"flash": text, "filter": back}))


# --------------------------------------------------------------------------------------------
# 登记
# --------------------------------------------------------------------------------------------

FORM_LABELS = {"paper": "纸质", "electronic": "电子", "inspection": "当场查阅"}
DELIVERY_LABELS = {"post": "邮寄", "email": "电子邮件", "collection": "自行领取", "online": "网上获取"}
ID_TYPE_LABELS = {"resident_id": "居民身份证", "passport": "护照", "uscc": "统一社会信用代码", "other": "其他证件"}


def _registration_context(values: Mapping[str, Any], errors: Mapping[str, str]) -> dict[str, Any]:
    return {
        "values": values, "errors": errors,
        "channels": [(str(c), c.label) for c in Channel],
        "rules": messages.CHANNEL_RULES,
        "needs_confirmation": [str(c) for c in Channel if c.needs_confirmation],
        "rules_json": json.dumps(messages.CHANNEL_RULES, ensure_ascii=False),
        "needs_json": json.dumps([str(c) for c in Channel if c.needs_confirmation]),
        "org_kind_options": [("", "（请选择）")] + [(str(k), str(k)) for k in OrgKind],
        "id_types": [(str(t), ID_TYPE_LABELS.get(str(t), str(t))) for t in IdType],
        "forms": [(f, FORM_LABELS.get(f, f)) for f in REQUESTED_FORMS],
        "deliveries": [(d, DELIVERY_LABELS.get(d, d)) for d in DELIVERIES],
    }


def _registration_data(values: Mapping[str, Any], agency: Agency) -> dict[str, Any]:
    """The registration body (as the API takes it) from the posted form."""
    tz = ZoneInfo(agency.timezone)
    data: dict[str, Any] = {"channel": values.get("channel", ""), "description": values.get("description", ""),
                            "form": values.get("form", "paper"), "delivery": values.get("delivery", "post")}
    if values.get("ems_number"):
        data["ems_number"] = values["ems_number"]
    raw = values.get("arrival_at")
    if raw:
        try:
            # The clerk types Beijing time; the domain wants an aware timestamp.
            data["arrival_at"] = datetime.fromisoformat(str(raw)).replace(tzinfo=tz)
        except ValueError:
            raise InvalidField("arrival_at", "must be a date YYYY-MM-DD and time",
                               code="date.malformed") from None
    else:
        data["arrival_at"] = utcnow()
    if values.get("confirmed_on"):
        try:
            data["confirmed_on"] = date.fromisoformat(str(values["confirmed_on"]))
        except ValueError:
            raise InvalidField("confirmed_on", "must be a date YYYY-MM-DD", code="date.malformed") from None
    applicant = {key.split(".", 1)[1]: value for key, value in values.items()
                 if key.startswith("applicant.") and key != "applicant.representative"}
    if applicant.get("kind") != "organisation":
        applicant.pop("org_kind", None)
    if values.get("applicant.representative"):
        applicant["representative"] = {"name": values["applicant.representative"]}
    data["applicant"] = applicant
    return data


@router.get("/requests/new")
def registration_form(request: Request, session: SessionDep, user: Registrar) -> Response:
    """The registration form (登记)."""
    agency = session.get(Agency, user.agency_id)
    assert agency is not None
    now = utcnow().astimezone(ZoneInfo(agency.timezone))
    values = {"channel": "in_person", "applicant.kind": "natural_person", "applicant.id_type": "resident_id",
              "arrival_at": now.strftime("%Y-%m-%dT%H:%M"), "form": "paper", "delivery": "post",
              # A double click or a resent form registers once (service.register honours the key).
              "idempotency_key": uuid.uuid4().hex}
    return render(request, "register.html", agency=agency, **_registration_context(values, {}))


@router.post("/requests/new")
def register(request: Request, form: CheckedForm, session: SessionDep, user: Registrar, visible: Visible) -> Response:
    """Register the request; on success show its receipt, else the form again with the errors by the fields."""
    values = form_dict(form)
    agency = session.get(Agency, user.agency_id)
    assert agency is not None
    try:
        data = _registration_data(values, agency)
        record, _ = service.register(session=session, user=user, visible=visible, data=data,
                                     idempotency_key=str(values.get("idempotency_key") or "") or None)
    except DomainError as exc:
        # Nothing of a refused registration may stay (e.g. a serial number taken before the check).
        session.rollback()
        errors, _code = messages.form_errors(exc)
        return render(request, "register.html", status_code=422, agency=agency,
                      **_registration_context(values, errors))
    return redirect(f"/requests/{record.id}/receipt")


@router.post("/requests/new/check-id")
def check_id_number(request: Request, form: CheckedForm, user: WebUser) -> Response:
    """htmx: check an ID number as it is typed (the same check registration runs)."""
    values = form_dict(form)
    number = str(values.get("applicant.id_number", ""))
    try:
        id_type = IdType(str(values.get("applicant.id_type") or "resident_id"))
        normalised = check_id(id_type, number, "applicant.id_number")
    except InvalidField as exc:
        return HTMLResponse(f'<span class="field-error">{escape(messages.field_message(exc))}</span>')
    except ValueError:
        return HTMLResponse("")
    return HTMLResponse(f'<span class="hint">证件号码 {escape(normalised)} 校验通过</span>')


# --------------------------------------------------------------------------------------------
# 案件
# --------------------------------------------------------------------------------------------


def _handlers(session: Session, agency_id: int) -> list[tuple[str, str]]:
    """(username, label) of the unit's handlers and approvers: whom a request can be assigned to (分办)."""
    from sqlmodel import select

    users = session.exec(select(User).where(User.agency_id == agency_id)).all()
    return [(u.username, u.display_name or u.username) for u in users if u.role in ("handler", "approver")]


def _as_of(raw: str | None, today: date) -> date | None:
    """The day a past case is being entered for (补录), if one was asked for and it is not in the future."""
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return day if day is not None and day < today else None


def _case_page(request: Request, session: Session, user: User, visible: set[int], request_id: int, *,
               open_action: str | None = None, errors: Mapping[str, str] | None = None,
               values: Mapping[str, Any] | None = None, status_code: int = 200,
               as_of_raw: str | None = None) -> Response:
    from service.files.views import panel as files_panel
    from service.letters.views import letters_of
    from workflow.clock import explain
    from workflow.machine import allowed_actions

    try:
        record = service.get_visible(session=session, request_id=request_id, visible=visible)
    except NotFound:
        return _not_found(request)
    agency = session.get(Agency, record.agency_id)
    assert agency is not None
    now = present.replay(session=session, record=record)
    out = present.request_out(session=session, record=record, user=user, now=now)
    case, status, today = now.case, now.status, now.day
    calendar, policy = calendar_for(agency), policy_for(agency)
    days = explain(case, calendar, policy, as_of=today)
    # Entering a past case (补录): the actions the workflow allowed on that day; each action still
    # checks its own dates when posted.
    as_of = _as_of(as_of_raw if as_of_raw is not None else request.query_params.get("as_of"), today)
    allowed = (allowed_actions(case, service.actor_of(user), today=as_of, calendar=calendar, policy=policy)
               if as_of else out.allowed_actions)
    actions = [ACTION_FORMS[name] for name in allowed if name in ACTION_FORMS]
    open_reviews = [(r.id, f"{r.id} {'行政复议' if r.kind == 'reconsideration' else '行政诉讼'}（{r.body}）")
                    for r in case.reviews if r.outcome is None]
    from service.delivery.views import service_card
    from service.similar import similar

    delivery = service_card(session=session, request_id=record.id, case=case, calendar=calendar, policy=policy)  # type: ignore[arg-type]
    from service.drafts import service as drafts
    from workflow.drafts import DRAFT_STATUS_LABELS, DraftStatus, draftable

    draft_rows = [{"id": d.id, "action": d.action, "version": d.version, "letter_id": d.letter_id,
                   "status": DRAFT_STATUS_LABELS[DraftStatus(d.status)]}
                  for d in drafts.for_request(session=session, request_id=record.id)]  # type: ignore[arg-type]
    # What may be drafted now: the letter-sending actions the approver (the signer) could perform today.
    from workflow.machine import Actor, Role

    can_draft = [a for a in allowed_actions(case, Actor("signer", Role.APPROVER), today=today, calendar=calendar,
                                            policy=policy) if a in draftable()] if user.role in ("handler", "approver") else []
    return render(request, "case.html", status_code=status_code, r=out, record=record, agency=agency, case=case,
                  delivery=delivery, service_error=request.query_params.get("service_error"),
                  drafts=draft_rows, can_draft=can_draft, handlers=_handlers(session, record.agency_id),
                  similar=similar(session=session, record=record),
                  clock=status, days=days, today=(as_of or today).isoformat(), as_of=as_of, actions=actions,
                  open_action=open_action, errors=errors or {}, values=values or {},
                  letters=letters_of(session=session, request_id=record.id), open_reviews=open_reviews,
                  files=files_panel(session=session, request_id=record.id),
                  view=present.view_of(case, status, reminder_days=policy.reminder_days),
                  flash=request.query_params.get("flash"))


@router.get("/requests/{request_id}")
def case_page(request_id: RowId, request: Request, session: SessionDep, user: WebUser, visible: Visible) -> Response:
    """One case: summary, clock with its day-by-day explanation, timeline, actions, letters, reviews."""
    return _case_page(request, session, user, visible, request_id)


@router.post("/requests/{request_id}/actions")
def case_action(request_id: RowId, request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
                visible: Visible) -> Response:
    """Perform one action from its form; refusals come back next to the field or above the form."""
    values = form_dict(form)
    action = str(values.get("action", ""))
    try:
        service.act(session=session, user=user, visible=visible, request_id=request_id,
                    payload=action_payload(action, {k: v for k, v in values.items() if k != "as_of"}))
    except NotFound:
        session.rollback()
        return _not_found(request)
    except DomainError as exc:
        session.rollback()
        errors, code = messages.form_errors(exc)
        return _case_page(request, session, user, visible, request_id, open_action=action, errors=errors,
                          values=values, status_code=code, as_of_raw=str(values.get("as_of") or ""))
    done = messages.ACTION_LABELS.get(action, action)
    return redirect(f"/requests/{request_id}?{urlencode({'flash': f'已完成：{done}'})}")


@router.get("/requests/{request_id}/receipt")
def receipt_page(request_id: RowId, request: Request, session: SessionDep, user: WebUser, visible: Visible) -> Response:
    """After registration: the receipt letter (登记回执) ready to print, with the case's number and due date."""
    from service.letters.views import letters_of

    try:
        record = service.get_visible(session=session, request_id=request_id, visible=visible)
    except NotFound:
        return _not_found(request)
    receipt = next((letter for letter in letters_of(session=session, request_id=record.id)
                    if letter["kind"] == "receipt"), None)
    from service.similar import similar

    return render(request, "receipt.html", record=record, receipt=receipt,
                  similar=similar(session=session, record=record))


# --------------------------------------------------------------------------------------------
# 查询
# --------------------------------------------------------------------------------------------


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
    agencies = _agencies(session, visible)
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
