"""The annual report's (年度报告) statistics: Table 3, Table 4 and the fees of 国办公开办函〔2021〕30号.

Pure computation from folded cases (``workflow.machine.Case``) of one agency and one year; the
service loads the cases and renders the tables. LAW.md §7 and §8 give the form; the readings below
are the ones an assessor checking the arithmetic expects: every request falls in exactly one row
of 一/二 and exactly one row of 三/四, by the dates of its facts, so 一 + 二 = 三（七） + 四 holds in
every column and is asserted (:func:`check_table3`). docs/annual_report.md says the same for people.

Table 3 (收到和处理政府信息公开申请情况), year Y, cut-off day C (31 December of Y, or an earlier
day for a report of a year still running):

- Column: the applicant's kind at registration, 自然人 or the organisation's kind (商业企业, 科研机构,
  社会公益组织, 法律服务机构, 其他; an organisation without a known kind counts as 其他). 总计 is
  the sum of the six.
- 一 本年新收: received (receipt date, Art. 31) in Y, up to C.
- 二 上年结转: received before 1 January of Y and not finished before it (the finishing fact is
  dated 1 January or later, or there is none yet). Last year's 四 therefore equals this year's 二
  when both are computed from the same data.
- 三 办理结果: finished in Y, up to C, counted once, on the date of the finishing fact:
  a reply (its issue date) in its decision's row (``workflow.replies.DECISIONS[...].table3_row``;
  a partial disclosure only in 三（二）; 不予公开 in 三（三）1–8 by its reason); a lapse (视为放弃)
  for a correction not made in 三（六）1 and for a fee not paid in 三（六）2; a withdrawal by the
  applicant in 三（六）3 其他. 三（七） is the sum of 三's rows. Archiving, reviews and service of
  the letter do not move a case between years: the issue date of the reply is the fact.
- 四 结转下年度: received up to C and not finished by C.

Table 4 (政府信息公开行政复议、行政诉讼情况): every reconsideration or lawsuit against one of the
agency's replies filed in Y (up to C), by kind (行政复议; 行政诉讼 未经复议直接起诉; 行政诉讼
复议后起诉) and by outcome as of C: 维持, 纠正, 其他, or 尚未审结 when undecided on C; 总计 is the
sum. A review filed in an earlier year and decided in Y is not counted again in Y (it was counted,
as 尚未审结 or decided, in its filing year), so each review is in exactly one report.

Fees (section 六): the fee-notice amounts whose payment was received in Y (up to C), with the number
of requests paying them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from workflow.errors import Conflict
from workflow.machine import Case
from workflow.replies import DECISIONS, WITHHOLD_REASONS

PERSON = "自然人"
ORG_COLUMNS: tuple[str, ...] = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
TOTAL = "总计"
COLUMNS: tuple[str, ...] = (PERSON, *ORG_COLUMNS, TOTAL)
# The five organisation columns sit under this heading in the printed form.
ORG_HEADING = "法人或其他组织"


@dataclass(frozen=True)
class Row:
    """One row of Table 3: its key (``三（三）4``), its label, and the group heading it sits under."""

    key: str
    label: str
    group: str | None = None


RESULTS_HEADING = "三、本年度办理结果"


def _rows() -> tuple[Row, ...]:
    withhold = "（三）不予公开"
    unable = "（四）无法提供"
    not_handled = "（五）不予处理"
    other = "（六）其他处理"
    return (
        Row("一", "一、本年新收政府信息公开申请数量"),
        Row("二", "二、上年结转政府信息公开申请数量"),
        Row("三（一）", "（一）予以公开"),
        Row("三（二）", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
        # The eight reasons are worded once, in workflow.replies (the same text as LAW.md §7).
        *(Row(f"三（三）{n}", f"{n}.{label}", withhold) for n, (label, _) in sorted(WITHHOLD_REASONS.items())),
        Row("三（四）1", "1.本机关不掌握相关政府信息", unable),
        Row("三（四）2", "2.没有现成信息需要另行制作", unable),
        Row("三（四）3", "3.补正后申请内容仍不明确", unable),
        Row("三（五）1", "1.信访举报投诉类申请", not_handled),
        Row("三（五）2", "2.重复申请", not_handled),
        Row("三（五）3", "3.要求提供公开出版物", not_handled),
        Row("三（五）4", "4.无正当理由大量反复申请", not_handled),
        Row("三（五）5", "5.要求行政机关确认或重新出具已获取信息", not_handled),
        Row("三（六）1", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", other),
        Row("三（六）2", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", other),
        Row("三（六）3", "3.其他", other),
        Row("三（七）", "（七）总计"),
        Row("四", "四、结转下年度继续办理"),
    )


TABLE3_ROWS: tuple[Row, ...] = _rows()
TABLE3_KEYS: tuple[str, ...] = tuple(r.key for r in TABLE3_ROWS)
# The result rows 三（一）…三（六）3 whose sum is 三（七）.
RESULT_KEYS: tuple[str, ...] = tuple(k for k in TABLE3_KEYS if k.startswith("三") and k != "三（七）")

# Every decision must land in a row of the form; checked at import so a new decision code cannot be
# silently dropped from the statistics.
for _code, _decision in DECISIONS.items():
    if _decision.table3_row != "三（三）" and _decision.table3_row not in RESULT_KEYS:
        raise ValueError(f"decision {_code} maps to {_decision.table3_row!r}, not a row of Table 3")

REVIEW_GROUPS: tuple[tuple[str, str], ...] = (
    ("reconsideration", "行政复议"),
    ("litigation_direct", "行政诉讼（未经复议直接起诉）"),
    ("litigation_after", "行政诉讼（复议后起诉）"),
)
REVIEW_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)

# Finishing facts other than a reply (LAW.md §7 三（六）).
LAPSE_ROWS = {"correction": "三（六）1", "fee": "三（六）2"}
WITHDRAWN_ROW = "三（六）3"


class ReportCheckFailed(Conflict):
    """The data break the form's arithmetic (HTTP 409): the message names the table, row and column."""


@dataclass(frozen=True)
class AnnualReport:
    """The annual report's numbers for one agency and year.

    ``table3[row][column]`` and ``table4[group][outcome]`` are counts; ``trail[row]`` lists the
    request numbers behind each Table 3 row (for an assessor who wants to check a cell).
    """

    agency_code: str
    year: int
    as_of: date
    table3: Mapping[str, Mapping[str, int]]
    table4: Mapping[str, Mapping[str, int]]
    fees_yuan: Decimal
    fee_requests: int
    trail: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when the figures stand at 31 December (the year is over)."""
        return self.as_of == date(self.year, 12, 31)

    def to_dict(self) -> dict:
        """JSON-ready form: rows in the form's order, each with its label and every column."""
        return {
            "agency": self.agency_code,
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "complete": self.complete,
            "columns": list(COLUMNS),
            "table3": [{"key": r.key, "label": r.label, "group": r.group, "cells": dict(self.table3[r.key]),
                        "requests": list(self.trail.get(r.key, ()))} for r in TABLE3_ROWS],
            "table4": [{"key": g, "label": label, "cells": dict(self.table4[g])} for g, label in REVIEW_GROUPS],
            "fees": {"collected_yuan": f"{self.fees_yuan:.2f}", "requests": self.fee_requests},
        }


def applicant_column(applicant: Mapping[str, object]) -> str:
    """The Table 3 column of an applicant as stored in the ``registered`` event."""
    if applicant.get("kind") == "natural_person":
        return PERSON
    org = applicant.get("org_kind")
    # A registration always carries the organisation's kind; an older or foreign record without
    # one still has to be counted somewhere, and 其他 is the form's own catch-all.
    return org if isinstance(org, str) and org in ORG_COLUMNS else "其他"


def finishing(case: Case) -> tuple[date, str] | None:
    """The date of the fact that finished the case and the Table 3 row it counts in; None while open."""
    if case.reply is not None:
        code = case.reply.decision
        decision = DECISIONS.get(code)
        if decision is None:
            raise ReportCheckFailed(f"{case.number}: reply decision {code!r} has no row in Table 3")
        row = decision.table3_row
        if row == "三（三）":
            reason = case.reply.fields.get("withhold_reason")
            try:
                n = int(reason)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                n = 0
            if n not in WITHHOLD_REASONS:
                raise ReportCheckFailed(f"{case.number}: 不予公开 without a reason 1–8 (got {reason!r})")
            row = f"三（三）{n}"
        return case.reply.issued_on, row
    if case.lapsed_on is not None:
        row = LAPSE_ROWS.get(case.lapse_reason or "")
        if row is None:
            raise ReportCheckFailed(f"{case.number}: lapse without a reason correction|fee "
                                    f"(got {case.lapse_reason!r})")
        return case.lapsed_on, row
    if case.withdrawn_on is not None:
        return case.withdrawn_on, WITHDRAWN_ROW
    return None


def _review_group(kind: str, after_reconsideration: bool) -> str:
    if kind == "reconsideration":
        return "reconsideration"
    return "litigation_after" if after_reconsideration else "litigation_direct"


@dataclass(frozen=True)
class ReviewFact:
    """A reconsideration or lawsuit as Table 4 counts it."""

    id: str
    group: str
    filed_on: date
    outcome: str | None
    decided_on: date | None


@dataclass(frozen=True)
class CaseFact:
    """Everything the annual report reads of one request, in any year: kept per request by the service
    (a read projection updated with the request's events), so a report reads its year's facts instead
    of folding every event of the unit's history. ``finish_error`` holds the refusal
    :func:`finishing` raised for data the form cannot count (raised again when a report reads it)."""

    number: str
    agency_code: str
    received_on: date
    column: str
    finished: tuple[date, str] | None
    finish_error: str = ""
    reviews: tuple[ReviewFact, ...] = ()
    fee_paid_on: date | None = None
    fee_amount: str = ""


def fact_of(case: Case) -> CaseFact:
    """The annual-report facts of a folded case."""
    try:
        done, error = finishing(case), ""
    except ReportCheckFailed as exc:
        done, error = None, str(exc)
    reviews = tuple(ReviewFact(id=str(r.id), group=_review_group(r.kind, r.after_reconsideration),
                               filed_on=r.filed_on, outcome=r.outcome, decided_on=r.decided_on)
                    for r in case.reviews)
    fee = case.fee
    return CaseFact(number=case.number, agency_code=case.agency_code, received_on=case.receipt_date,
                    column=applicant_column(case.applicant), finished=done, finish_error=error, reviews=reviews,
                    fee_paid_on=fee.paid_on if fee is not None else None,
                    fee_amount=str(fee.amount_yuan) if fee is not None and fee.paid_on is not None else "")


def compute(cases: Iterable[Case], *, agency_code: str, year: int, as_of: date | None = None) -> AnnualReport:
    """Tables 3 and 4 and the fees of ``agency_code`` for ``year`` from its folded cases.

    ``as_of`` (default 31 December) cuts a year still running: facts dated after it are not yet
    facts. Raises :class:`ReportCheckFailed` when the data break 一 + 二 = 三（七） + 四, or a case
    from another agency is passed in.
    """
    return compute_facts((fact_of(c) for c in cases), agency_code=agency_code, year=year, as_of=as_of)


def compute_facts(facts: Iterable[CaseFact], *, agency_code: str, year: int,
                  as_of: date | None = None) -> AnnualReport:
    """:func:`compute` from the requests' facts (:func:`fact_of`). Facts of requests that are in no
    row of the year (finished before it, received after it) may be passed or left out alike."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    cutoff = end if as_of is None else min(as_of, end)
    if cutoff < start:
        raise ValueError(f"as_of {cutoff} lies before the year {year}")
    table3 = {k: dict.fromkeys(COLUMNS, 0) for k in TABLE3_KEYS}
    trail: dict[str, list[str]] = {k: [] for k in TABLE3_KEYS}
    table4 = {g: dict.fromkeys((o for o, _ in REVIEW_OUTCOMES), 0) for g, _ in REVIEW_GROUPS}
    fees = Decimal("0")
    fee_requests = 0

    def count(row: str, column: str, number: str) -> None:
        table3[row][column] += 1
        table3[row][TOTAL] += 1
        trail[row].append(number)

    for fact in facts:
        if fact.agency_code != agency_code:
            raise ReportCheckFailed(f"{fact.number} belongs to {fact.agency_code}, not {agency_code}")
        received = fact.received_on
        if received > cutoff:
            continue
        if fact.finish_error:
            raise ReportCheckFailed(fact.finish_error)
        column = fact.column
        done = fact.finished
        done_on = done[0] if done is not None and done[0] <= cutoff else None
        if received >= start:
            count("一", column, fact.number)
        elif done_on is None or done_on >= start:
            count("二", column, fact.number)
        if done is not None and done_on is not None and done_on >= start:
            count(done[1], column, fact.number)
            count("三（七）", column, fact.number)
        elif done_on is None:
            count("四", column, fact.number)
        # Otherwise the case was finished before the year and is in no row; if it was also received in
        # the year (a finishing fact dated before the receipt), check_table3 names the broken column.
        for review in fact.reviews:
            if not start <= review.filed_on <= cutoff:
                continue
            group = table4[review.group]
            decided = review.outcome is not None and review.decided_on is not None and review.decided_on <= cutoff
            if decided and review.outcome not in ("upheld", "corrected", "other"):
                raise ReportCheckFailed(f"{fact.number} review {review.id}: unknown outcome {review.outcome!r}")
            group[review.outcome if decided else "pending"] += 1  # type: ignore[index]
            group["total"] += 1
        if fact.fee_paid_on is not None and start <= fact.fee_paid_on <= cutoff:
            fees += Decimal(fact.fee_amount)
            fee_requests += 1
    check_table3(table3)
    check_table4(table4)
    return AnnualReport(agency_code=agency_code, year=year, as_of=cutoff, table3=table3, table4=table4,
                        fees_yuan=fees, fee_requests=fee_requests,
                        trail={k: tuple(v) for k, v in trail.items()})


def check_table3(table3: Mapping[str, Mapping[str, int]]) -> None:
    """Assert the form's arithmetic on Table 3 in every column: 一 + 二 = 三（七） + 四, 三（七） = the sum
    of 三's rows, 总计 = the sum of the six columns. Raises :class:`ReportCheckFailed` naming the column."""
    for key in TABLE3_KEYS:
        row = table3[key]
        parts = sum(row[c] for c in COLUMNS if c != TOTAL)
        if row[TOTAL] != parts:
            raise ReportCheckFailed(f"Table 3 row {key}: 总计 is {row[TOTAL]} but the six columns add up to {parts}",
                                    row=key, column=TOTAL)
    for column in COLUMNS:
        results = sum(table3[k][column] for k in RESULT_KEYS)
        if table3["三（七）"][column] != results:
            raise ReportCheckFailed(f"Table 3 column {column}: 三（七） is {table3['三（七）'][column]} but the "
                                    f"rows of 三 add up to {results}", column=column)
        left = table3["一"][column] + table3["二"][column]
        right = table3["三（七）"][column] + table3["四"][column]
        if left != right:
            raise ReportCheckFailed(f"Table 3 column {column}: 一 + 二 = {left} but 三（七） + 四 = {right}",
                                    column=column)


def check_table4(table4: Mapping[str, Mapping[str, int]]) -> None:
    """Assert that each group's 总计 is the sum of its four outcomes (ReportCheckFailed otherwise)."""
    for group, label in REVIEW_GROUPS:
        cells = table4[group]
        parts = sum(cells[o] for o, _ in REVIEW_OUTCOMES if o != "total")
        if cells["total"] != parts:
            raise ReportCheckFailed(f"Table 4 {label}: 总计 is {cells['total']} but the outcomes add up to {parts}",
                                    column=label)
