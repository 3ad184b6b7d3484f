"""HTML pages for assessment (考核): per scheme and period, the units' totals and grades as a table
and a chart (pygal, server-side SVG: no JavaScript needed), each unit's trail down to the request,
and the manual entry form for assessors. Scores come from ``assessment.service.results``: the
same figures the API gives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

import pygal
from fastapi import APIRouter, Depends, Request
from pygal.style import Style
from starlette.responses import Response

from service.agencies.repository import all_agencies
from service.assessment import service
from service.deps import SessionDep
from service.users.models import User
from service.web import messages
from service.web.deps import CheckedForm, Visible, WebUser, form_dict, redirect, render, require_roles
from workflow.errors import DomainError, InvalidField, NotFound

router = APIRouter(include_in_schema=False)

ENTRY_ROLES = ("assessor", "admin")
EVENT_LABELS = {"ogi.reply_late": "逾期答复", "ogi.reply_defect": "答复文书缺少要素", "ogi.notice_late": "告知逾期",
                "ogi.case_closed": "办结", "ogi.review_corrected": "复议/诉讼被纠正"}
_CHART_STYLE = Style(font_family="'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif", colors=("#8a1c14",),
                     background="white", plot_background="white", label_font_size=13, major_label_font_size=13,
                     title_font_size=15, value_font_size=12)


Assessor = Annotated[User, Depends(require_roles(*ENTRY_ROLES, message="只有考核员和管理员可以录入考核事项。"))]


def _num(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def totals_chart(rows: list[dict[str, Any]], title: str, scale: Decimal | None) -> str:
    """The units' totals as an inline SVG bar chart (each bar links to the unit's trail)."""
    chart = pygal.HorizontalBar(js=[], disable_xml_declaration=True, show_legend=False, style=_CHART_STYLE,
                                width=900, height=max(160, 46 * len(rows) + 90), title=title,
                                print_values=True, value_formatter=lambda v: _num(Decimal(str(v))),
                                range=(0, float(scale)) if scale else None)
    shown = [r for r in rows if r["total"] is not None]
    # pygal sizes the label margin for Latin glyphs; a CJK glyph is about twice as wide, so trailing
    # spaces (not drawn) reserve the room the name needs instead of cutting it off.
    chart.x_labels = [r["name"] + " " * len(r["name"]) for r in shown]
    chart.add("总分", [{"value": float(r["total"]), "xlink": {"href": r["link"], "target": "_self"}} for r in shown])
    return str(chart.render(is_unicode=True))


def _period_default() -> str:
    return str(date.today().year)


@router.get("/assessment")
def assessment_page(request: Request, session: SessionDep, user: WebUser, visible: Visible,
                    scheme: str = "", period: str = "", unit: str = "") -> Response:
    """A scheme's results for a period (the units the user may see), or one unit's trail."""
    schemes = service.all_schemes()
    scheme_id = scheme if scheme in schemes else next(iter(sorted(schemes)), "")
    period = period.strip() or _period_default()
    context: dict[str, Any] = {"schemes": sorted(schemes.values(), key=lambda s: s.id), "scheme_id": scheme_id,
                               "period": period, "unit": unit, "errors": {}, "rows": [], "chart": "",
                               "detail": None, "scheme": schemes.get(scheme_id), "can_enter": user.role in ENTRY_ROLES,
                               "EVENT_LABELS": EVENT_LABELS, "num": _num, "values": {"period": period},
                               "flash": request.query_params.get("flash")}
    context.update(_scheme_words(schemes.get(scheme_id)))
    if not scheme_id:
        return render(request, "assessment.html", **context)
    return _results_page(request, session, visible, context, status_code=200)


def _scheme_words(scheme: Any) -> dict[str, Any]:
    """Names of event kinds and the rules that take an assessor's amount (for the adjust forms)."""
    if scheme is None:
        return {"kind_names": dict(EVENT_LABELS), "judged_rules": set()}
    return {"kind_names": {**EVENT_LABELS, **scheme.kind_names},
            "judged_rules": {r.id for _, _, r in scheme.rules() if r.discretionary}}


def _results_page(request: Request, session: Any, visible: set[int], context: dict[str, Any],
                  status_code: int) -> Response:
    scheme_id, period, unit = context["scheme_id"], context["period"], context["unit"]
    names = {a.code: a.name for a in all_agencies(session=session)}
    try:
        # Only the unit opened below needs its trail: every other unit is scored from its tallies.
        results = service.results(session=session, scheme_id=scheme_id, period=period, visible=visible,
                                  trails={unit} if unit else set())
    except InvalidField as exc:
        context["errors"] = {exc.field: messages.field_message(exc)}
        return render(request, "assessment.html", status_code=422, **context)
    except NotFound:
        results = []
    rows = []
    for r in results:
        link = "/assessment?" + urlencode({"scheme": scheme_id, "period": period, "unit": r.unit})
        rows.append({"unit": r.unit, "name": names.get(r.unit, r.unit), "total": r.total, "grade": r.grade,
                     "wording": r.grade_wording, "consequences": r.consequences, "complete": r.complete,
                     "refusal": r.refusal, "link": link, "result": r})
    rows.sort(key=lambda row: (row["total"] is None, -(row["total"] or 0), row["unit"]))
    context["rows"] = rows
    context["names"] = names
    scheme = context["scheme"]
    if rows and any(r["total"] is not None for r in rows):
        context["chart"] = totals_chart(rows, f"{scheme.title}（{period}）总分", scheme.scale)
    if unit:
        context["detail"] = next((row for row in rows if row["unit"] == unit), None)
    return render(request, "assessment.html", status_code=status_code, **context)


def _refused(request: Request, session: Any, visible: set[int], scheme_id: str, period: str, unit: str,
             errors: dict[str, str], values: Any) -> Response:
    """The results page again (422) with a refused form's errors, or 404 for an unknown scheme."""
    schemes = service.all_schemes()
    if scheme_id not in schemes:
        return render(request, "error.html", status_code=404, heading="未找到", message="没有这个考核方案。")
    context: dict[str, Any] = {
        "schemes": sorted(schemes.values(), key=lambda s: s.id), "scheme_id": scheme_id, "period": period,
        "unit": unit, "errors": errors, "rows": [], "chart": "", "detail": None, "scheme": schemes[scheme_id],
        "can_enter": True, "EVENT_LABELS": EVENT_LABELS, "num": _num, "values": values, "flash": None,
        **_scheme_words(schemes[scheme_id])}
    return _results_page(request, session, visible, context, status_code=422)


@router.post("/assessment/entries")
def add_entry(request: Request, form: CheckedForm, session: SessionDep, user: Assessor,
              visible: Visible) -> Response:
    """Record a manual assessment entry (assessors and admins), then show the unit's trail."""
    values = form_dict(form)
    scheme_id = str(values.get("scheme", ""))
    period = str(values.get("period", "")).strip()
    what = str(values.get("what", "amount"))
    data: dict[str, Any] = {"target": values.get("target", ""), "unit": values.get("unit", ""), "period": period,
                            "note": values.get("note", "")}
    try:
        raw = str(values.get("quantity", "")).strip()
        if not raw:
            raise InvalidField("quantity", "required", code="field.required")
        try:
            data[what] = int(raw) if what == "count" else float(raw)
        except ValueError:
            raise InvalidField("quantity", "must be a number", code="assessment.not_a_number") from None
        service.add_entry(session=session, scheme_id=scheme_id, data=data, visible=visible, author_id=user.id)
    except DomainError as exc:
        session.rollback()
        errors, _ = messages.form_errors(exc)
        if isinstance(exc, InvalidField) and exc.field in ("amount", "count", "value"):
            errors = {"quantity": next(iter(errors.values()))}  # the form's one number box
        return _refused(request, session, visible, scheme_id, period, str(values.get("unit", "")), errors, values)
    query = urlencode({"scheme": scheme_id, "period": period, "unit": data["unit"], "flash": "已录入考核事项"})
    return redirect(f"/assessment?{query}")


@router.post("/assessment/adjustments")
def adjust_event(request: Request, form: CheckedForm, session: SessionDep, user: Assessor,
                 visible: Visible) -> Response:
    """An assessor's amount, with the reason, for one event on an item left to judgement; back to the trail."""
    values = form_dict(form)
    scheme_id = str(values.get("scheme", ""))
    period = str(values.get("period", "")).strip()
    unit = str(values.get("unit", ""))
    try:
        raw = str(values.get("amount", "")).strip()
        if not raw:
            raise InvalidField("amount", "required", code="field.required")
        try:
            amount = float(raw)
        except ValueError:
            raise InvalidField("amount", "must be a number", code="assessment.not_a_number") from None
        data = {"event": values.get("event", ""), "item": values.get("item", ""), "amount": amount,
                "note": values.get("note", "")}
        service.adjust_event(session=session, scheme_id=scheme_id, data=data, visible=visible, author_id=user.id,
                             author_name=user.display_name or user.username)
    except DomainError as exc:
        session.rollback()
        errors, _ = messages.form_errors(exc)
        first = next(iter(errors.values()), "")
        return _refused(request, session, visible, scheme_id, period, unit, {"_": f"调整未记录：{first}"},
                        {"period": period})
    query = urlencode({"scheme": scheme_id, "period": period, "unit": unit, "flash": "已记录考核员的认定分值"})
    return redirect(f"/assessment?{query}#trail")
