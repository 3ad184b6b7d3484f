"""The 工作台 (dashboard) page: the worklist of open cases by due date with its filters, counts and
reminders, and the batch assign (分办) and archive (归档) posted from it."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.base import utcnow
from service.deps import SessionDep
from service.requests import present, repository
from service.requests.context import local_today
from service.requests.views.common import agencies_of
from service.users import service as users
from service.web import messages
from service.web.deps import CheckedForm, Visible, WebUser, redirect, render
from workflow.errors import DomainError, InvalidField

router = APIRouter(include_in_schema=False)

DASHBOARD_ROWS = 100


@router.get("/")
def dashboard(request: Request, session: SessionDep, user: WebUser, visible: Visible,
              filter: str = "", flash: str = "") -> Response:  # noqa: A002
    """The worklist: open cases by due date with the one clock, filters with counts (今日到期, 本周到期,
    已超期, 暂停中, 我的案件), batch assign and archive, counts per state, the sweep's reminders."""
    from service.requests import worklist

    agencies = agencies_of(session, visible)
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
    people = users.display_names(session=session, user_ids={r.handler_id for r, _ in rows if r.handler_id})
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
                raise InvalidField("handler", "choose a handler", code="request.handler_required")
            result = worklist.assign(session=session, user=user, visible=visible, request_ids=ids,
                                     handler_id=int(handler))
            verb = "分办"
        elif action == "archive":
            result = worklist.archive(session=session, user=user, visible=visible, request_ids=ids)
            verb = "归档"
        else:
            raise InvalidField("batch", "choose assign or archive", code="request.batch_unknown")
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
