"""Pages for notifications: 通知设置 (your e-mail, channels, digest or at once, quiet hours; a unit's robots
and webhooks for approvers and admins) and 管理 · 通知投递记录 (the delivery log, admins only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session, col, select
from starlette.responses import Response

from service.agencies.models import Agency
from service.deps import RowId, SessionDep
from service.notify import repository, service
from service.notify.models import CHANNEL_KINDS, NotifyTarget
from service.users.models import User
from service.web import messages
from service.web.deps import CheckedForm, Visible, WebUser, form_dict, hidden_unless_role, redirect, render
from workflow.errors import DomainError, InvalidField

router = APIRouter(include_in_schema=False)
Admin = Annotated[User, Depends(hidden_unless_role("admin"))]
CHANNEL_LABELS = {"email": "电子邮件", "wecom": "企业微信群机器人", "dingtalk": "钉钉群机器人", "webhook": "OA 系统（签名 Webhook）"}
STATUS_LABELS = {"pending": "待发送", "sending": "发送中", "sent": "已送达", "dead": "已放弃"}
UNIT_ROLES = ("approver", "admin")


def _errors(exc: DomainError) -> dict[str, str]:
    if isinstance(exc, InvalidField):
        return {exc.field: messages.field_message(exc)}  # the catalogue's wording of the error's code
    return {"_": str(exc)}


def _settings_page(request: Request, session: Session, user: User, visible: set[int], *, status_code: int = 200,
                   errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                   flash: str | None = None) -> Response:
    pref = service.preference(session=session, user_id=user.id)  # type: ignore[arg-type]
    mine = service.targets(session=session, user_id=user.id)
    email = next((t.address for t in mine if t.kind == "email"), "")
    units = service.targets(session=session, agency_ids=visible) if user.role in UNIT_ROLES else []
    names = {a.id: a.name for a in session.exec(select(Agency).where(col(Agency.id).in_(visible)))}
    vals = {"email": email, "mode": pref.mode, "quiet_start": pref.quiet_start or "", "quiet_end": pref.quiet_end or "",
            "channels": pref.channels, **(values or {})}
    return render(request, "notify_settings.html", status_code=status_code, values=vals, errors=errors or {},
                  unit_targets=units, names=names, labels=CHANNEL_LABELS, kinds=CHANNEL_KINDS,
                  can_units=user.role in UNIT_ROLES, flash=flash or request.query_params.get("flash"))


@router.get("/notify/settings")
def settings_page(request: Request, session: SessionDep, user: WebUser, visible: Visible) -> Response:
    """Your notification settings (and your unit's robots, for approvers and admins)."""
    return _settings_page(request, session, user, visible)


@router.post("/notify/settings")
def save_settings(request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
                  visible: Visible) -> Response:
    """Save your e-mail address and preferences; a bad value is shown by its field."""
    values = form_dict(form)
    channels = form.getlist("channels")
    try:
        email = str(values.get("email", ""))
        current = [t for t in service.targets(session=session, user_id=user.id) if t.kind == "email"]
        if not current or current[0].address != email:
            for t in current:
                service.remove_target(session=session, target_id=t.id, user_id=user.id)  # type: ignore[arg-type]
            if email:
                service.add_target(session=session, kind="email", address=email, user_id=user.id)
        service.set_preference(session=session, user_id=user.id, channels=[str(c) for c in channels],  # type: ignore[arg-type]
                               mode=str(values.get("mode", "digest")), quiet_start=values.get("quiet_start"),
                               quiet_end=values.get("quiet_end"))
    except DomainError as exc:
        session.rollback()
        return _settings_page(request, session, user, visible, status_code=422, errors=_errors(exc),
                              values={**values, "channels": channels})
    return redirect("/notify/settings?flash=已保存")


@router.post("/notify/targets")
def add_unit_target(request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
                    visible: Visible) -> Response:
    """Add a group robot or OA webhook for your unit (approvers and admins)."""
    values = form_dict(form)
    if user.role not in UNIT_ROLES:
        return render(request, "error.html", status_code=403, heading="无权操作",
                      message="只有负责人和管理员可以设置单位的群机器人和 OA 接口。")
    try:
        service.add_target(session=session, kind=str(values.get("kind", "")), address=str(values.get("address", "")),
                           secret=values.get("secret"), name=str(values.get("name", "")), agency_id=user.agency_id)
    except DomainError as exc:
        session.rollback()
        return _settings_page(request, session, user, visible, status_code=422,
                              errors={f"unit.{k}": v for k, v in _errors(exc).items()},
                              values={f"unit.{k}": v for k, v in values.items()})
    return redirect("/notify/settings?flash=已添加")


@router.post("/notify/targets/{target_id}/remove")
def remove_unit_target(target_id: RowId, form: CheckedForm, session: SessionDep, user: WebUser,
                       visible: Visible) -> Response:
    """Switch one of your unit's targets off."""
    try:
        service.remove_target(session=session, target_id=target_id,
                              agency_ids=visible if user.role in UNIT_ROLES else None, user_id=user.id)  # type: ignore[arg-type]
    except DomainError:
        session.rollback()
    return redirect("/notify/settings?flash=已停用")


@router.get("/admin/notify")
def delivery_log(request: Request, session: SessionDep, user: Admin, visible: Visible, status: str = "",
                 before: int = 0) -> Response:
    """The delivery log: every delivery of the admin's units, newest first, with attempts and errors."""
    from service.web.admin import TABS

    status = status if status in STATUS_LABELS else ""
    before = before if 0 < before < 2_147_483_648 else 0
    rows = repository.deliveries(session=session, agency_ids=sorted(visible), status=status or None, limit=100,
                                 before_id=before or None)
    counts = repository.status_counts(session=session, agency_ids=sorted(visible))
    tries = repository.attempts(session=session, outbox_ids=[o.id for o, _ in rows])  # type: ignore[misc]
    targets = {t.id: t for t in session.exec(select(NotifyTarget).where(
        col(NotifyTarget.id).in_({o.target_id for o, _ in rows})))}
    people = {u.id: (u.display_name or u.username) for u in session.exec(select(User).where(
        col(User.id).in_({o.user_id for o, _ in rows if o.user_id})))}
    home = session.get(Agency, user.agency_id)
    return render(request, "admin_notify.html", tabs=TABS,
                  home=home.name if home else "", rows=rows, counts=counts, tries=tries, targets=targets,
                  people=people, labels=CHANNEL_LABELS, status_labels=STATUS_LABELS, status=status,
                  next_before=rows[-1][0].id if len(rows) == 100 else None)
