"""The annual report (年度报告): Table 3, Table 4 and fees from hand-built cases whose every cell is
computed by hand below, then the same through the REST API and the `ogi report annual` command."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from workflow.annual_report import (
    COLUMNS,
    TABLE3_KEYS,
    ReportCheckFailed,
    check_table3,
    compute,
)
from workflow.events import DomainEvent
from workflow.machine import Case, fold

AGENCY = "housing"
PERSON = {"kind": "natural_person", "name": "张三"}


def org(kind: str | None) -> dict[str, Any]:
    """An organisation applicant of the given Table 3 kind (None: kind not recorded)."""
    return {"kind": "organisation", "name": "某单位", "org_kind": kind}


def case(number: str, applicant: dict[str, Any], received: str, *facts: tuple[str, str, dict[str, Any]]) -> Case:
    """A case folded from its registration and ``facts`` = (event kind, ISO date, data)."""
    events = [DomainEvent("registered", date.fromisoformat(received),
                          {"number": number, "agency_code": AGENCY, "applicant": applicant,
                           "receipt_date": received})]
    events += [DomainEvent(kind, date.fromisoformat(on), data) for kind, on, data in facts]
    return fold(events)


def reply(on: str, decision: str, **fields: Any) -> tuple[str, str, dict[str, Any]]:
    return ("replied", on, {"decision": decision, "fields": fields})


def review(on: str, rid: str, kind: str, after: bool = False) -> tuple[str, str, dict[str, Any]]:
    return ("review_recorded", on, {"review_id": rid, "kind": kind, "body": "常熟市人民政府",
                                    "after_reconsideration": after})


def decided(on: str, rid: str, outcome: str) -> tuple[str, str, dict[str, Any]]:
    return ("review_decided", on, {"review_id": rid, "outcome": outcome})


# Report year 2025. Letters = cases; what each must count as in 2025 is said beside it.
CASES = [
    # A 自然人: received 2024, fee paid 2024 (not a 2025 fee), replied 2025 → 二, 三（一）.
    case("A", PERSON, "2024-12-20", ("fee_notice_issued", "2024-12-22", {"amount_yuan": "30.00"}),
         ("payment_received", "2024-12-28", {}), reply("2025-01-10", "disclose", disclosure="见附件")),
    # B 自然人: received and replied in 2024 → nowhere in 2025's Table 3; its review was filed in 2024
    # and decided in 2025 → not in 2025's Table 4 either (it belongs to 2024's).
    case("B", PERSON, "2024-06-01", reply("2024-07-01", "disclose", disclosure="见附件"),
         review("2024-08-01", "R1", "reconsideration"), decided("2025-02-01", "R1", "corrected")),
    # C 自然人: partial disclosure → 一, 三（二） only.
    case("C", PERSON, "2025-03-01", reply("2025-03-20", "partial", disclosure="x", withheld_reasons="y")),
    # D 商业企业: withheld, reason 4 → 一, 三（三）4; reconsideration filed 2025, corrected 2025.
    case("D", org("商业企业"), "2025-04-01", reply("2025-04-20", "withhold", withhold_reason=4, reason="r"),
         review("2025-05-01", "R1", "reconsideration"), decided("2025-08-01", "R1", "corrected")),
    # E 商业企业: received 2025-12-25, replied 2026 → 一, 四 (carried forward).
    case("E", org("商业企业"), "2025-12-25", ("accepted", "2025-12-26", {}),
         reply("2026-01-15", "disclose", disclosure="见附件")),
    # F 科研机构: lapsed, correction not made → 一, 三（六）1.
    case("F", org("科研机构"), "2025-05-01",
         ("correction_requested", "2025-05-06", {"period_days": 15, "items": ["具体名称"]}),
         ("lapsed", "2025-06-10", {"reason": "correction"})),
    # G 社会公益组织: lapsed, fee not paid → 一, 三（六）2 (no fee collected).
    case("G", org("社会公益组织"), "2025-05-02", ("accepted", "2025-05-06", {}),
         ("fee_notice_issued", "2025-05-10", {"amount_yuan": "100.00"}), ("lapsed", "2025-07-01", {"reason": "fee"})),
    # H 法律服务机构: withdrawn → 一, 三（六）3.
    case("H", org("法律服务机构"), "2025-06-01", ("withdrawn", "2025-06-05", {})),
    # I 其他: received 2024, still open → 二, 四.
    case("I", org("其他"), "2024-11-01", ("accepted", "2024-11-04", {})),
    # J 自然人: withheld, reason 1 → 一, 三（三）1; reconsideration upheld in 2025; a direct lawsuit filed
    # 2025 and decided only in 2026 → 尚未审结 in 2025.
    case("J", PERSON, "2025-02-01", reply("2025-02-20", "withhold", withhold_reason="1", reason="r"),
         review("2025-03-01", "R1", "reconsideration"), review("2025-03-05", "R2", "litigation"),
         decided("2025-05-01", "R1", "upheld"), decided("2026-02-01", "R2", "corrected")),
    # K 商业企业: not held → 一, 三（四）1.
    case("K", org("商业企业"), "2025-07-01", reply("2025-07-10", "not_exist")),
    # L 自然人: handled under another law → 一, 三（六）3.
    case("L", PERSON, "2025-07-02", reply("2025-07-11", "registry", law_and_procedure="不动产登记")),
    # O 自然人: fee 50.50 paid 2025 → fees; replied → 一, 三（一）; reconsideration ended "other";
    # a lawsuit after the reconsideration still undecided → 尚未审结.
    case("O", PERSON, "2025-08-01", ("accepted", "2025-08-01", {}),
         ("fee_notice_issued", "2025-08-05", {"amount_yuan": "50.50"}), ("payment_received", "2025-08-10", {}),
         reply("2025-09-01", "disclose", disclosure="见附件"),
         review("2025-09-10", "R1", "reconsideration"), decided("2025-10-01", "R1", "other"),
         review("2025-10-10", "R2", "litigation", after=True)),
    # P organisation of unrecorded kind → column 其他; already public → 一, 三（一）.
    case("P", org(None), "2025-09-01", reply("2025-09-05", "already_public", access_route="门户网站")),
    # R received 2026 → not in 2025 at all.
    case("R", PERSON, "2026-01-02"),
]

ZERO = dict.fromkeys(COLUMNS, 0)


def cells(**by_column: int) -> dict[str, int]:
    """A row with the given columns (自然人=…, 商业企业=…) and 总计 computed by hand by the caller."""
    return {**ZERO, **by_column}


EXPECTED_2025 = {
    "一": cells(自然人=4, 商业企业=3, 科研机构=1, 社会公益组织=1, 法律服务机构=1, 其他=1, 总计=11),
    "二": cells(自然人=1, 其他=1, 总计=2),
    "三（一）": cells(自然人=2, 其他=1, 总计=3),
    "三（二）": cells(自然人=1, 总计=1),
    "三（三）1": cells(自然人=1, 总计=1),
    "三（三）4": cells(商业企业=1, 总计=1),
    "三（四）1": cells(商业企业=1, 总计=1),
    "三（六）1": cells(科研机构=1, 总计=1),
    "三（六）2": cells(社会公益组织=1, 总计=1),
    "三（六）3": cells(自然人=1, 法律服务机构=1, 总计=2),
    "三（七）": cells(自然人=5, 商业企业=2, 科研机构=1, 社会公益组织=1, 法律服务机构=1, 其他=1, 总计=11),
    "四": cells(商业企业=1, 其他=1, 总计=2),
}


def test_table3_every_cell_of_2025() -> None:
    report = compute(CASES, agency_code=AGENCY, year=2025)
    for key in TABLE3_KEYS:
        assert dict(report.table3[key]) == EXPECTED_2025.get(key, ZERO), key
    # The identity, column by column, on the hand-computed figures: 一 + 二 = 三（七） + 四.
    for column in COLUMNS:
        t = report.table3
        assert t["一"][column] + t["二"][column] == t["三（七）"][column] + t["四"][column]
    assert report.trail["二"] == ("A", "I")
    assert report.trail["四"] == ("E", "I")
    assert report.complete and report.as_of == date(2025, 12, 31)


def test_partial_disclosure_counts_only_in_its_own_row() -> None:
    report = compute(CASES, agency_code=AGENCY, year=2025)
    rows_of_c = [k for k, numbers in report.trail.items() if "C" in numbers]
    assert rows_of_c == ["一", "三（二）", "三（七）"]


def test_table4_counts_reviews_filed_in_the_year_by_outcome_at_year_end() -> None:
    report = compute(CASES, agency_code=AGENCY, year=2025)
    assert dict(report.table4["reconsideration"]) == {"upheld": 1, "corrected": 1, "other": 1, "pending": 0,
                                                      "total": 3}
    assert dict(report.table4["litigation_direct"]) == {"upheld": 0, "corrected": 0, "other": 0, "pending": 1,
                                                        "total": 1}
    assert dict(report.table4["litigation_after"]) == {"upheld": 0, "corrected": 0, "other": 0, "pending": 1,
                                                       "total": 1}


def test_fees_are_the_payments_received_in_the_year() -> None:
    report = compute(CASES, agency_code=AGENCY, year=2025)
    assert (report.fees_yuan, report.fee_requests) == (Decimal("50.50"), 1)
    assert compute(CASES, agency_code=AGENCY, year=2024).fees_yuan == Decimal("30.00")


def test_next_year_carries_over_what_this_year_carried_forward() -> None:
    y2025 = compute(CASES, agency_code=AGENCY, year=2025)
    y2026 = compute(CASES, agency_code=AGENCY, year=2026)
    assert dict(y2026.table3["二"]) == dict(y2025.table3["四"])
    # 2026: R received (一 自然人); E replied (三（一） 商业企业); I still open (四 其他).
    assert dict(y2026.table3["一"]) == cells(自然人=1, 总计=1)
    assert dict(y2026.table3["三（一）"]) == cells(商业企业=1, 总计=1)
    assert dict(y2026.table3["四"]) == cells(自然人=1, 其他=1, 总计=2)
    # J's lawsuit was filed in 2025: decided in 2026, it is not counted again.
    assert y2026.table4["litigation_direct"]["total"] == 0


def test_2024_sees_the_other_side_of_the_boundary() -> None:
    y2024 = compute(CASES, agency_code=AGENCY, year=2024)
    # A, B, I received in 2024; B replied in 2024; A and I carried forward. B's review filed in 2024
    # was undecided on 2024-12-31.
    assert dict(y2024.table3["一"]) == cells(自然人=2, 其他=1, 总计=3)
    assert dict(y2024.table3["三（一）"]) == cells(自然人=1, 总计=1)
    assert dict(y2024.table3["四"]) == cells(自然人=1, 其他=1, 总计=2)
    assert y2024.table4["reconsideration"] == {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1}


def test_a_year_still_running_stops_at_as_of() -> None:
    report = compute(CASES, agency_code=AGENCY, year=2025, as_of=date(2025, 6, 30))
    assert not report.complete
    # By 6/30: received C D F G H J (+ A, I carried over). G lapses on 7/1, so it is still open;
    # F (6/10) and H (6/5) are finished; D's reconsideration is undecided on 6/30.
    assert report.table3["一"]["总计"] == 6
    assert report.table3["四"]["总计"] == 2  # G and I
    assert report.trail["四"] == ("G", "I")
    assert report.table4["reconsideration"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 1, "total": 2}


def test_all_withhold_reasons_and_other_decisions_have_their_rows() -> None:
    cases = [case(f"W{n}", PERSON, "2025-03-01", reply("2025-03-10", "withhold", withhold_reason=n, reason="r"))
             for n in range(1, 9)]
    codes = {"not_this_agency": "三（四）1", "needs_creation": "三（四）2", "still_unclear": "三（四）3",
             "petition": "三（五）1", "repeat": "三（五）2", "publication": "三（五）3", "excessive": "三（五）4",
             "confirm_reissue": "三（五）5"}
    cases += [case(code, PERSON, "2025-03-01", reply("2025-03-10", code)) for code in codes]
    report = compute(cases, agency_code=AGENCY, year=2025)
    for n in range(1, 9):
        assert report.trail[f"三（三）{n}"] == (f"W{n}",)
    for code, row in codes.items():
        assert code in report.trail[row]
    assert report.table3["三（七）"]["自然人"] == 16 == report.table3["一"]["自然人"]


def test_broken_data_is_refused_naming_the_column() -> None:
    # A withdrawal dated before the receipt: counted as received in 2025 but finished in 2024.
    # With F, 科研机构 then has 一 + 二 = 2 but only F in 三（七）.
    bad = case("X", org("科研机构"), "2025-05-01", ("withdrawn", "2024-12-01", {}))
    with pytest.raises(ReportCheckFailed, match="科研机构: 一 \\+ 二 = 2 but 三（七） \\+ 四 = 1"):
        compute([*CASES, bad], agency_code=AGENCY, year=2025)
    table = {k: dict(v) for k, v in compute(CASES, agency_code=AGENCY, year=2025).table3.items()}
    table["四"]["自然人"] += 1
    table["四"]["总计"] += 1
    with pytest.raises(ReportCheckFailed, match="column 自然人"):
        check_table3(table)
    with pytest.raises(ReportCheckFailed, match="belongs to env"):
        compute([fold([DomainEvent("registered", date(2025, 1, 2), {"number": "Y", "agency_code": "env",
                                                                   "applicant": PERSON})])],
                agency_code=AGENCY, year=2025)


def test_json_form_keeps_the_rows_of_the_form() -> None:
    data = compute(CASES, agency_code=AGENCY, year=2025).to_dict()
    assert [r["key"] for r in data["table3"]] == list(TABLE3_KEYS)
    assert data["table3"][0]["label"] == "一、本年新收政府信息公开申请数量"
    assert data["fees"] == {"collected_yuan": "50.50", "requests": 1}
    assert len(data["table4"]) == 3 and all(len(g["cells"]) == 5 for g in data["table4"])
