"""The annual report's tables as a Chinese A4 page (HTML, and PDF through the letters' fast
WeasyPrint path) and as an xlsx workbook with the same layout.

Both follow the printed form of 国办公开办函〔2021〕30号: Table 3 has three label columns (一/二/三/四;
（一）…（七）; the numbered items) with merged cells, then 自然人, the five 法人或其他组织 columns and
总计; Table 4 is one row of fifteen numbers under two header rows. The label grid is computed once
(:func:`table3_labels`) and drawn by both renderers, so the web page, the PDF and the spreadsheet
cannot disagree about where a number sits.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2

from service.letters.render import html_to_pdf
from workflow.annual_report import (
    COLUMNS,
    ORG_COLUMNS,
    ORG_HEADING,
    PERSON,
    RESULT_KEYS,
    RESULTS_HEADING,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
    TABLE3_ROWS,
    TOTAL,
    AnnualReport,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"
TABLE3_TITLE = "三、收到和处理政府信息公开申请情况（表三）"
TABLE4_TITLE = "四、政府信息公开行政复议、行政诉讼情况（表四）"
FEES_TITLE = "六、其他需要报告的事项"
# The form's own note in the top-left header cell of Table 3.
TABLE3_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANTS = "申请人情况"


@dataclass(frozen=True)
class LabelCell:
    """A label cell of Table 3: its text, first label column (1–3), and how many rows/columns it spans."""

    text: str
    col: int
    rowspan: int = 1
    colspan: int = 1


def table3_labels() -> list[tuple[str, list[LabelCell]]]:
    """Per row of Table 3 (key), the label cells that start on that row, left to right."""
    groups: dict[str, int] = {}
    for row in TABLE3_ROWS:
        if row.group:
            groups[row.group] = groups.get(row.group, 0) + 1
    out: list[tuple[str, list[LabelCell]]] = []
    seen_results = False
    seen_groups: set[str] = set()
    for row in TABLE3_ROWS:
        cells: list[LabelCell] = []
        if not row.key.startswith("三"):
            cells.append(LabelCell(row.label, 1, colspan=3))
        else:
            if not seen_results:
                # 三（一）…三（六）3 and 三（七） sit under one tall 三、本年度办理结果 cell.
                cells.append(LabelCell(RESULTS_HEADING, 1, rowspan=len(RESULT_KEYS) + 1))
                seen_results = True
            if row.group is None:
                cells.append(LabelCell(row.label, 2, colspan=2))
            else:
                if row.group not in seen_groups:
                    cells.append(LabelCell(row.group, 2, rowspan=groups[row.group]))
                    seen_groups.add(row.group)
                cells.append(LabelCell(row.label, 3))
        out.append((row.key, cells))
    return out


def _title(report: AnnualReport, agency_name: str) -> tuple[str, str]:
    title = f"{agency_name}{report.year}年政府信息公开工作年度报告"
    if report.complete:
        note = f"统计期间：{report.year}年1月1日至12月31日"
    else:
        note = f"统计期间：{report.year}年1月1日至{report.as_of.month}月{report.as_of.day}日（年度尚未结束，数据为截至当日）"
    return title, note


def _fees_text(report: AnnualReport) -> str:
    return (f"本年度共收取信息处理费{report.fees_yuan:.2f}元（{report.fee_requests}件申请）。"
            if report.fee_requests else "本年度未收取信息处理费。")


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def html(report: AnnualReport, *, agency_name: str) -> str:
    """The report as a self-contained A4 HTML page in Chinese."""
    title, note = _title(report, agency_name)
    return _env().get_template("annual.html").render(
        title=title, note=note, report=report, labels=table3_labels(), columns=COLUMNS, person=PERSON,
        org_columns=ORG_COLUMNS, org_heading=ORG_HEADING, total=TOTAL, corner=TABLE3_CORNER,
        applicants=APPLICANTS, table3_title=TABLE3_TITLE, table4_title=TABLE4_TITLE, fees_title=FEES_TITLE,
        groups=REVIEW_GROUPS, outcomes=REVIEW_OUTCOMES, fees=_fees_text(report))


def pdf(report: AnnualReport, *, agency_name: str) -> bytes:
    """The HTML page rendered to PDF on the letters' fast path (one font face, HarfBuzz subsetting)."""
    return html_to_pdf(html(report, agency_name=agency_name))


def xlsx(report: AnnualReport, *, agency_name: str) -> bytes:
    """The report as an xlsx workbook: one sheet, Table 3, Table 4 and the fees, merged like the form."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = f"{report.year}年度报告"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    middle = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    def put(row: int, col: int, value: object, *, rowspan: int = 1, colspan: int = 1,
            align: Alignment = middle) -> None:
        # Border every cell of a merged range: Excel draws a merged cell's frame from its parts.
        for r in range(row, row + rowspan):
            for c in range(col, col + colspan):
                ws.cell(r, c).border = box
        cell = ws.cell(row, col, value)
        cell.alignment = align
        if rowspan > 1 or colspan > 1:
            ws.merge_cells(start_row=row, start_column=col, end_row=row + rowspan - 1, end_column=col + colspan - 1)

    title, note = _title(report, agency_name)
    ws.cell(1, 1, title).font = Font(size=14, bold=True)
    ws.cell(2, 1, note)
    # Table 3: labels in columns A–C, numbers in D–J.
    ws.cell(4, 1, TABLE3_TITLE).font = Font(bold=True)
    top = 5
    put(top, 1, TABLE3_CORNER, rowspan=3, colspan=3)
    put(top, 4, APPLICANTS, colspan=7)
    put(top + 1, 4, PERSON, rowspan=2)
    put(top + 1, 5, ORG_HEADING, colspan=5)
    put(top + 1, 10, TOTAL, rowspan=2)
    for i, column in enumerate(ORG_COLUMNS):
        put(top + 2, 5 + i, column)
    row = top + 3
    for key, cells in table3_labels():
        for label in cells:
            put(row, label.col, label.text, rowspan=label.rowspan, colspan=label.colspan, align=left)
        for i, column in enumerate(COLUMNS):
            put(row, 4 + i, report.table3[key][column])
        row += 1
    # Table 4: fifteen numbers under two header rows.
    row += 1
    ws.cell(row, 1, TABLE4_TITLE).font = Font(bold=True)
    row += 1
    put(row, 1, REVIEW_GROUPS[0][1], colspan=5, rowspan=2)
    put(row, 6, "行政诉讼", colspan=10)
    put(row + 1, 6, "未经复议直接起诉", colspan=5)
    put(row + 1, 11, "复议后起诉", colspan=5)
    for g, (group, _) in enumerate(REVIEW_GROUPS):
        for o, (outcome, label) in enumerate(REVIEW_OUTCOMES):
            put(row + 2, 1 + 5 * g + o, label)
            put(row + 3, 1 + 5 * g + o, report.table4[group][outcome])
    row += 5
    ws.cell(row, 1, FEES_TITLE).font = Font(bold=True)
    ws.cell(row + 1, 1, _fees_text(report))
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 40
    for letter in "DEFGHIJ":
        ws.column_dimensions[letter].width = 10
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
