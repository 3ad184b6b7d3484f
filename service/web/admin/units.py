"""Admin pages for units (单位): the list of the admin's units with their assessment attributes
over time, setting a unit's attributes from a day on, and importing a units file."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from service.adminlog import service as adminlog
from service.agencies.repository import all_agencies
from service.agencies.service import import_within
from service.deps import SessionDep
from service.web import messages
from service.web.admin.base import Admin, admin_page, save_upload, units_of
from service.web.deps import CheckedForm, Visible, form_dict, redirect
from workflow.errors import InvalidField

router = APIRouter(include_in_schema=False)


def _agencies_page(request: Request, session: Session, visible: set[int], status_code: int = 200,
                   **context: Any) -> Response:
    from scoring.vocabulary import load_vocabulary
    from service.agencies.attributes import as_dict, history

    units = units_of(session, visible)
    everyone = all_agencies(session=session)
    names = {a.id: a.name for a in everyone}
    codes = {a.id: a.code for a in everyone}
    vocab = load_vocabulary()
    attrs = {a.id: [as_dict(r, codes) for r in history(session=session, agency_id=a.id)] for a in units}  # type: ignore[arg-type]
    return admin_page(request, session, "admin_agencies.html", status_code=status_code, units=units, names=names,
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

    from service.agencies.attributes import set_by_admin
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
        change = {"type": str(values.get("type", "")) or None, "level": str(values.get("level", "")) or None,
                  "sum_parent": str(values.get("sum_parent", "")) or None, "target_points": target}
        set_by_admin(session=session, agency=agency, valid_from=valid_from, change=change, visible=visible,
                     actor=user)
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
            path = save_upload(form, Path(tmp), (".toml", ".yaml", ".yml"))
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
