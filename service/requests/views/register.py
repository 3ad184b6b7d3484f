"""The 登记 (registration) page: the form, its post (the API's registration from the form's fields)
and the ID-number check run as the clerk types."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from html import escape
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from service.agencies.models import Agency
from service.base import utcnow
from service.deps import SessionDep
from service.requests import service
from service.users.models import User
from service.web import messages
from service.web.deps import CheckedForm, Visible, WebUser, form_dict, redirect, render, require_roles
from workflow.applicants import IdType, OrgKind, check_id
from workflow.errors import DomainError, InvalidField
from workflow.registration import DELIVERIES, REQUESTED_FORMS, Channel

router = APIRouter(include_in_schema=False)

REGISTERING_ROLES = ("clerk", "handler", "approver")
Registrar = Annotated[User, Depends(require_roles(*REGISTERING_ROLES, message="只有登记员、承办人和负责人可以登记申请。"))]

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
