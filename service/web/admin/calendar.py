"""Admin pages for the working-day calendar (日历): installing a year file or regional overlay, which
recomputes the open requests' due dates as ``ogi calendar import`` does."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from service import boundaries
from service.adminlog import service as adminlog
from service.calendar import service as calendar
from service.db import transaction
from service.deps import SessionDep, release_write_slot
from service.web import messages
from service.web.admin.base import Admin, admin_page, save_upload
from service.web.deps import CheckedForm, Visible, redirect
from workflow.calendar import CalendarError
from workflow.errors import InvalidField

router = APIRouter(include_in_schema=False)


@router.get("/admin/calendar")
def calendar_page(request: Request, session: SessionDep, _: Admin, year: str = "", region: str = "") -> Response:
    """The form to install a year file or regional overlay; after an install, a link to its year view."""
    params = {k: v for k, v in (("year", year), ("region", region)) if v}
    shown = "/calendar?" + urlencode(params) if year.isdigit() or region else ""
    label = f"查看{year}年日历" if year.isdigit() else f"查看地区日历 {region}"
    return admin_page(request, session, "admin_calendar.html", shown=shown, shown_label=label)


@router.post("/admin/calendar/import")
def import_calendar(request: Request, form: CheckedForm, session: SessionDep, user: Admin,
                    visible: Visible) -> Response:
    """Install an uploaded calendar file and recompute the open requests' due dates (``ogi calendar import``).

    Only an admin of every unit the file affects may install it (a national year: a deployment admin);
    the install is recorded with its actor."""
    try:
        with tempfile.TemporaryDirectory(prefix="ogi-calendar-") as tmp:
            path = save_upload(form, Path(tmp), (".toml",))
            try:
                kind, key = boundaries.calendar_file_scope(path)
                boundaries.check_calendar_install(session=session, user=user, visible=visible, kind=kind, key=key)
                # The import is a job with its own transaction, as in the CLI (the file and the recomputed
                # due dates go together). This request has only read; ending its transaction now releases
                # SQLite's write lock, which a POST takes up front and the job's transaction would wait on.
                session.rollback()
                # The recomputation commits batch by batch; other writers must not wait for all of it
                # behind this request's write slot (service/db.py).
                release_write_slot(request)
                installed, changed = calendar.import_file(path, actor_id=user.id)
            except CalendarError as exc:
                # The loader names the file by its path; the temporary directory means nothing to the admin.
                raise InvalidField("file", str(exc).replace(f"{tmp}/", ""), code=exc.code,
                                   **{k: v for k, v in exc.params.items() if k not in ("field", "message")}) from None
    except boundaries.NotPermitted:
        session.rollback()
        text = ("安装全国日历会改变所有单位的答复期限，只有全局管理员可以安装。" if kind == "year" else
                f"地区日历 {key} 也用于您管辖范围以外的单位，只有管辖全部这些单位的管理员（或全局管理员）可以安装。")
        return admin_page(request, session, "admin_calendar.html", status_code=403, errors={"file": text}, shown="")
    except InvalidField as exc:
        session.rollback()
        text = messages.admin_text(exc)
        return admin_page(request, session, "admin_calendar.html", status_code=422, errors={"file": text}, shown="")
    if not installed.unchanged:
        with transaction() as log:
            adminlog.record(session=log, actor=user, action="calendar_install", target=f"{installed.kind} {installed.key}",
                            source=installed.source, changed_requests=changed)
    what = f"{installed.key}年全国日历" if installed.kind == "year" else f"地区日历 {installed.key}"
    done = f"{what}未变化，无需安装" if installed.unchanged else f"已安装{what}"
    flash = f"{done}；{changed} 件办理中的申请答复期限已重新计算。"
    year = installed.key if installed.kind == "year" else ""
    region = installed.key if installed.kind == "region" else ""
    return redirect("/admin/calendar?" + urlencode({"flash": flash, "year": year or "", "region": region}))
