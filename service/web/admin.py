"""HTML pages for administration (管理), for admins only and only over their own unit and those below
it: units (list, import a file), users (list, add, unlock, issue an API token), the working-day
calendar (install a year file or regional overlay) and assessment schemes (which offices they grade).

Anyone who is not an admin gets 404, as for any page they may not know of. Each form posts the CSRF
token; each write is one transaction (the request's, or for a calendar the import job's own, exactly
as ``ogi calendar import``), and a refusal comes back in Chinese beside the field. The rules live in
the service functions called here: this module only reads the form and words the answer.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from service import boundaries
from service.adminlog import service as adminlog
from service.agencies.models import Agency
from service.agencies.repository import all_agencies
from service.agencies.service import import_within
from service.assessment import repository as assessment_repository
from service.assessment import service as assessment
from service.calendar import service as calendar
from service.db import transaction
from service.deps import RowId, SessionDep, release_write_slot
from service.users import service as users
from service.users.models import User
from service.web import messages
from service.web.deps import CheckedForm, Visible, form_dict, hidden_unless_role, redirect, render
from workflow.calendar import CalendarError
from workflow.errors import DomainError, InvalidField, NotFound
from workflow.machine import Role

router = APIRouter(include_in_schema=False)

Admin = Annotated[User, Depends(hidden_unless_role(Role.ADMIN.value))]

# A units file or a year's calendar is a few kilobytes; a megabyte is far more than any real one.
MAX_UPLOAD_BYTES = 1_000_000
# The uploaded name is kept (the calendar checks that 2027.toml holds 2027, as the CLI does) only
# when it is a plain file name; anything else is renamed, never used as a path.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.-]{1,80}")
TABS = (("/admin/agencies", "单位"), ("/admin/users", "用户"), ("/admin/calendar", "日历"), ("/admin/schemes", "考核方案"),
        ("/admin/notify", "通知投递"))


def _units(session: Session, visible: set[int]) -> list[Agency]:
    """The admin's units (own and below), by code."""
    return [a for a in all_agencies(session=session) if a.id in visible]


def _page(request: Request, session: Session, template: str, status_code: int = 200, **context: Any) -> Response:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    home = session.get(Agency, request.state.web_user.agency_id)
    return render(request, template, status_code=status_code, tabs=TABS, home=home.name if home else "",
                  flash=context.pop("flash", None) or request.query_params.get("flash"), **context)


def _save_upload(form: FormData, directory: Path, suffixes: tuple[str, ...]) -> Path:
    """The form's ``file`` written into ``directory``; InvalidField("file") when missing or unfit."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidField("file", "required", code="field.required")
    data = upload.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidField("file", "file too large", code="file.too_large_upload")
    name = Path(upload.filename).name
    suffix = Path(name).suffix.lower()
    if suffix not in suffixes:
        raise InvalidField("file", f"must be a {' / '.join(suffixes)} file", code="file.wrong_type",
                           types=" / ".join(suffixes))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidField("file", "not UTF-8 text", code="file.not_utf8") from None
    path = directory / (name if _PLAIN_NAME.fullmatch(name) else f"upload{suffix}")
    path.write_bytes(data)
    return path


@router.get("/admin")
def admin_home(_: Admin) -> Response:
    """管理 opens on the units page."""
    return redirect("/admin/agencies")


# --------------------------------------------------------------------------------------------
# 单位
# --------------------------------------------------------------------------------------------


def _agencies_page(request: Request, session: Session, visible: set[int], status_code: int = 200,
                   **context: Any) -> Response:
    from scoring.vocabulary import load_vocabulary
    from service.agencies.attributes import as_dict, history

    units = _units(session, visible)
    names = {a.id: a.name for a in all_agencies(session=session)}
    codes = {a.id: a.code for a in all_agencies(session=session)}
    vocab = load_vocabulary()
    attrs = {a.id: [as_dict(r, codes) for r in history(session=session, agency_id=a.id)] for a in units}  # type: ignore[arg-type]
    return _page(request, session, "admin_agencies.html", status_code=status_code, units=units, names=names,
                 attrs=attrs, type_names=vocab.types, level_names=vocab.levels,
                 unit_options=[(a.code, f"{a.code} {a.name}") for a in units],
                 type_options=[("", "（不变）")] + [(k, f"{v}（{k}）") for k, v in vocab.types.items()],
                 level_options=[("", "（不变）")] + [(k, v) for k, v in vocab.levels.items()],
                 parent_options=[("", "（不变）")] + [(a.code, f"{a.code} {a.name}") for a in units], **context)


@router.post("/admin/agencies/attributes")
def set_agency_attributes(request: Request, form: CheckedForm, session: SessionDep, user: Admin,
                          visible: Visible) -> Response:
    """Set a unit's type, level, summation parent or target points from a day on (the API's PUT)."""
    from datetime import date

    from service.agencies.attributes import set_from
    from service.agencies.repository import by_code

    values = form_dict(form)
    code = str(values.get("unit", ""))
    try:
        agency = by_code(session=session, code=code)
        if agency is None or agency.id not in visible:
            raise InvalidField("unit", "not one of your units", code="lookup.not_found")
        raw_from = str(values.get("valid_from", "")).strip()
        try:
            valid_from = date.fromisoformat(raw_from) if raw_from else None
        except ValueError:
            raise InvalidField("valid_from", "not a date", code="date.malformed") from None
        raw_target = str(values.get("target_points", "")).strip()
        try:
            target = float(raw_target) if raw_target else None
        except ValueError:
            raise InvalidField("target_points", "not a number", code="agency_file.target_not_number") from None
        parent = str(values.get("sum_parent", "")) or None
        if parent is not None:
            found = by_code(session=session, code=parent)
            if found is None or found.id not in visible:
                raise InvalidField("sum_parent", "not one of your units", code="agency_file.unknown_sum_parent",
                                   value=parent)
        change = {"type": str(values.get("type", "")) or None, "level": str(values.get("level", "")) or None,
                  "sum_parent": parent, "target_points": target}
        set_from(session=session, agency=agency, valid_from=valid_from, change=change, set_by=user.username)
        from service.adminlog.service import record

        record(session=session, actor=user, action="agency.attributes", target=agency.code,
               valid_from=valid_from.isoformat() if valid_from else None,
               **{k: v for k, v in change.items() if v is not None})
    except InvalidField as exc:
        session.rollback()
        field_name = exc.field.rsplit(".", 1)[-1]
        return _agencies_page(request, session, visible, status_code=422,
                              errors={field_name if field_name != "attributes" else "type": messages.field_message(exc)},
                              values=values)
    when = f"自 {valid_from} 起" if valid_from else "（一直有效）"
    return redirect("/admin/agencies?" + urlencode({"flash": f"已设置 {agency.name} 的考核属性{when}"}) + "#attributes")


@router.get("/admin/agencies")
def agencies_page(request: Request, session: SessionDep, _: Admin, visible: Visible) -> Response:
    """The units in the admin's tree and the import form."""
    return _agencies_page(request, session, visible)


@router.post("/admin/agencies/import")
def import_agencies(request: Request, form: CheckedForm, session: SessionDep, user: Admin,
                    visible: Visible) -> Response:
    """Create or update units from an uploaded TOML/YAML file; all of it or, when refused, none."""
    warnings: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="ogi-agencies-") as tmp:
            path = _save_upload(form, Path(tmp), (".toml", ".yaml", ".yml"))
            created, updated = import_within(session=session, path=path, root_id=user.agency_id,
                                             warn=warnings.append)
    except InvalidField as exc:
        session.rollback()  # a refused file leaves no unit half-written
        return _agencies_page(request, session, visible, status_code=422,
                              errors={"file": messages.agency_import_message(exc)})
    adminlog.record(session=session, actor=user, action="agency_import", target=str(form.get("file").filename),  # type: ignore[union-attr]
                    created=created, updated=updated)
    flash = f"已导入：新增 {created} 个单位，更新 {updated} 个单位"
    if warnings:
        # Imported all the same (only a person can settle a body's name), but said on this answer:
        # a redirect would lose the list.
        return _agencies_page(request, session, visible, flash=flash, warnings=warnings)
    return redirect("/admin/agencies?" + urlencode({"flash": flash}))


# --------------------------------------------------------------------------------------------
# 用户
# --------------------------------------------------------------------------------------------


def _users_page(request: Request, session: Session, visible: set[int], status_code: int = 200,
                **context: Any) -> Response:
    units = _units(session, visible)
    listed = users.users_of(session=session, agency_ids=visible)
    accounts = [(u, users.is_locked(u)) for u in listed]
    tokens: dict[int, list[Any]] = {}
    for token in users.tokens_of(session=session, user_ids={u.id for u in listed}):  # type: ignore[misc]
        if token.revoked_at is None:
            tokens.setdefault(token.user_id, []).append(token)
    response = _page(request, session, "admin_users.html", status_code=status_code, units=units,
                     names={a.id: a.name for a in units}, unit_options=[(a.code, a.name) for a in units],
                     accounts=accounts, tokens=tokens,
                     roles=[(r.value, messages.ROLES.get(r.value, r.value)) for r in Role], **context)
    # A page showing a new token must not be kept by the browser's or a proxy's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/admin/users")
def users_page(request: Request, session: SessionDep, _: Admin, visible: Visible) -> Response:
    """The users of the admin's units, with unlock and token buttons, and the form to add one."""
    return _users_page(request, session, visible)


@router.post("/admin/users")
def add_user(request: Request, form: CheckedForm, session: SessionDep, _: Admin, visible: Visible) -> Response:
    """Add a user to one of the admin's units."""
    values = form_dict(form)
    username = str(values.get("username", ""))
    try:
        users.add_user(session=session, username=username, password=str(form.get("password") or ""),
                       role=str(values.get("role", "")), agency_code=str(values.get("agency", "")),
                       display_name=str(values.get("display_name", "")), visible=visible)
    except DomainError as exc:
        session.rollback()
        return _users_page(request, session, visible, status_code=422, errors=messages.admin_errors(exc),
                           values=values)
    return redirect("/admin/users?" + urlencode({"flash": f"已添加用户 {username}"}))


@router.post("/admin/users/{username}/unlock")
def unlock_user(username: str, request: Request, form: CheckedForm, session: SessionDep, _: Admin,
                visible: Visible) -> Response:
    """Lift a lock-out (the failed logins are forgotten; the password stays)."""
    try:
        users.unlock(session=session, username=username, visible=visible)
    except DomainError as exc:
        session.rollback()
        # Said above the list: the button pressed belongs to a row, not to the form for adding users.
        return _users_page(request, session, visible, status_code=422,
                           errors={"_": "、".join(messages.admin_errors(exc).values())})
    return redirect("/admin/users?" + urlencode({"flash": f"已解除 {username} 的锁定"}))


def _row_refused(request: Request, session: Session, visible: set[int], exc: DomainError) -> Response:
    session.rollback()
    # Said above the list: the button pressed belongs to a row, not to the form for adding users.
    return _users_page(request, session, visible, status_code=422,
                       errors={"_": "、".join(messages.admin_errors(exc).values())})


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(token_id: RowId, request: Request, form: CheckedForm, session: SessionDep, user: Admin,
                 visible: Visible) -> Response:
    """吊销 one API token of a user in the admin's units: it stops working at once."""
    try:
        revoked = users.revoke_tokens(session=session, token_id=token_id, visible=visible)
    except DomainError:
        session.rollback()
        return _users_page(request, session, visible, status_code=404, errors={"_": "没有这个令牌，或不是您管理的单位的令牌"})
    adminlog.record(session=session, actor=user, action="token_revoke", target=f"token {token_id}",
                    tokens=[t.id for t in revoked])
    return redirect("/admin/users?" + urlencode({"flash": f"已吊销令牌 #{token_id}"}))


@router.post("/admin/users/{username}/token")
def issue_token(username: str, request: Request, form: CheckedForm, session: SessionDep, _: Admin,
                visible: Visible) -> Response:
    """Issue an API token and show it on this one answer (only its hash is stored; no redirect, so it
    never appears in a URL)."""
    try:
        token = users.create_token(session=session, username=username, name=str(form_dict(form).get("name", "")),
                                   visible=visible)
    except DomainError as exc:
        session.rollback()
        # Said above the list: the button pressed belongs to a row, not to the form for adding users.
        return _users_page(request, session, visible, status_code=422,
                           errors={"_": "、".join(messages.admin_errors(exc).values())})
    return _users_page(request, session, visible, new_token={"username": username, "token": token})


# After the other /admin/users/{username}/… routes: its path would match theirs.
_ACTIVE = {"disable": (False, "已停用 {}：其接口令牌和登录会话已失效"), "enable": (True, "已启用 {}")}


@router.post("/admin/users/{username}/{change}")
def set_user_active(username: str, change: Literal["disable", "enable"], request: Request, form: CheckedForm,
                    session: SessionDep, user: Admin, visible: Visible) -> Response:
    """停用 (the account's API tokens and web sessions stop working at once) or 启用 again; recorded
    with the admin. An admin cannot disable themselves (another admin must)."""
    active, flash = _ACTIVE[change]
    if username == user.username and not active:
        return _users_page(request, session, visible, status_code=422,
                           errors={"_": "不能停用自己的账户（请由另一位管理员操作）"})
    try:
        users.set_active(session=session, username=username, active=active, visible=visible)
    except DomainError as exc:
        return _row_refused(request, session, visible, exc)
    adminlog.record(session=session, actor=user, action=f"user_{change}", target=username)
    return redirect("/admin/users?" + urlencode({"flash": flash.format(username)}))


# --------------------------------------------------------------------------------------------
# 日历
# --------------------------------------------------------------------------------------------


@router.get("/admin/calendar")
def calendar_page(request: Request, session: SessionDep, _: Admin, year: str = "", region: str = "") -> Response:
    """The form to install a year file or regional overlay; after an install, a link to its year view."""
    params = {k: v for k, v in (("year", year), ("region", region)) if v}
    shown = "/calendar?" + urlencode(params) if year.isdigit() or region else ""
    label = f"查看{year}年日历" if year.isdigit() else f"查看地区日历 {region}"
    return _page(request, session, "admin_calendar.html", shown=shown, shown_label=label)


@router.post("/admin/calendar/import")
def import_calendar(request: Request, form: CheckedForm, session: SessionDep, user: Admin,
                    visible: Visible) -> Response:
    """Install an uploaded calendar file and recompute the open requests' due dates (``ogi calendar import``).

    Only an admin of every unit the file affects may install it (a national year: a deployment admin);
    the install is recorded with its actor."""
    try:
        with tempfile.TemporaryDirectory(prefix="ogi-calendar-") as tmp:
            path = _save_upload(form, Path(tmp), (".toml",))
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
        return _page(request, session, "admin_calendar.html", status_code=403, errors={"file": text}, shown="")
    except InvalidField as exc:
        session.rollback()
        text = messages.admin_text(exc)
        return _page(request, session, "admin_calendar.html", status_code=422, errors={"file": text}, shown="")
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


# --------------------------------------------------------------------------------------------
# 考核方案
# --------------------------------------------------------------------------------------------


def _schemes_page(request: Request, session: Session, visible: set[int], status_code: int = 200,
                  **context: Any) -> Response:
    units = _units(session, visible)
    names = {a.id: a.name for a in units}
    rows = []
    for scheme_id, scheme in sorted(assessment.all_schemes().items()):
        assigned = assessment_repository.assignments(session=session, scheme_id=scheme_id)
        # Only the admin's own offices are named; that others exist is said, not who they are.
        mine = [(names[a.agency_id], a.include_office) for a in assigned if a.agency_id in names]
        rows.append({"id": scheme_id, "title": scheme.title, "assigned": mine,
                     "elsewhere": len(assigned) - len(mine), "unassigned": not assigned})
    return _page(request, session, "admin_schemes.html", status_code=status_code, rows=rows,
                 scheme_options=[(r["id"], f'{r["id"]} {r["title"]}') for r in rows],
                 unit_options=[(a.code, a.name) for a in units], **context)


@router.get("/admin/schemes")
def schemes_page(request: Request, session: SessionDep, _: Admin, visible: Visible) -> Response:
    """Each scheme with the supervising offices it grades (among the admin's), and the form to assign one."""
    return _schemes_page(request, session, visible)


@router.post("/admin/schemes/assign")
def assign_scheme(request: Request, form: CheckedForm, session: SessionDep, user: Admin,
                  visible: Visible) -> Response:
    """Make a scheme grade the units below one of the admin's offices (the API's PUT assignment); only an
    admin of every unit whose grading changes may do it, and the change is recorded with its actor."""
    values = form_dict(form)
    scheme_id, office = str(values.get("scheme", "")), str(values.get("office", ""))
    try:
        if scheme_id in assessment.all_schemes():
            boundaries.check_scheme_assignment(session=session, user=user, visible=visible, scheme_id=scheme_id,
                                               office_code=office)
        # As the API's endpoint: an office outside the admin's tree is unknown to them (NotFound).
        row = assessment.assign(session=session, scheme_id=scheme_id, office_code=office,
                                include_office="include_office" in values, visible=visible)
    except boundaries.NotPermitted:
        session.rollback()
        text = (f"考核方案 {scheme_id} 还考核您管辖范围以外的单位（未分配的方案考核全部单位），"
                "只有管辖全部这些单位的管理员（或全局管理员）可以分配。")
        return _schemes_page(request, session, visible, status_code=403, errors={"office": text}, values=values)
    except NotFound:
        session.rollback()
        field = "scheme" if scheme_id not in assessment.all_schemes() else "office"
        message = messages.worded("lookup.no_scheme") if field == "scheme" else messages.worded("user.unknown_agency")
        return _schemes_page(request, session, visible, status_code=422, errors={field: message}, values=values)
    except DomainError as exc:
        session.rollback()
        errors = messages.admin_errors(exc)
        if "_" in errors and scheme_id not in assessment.all_schemes():  # NotFound: the scheme
            errors = {"scheme": messages.worded("lookup.no_scheme")}
        return _schemes_page(request, session, visible, status_code=422, errors=errors, values=values)
    agency = session.get(Agency, row.agency_id)
    adminlog.record(session=session, actor=user, action="scheme_assign", target=f"{scheme_id} -> {office}",
                    include_office=row.include_office)
    return redirect("/admin/schemes?" + urlencode({"flash": f"已将考核方案 {scheme_id} 分配给 {agency.name}"}))
