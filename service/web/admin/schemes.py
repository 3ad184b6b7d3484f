"""Admin pages for assessment schemes (考核方案): which supervising offices each scheme grades, and
assigning a scheme to one of the admin's offices."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from service import boundaries
from service.adminlog import service as adminlog
from service.agencies.models import Agency
from service.assessment import repository as assessment_repository
from service.assessment import service as assessment
from service.deps import SessionDep
from service.web import messages
from service.web.admin.base import Admin, admin_page, units_of
from service.web.deps import CheckedForm, Visible, form_dict, redirect
from workflow.errors import DomainError, NotFound

router = APIRouter(include_in_schema=False)


def _schemes_page(request: Request, session: Session, visible: set[int], status_code: int = 200,
                  **context: Any) -> Response:
    units = units_of(session, visible)
    names = {a.id: a.name for a in units}
    rows = []
    for scheme_id, scheme in sorted(assessment.all_schemes().items()):
        assigned = assessment_repository.assignments(session=session, scheme_id=scheme_id)
        # Only the admin's own offices are named; that others exist is said, not who they are.
        mine = [(names[a.agency_id], a.include_office) for a in assigned if a.agency_id in names]
        rows.append({"id": scheme_id, "title": scheme.title, "assigned": mine,
                     "elsewhere": len(assigned) - len(mine), "unassigned": not assigned})
    return admin_page(request, session, "admin_schemes.html", status_code=status_code, rows=rows,
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
    known = scheme_id in assessment.all_schemes()
    try:
        if known:
            boundaries.check_scheme_assignment(session=session, user=user, visible=visible, scheme_id=scheme_id,
                                               office_code=office)
        # As the API's endpoint: an unknown scheme, or an office outside the admin's tree, is NotFound.
        row = assessment.assign(session=session, scheme_id=scheme_id, office_code=office,
                                include_office="include_office" in values, visible=visible)
    except boundaries.NotPermitted:
        session.rollback()
        text = (f"考核方案 {scheme_id} 还考核您管辖范围以外的单位（未分配的方案考核全部单位），"
                "只有管辖全部这些单位的管理员（或全局管理员）可以分配。")
        return _schemes_page(request, session, visible, status_code=403, errors={"office": text}, values=values)
    except NotFound:
        session.rollback()
        errors = ({"scheme": messages.worded("lookup.no_scheme")} if not known else
                  {"office": messages.worded("user.unknown_agency")})
        return _schemes_page(request, session, visible, status_code=422, errors=errors, values=values)
    except DomainError as exc:
        session.rollback()
        return _schemes_page(request, session, visible, status_code=422, errors=messages.admin_errors(exc),
                             values=values)
    agency = session.get(Agency, row.agency_id)
    adminlog.record(session=session, actor=user, action="scheme_assign", target=f"{scheme_id} -> {office}",
                    include_office=row.include_office)
    return redirect("/admin/schemes?" + urlencode({"flash": f"已将考核方案 {scheme_id} 分配给 {agency.name}"}))
