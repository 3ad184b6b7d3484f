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
    case("C", PERSON, "2025-03-01", reply("2025-03-20", "partial", disclosure="x",
                                                    withheld_parts=[{"what": "附件", "category": 4}])),
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


# ---------------------------------------------------------------------------------------------
# Through the REST API and the command line (SQLite and PostgreSQL)
# ---------------------------------------------------------------------------------------------

USCC = "91350100M000100Y43"


@pytest.fixture
def beijing_2026_02_10(client):  # type: ignore[no-untyped-def]  # after the app: pydantic must not see freezegun's date
    from freezegun import freeze_time

    with freeze_time("2026-02-10 02:00:00", tick=True):
        yield


def _register(client, world, arrival: str, *, user: str = "clerk", organisation: str | None = None) -> int:  # type: ignore[no-untyped-def]
    from tests.conftest import auth

    applicant = ({"kind": "organisation", "org_kind": organisation, "name": "某公司", "id_type": "uscc",
                  "id_number": USCC, "phone": "13900000000"} if organisation else
                 {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                  "id_number": "11010519491231002X", "phone": "13900000000"})
    r = client.post("/api/v1/requests", headers=auth(world, user), json={
        "applicant": applicant, "channel": "in_person", "arrival_at": f"{arrival}T10:00:00+08:00",
        "description": "申请公开某小区旧城改造项目的立项批复文件"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _act(client, world, rid: int, user: str, **body: Any) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import auth

    r = client.post(f"/api/v1/requests/{rid}/actions", json=body, headers=auth(world, user))
    assert r.status_code == 200, r.text


def _served(client, world, rid: int, kind: str, *, sent_on: str, received_on: str) -> None:  # type: ignore[no-untyped-def]
    """Record that the request's ``kind`` letter was handed to the applicant (送达, a case lapses only then)."""
    from tests.conftest import auth

    letters = client.get(f"/api/v1/requests/{rid}/letters", headers=auth(world, "clerk")).json()
    url = f"/api/v1/letters/{next(x['id'] for x in letters if x['kind'] == kind)}/service"
    r = client.post(url, json={"method": "direct", "sent_on": sent_on, "received_on": received_on},
                    headers=auth(world, "clerk"))
    assert r.status_code == 201, r.text


@pytest.fixture
def housing_2025(client, world, beijing_2026_02_10) -> None:  # type: ignore[no-untyped-def]
    """Four housing requests of 2025 and one of env, entered after the fact with their real dates."""
    # 自然人, received 2025-12-22, replied 2026-01-08: carried forward from 2025 into 2026.
    r1 = _register(client, world, "2025-12-22")
    _act(client, world, r1, "handler", action="accept", on="2025-12-23")
    _act(client, world, r1, "approver", action="reply", decision="not_exist", issued_on="2026-01-08",
         service_method="post", seal_confirmed=True)
    # 商业企业, partial disclosure; reconsideration filed and corrected in 2025.
    r2 = _register(client, world, "2025-03-03", organisation="商业企业")
    _act(client, world, r2, "handler", action="accept", on="2025-03-04")
    _act(client, world, r2, "approver", action="reply", decision="partial", issued_on="2025-03-20",
         disclosure="可公开部分请到本机关受理窗口领取", withheld_parts=[{"what": "附件", "category": 4, "explanation": "第三方商业秘密"}], service_method="post",
         seal_confirmed=True)
    _act(client, world, r2, "handler", action="record_review", kind="reconsideration", filed_on="2025-04-01",
         body="常熟市人民政府")
    _act(client, world, r2, "handler", action="decide_review", outcome="corrected", decided_on="2025-06-01")
    # 自然人, withdrawn.
    r3 = _register(client, world, "2025-05-06")
    _act(client, world, r3, "clerk", action="withdraw", on="2025-05-08")
    # 自然人, correction not made: lapsed.
    r4 = _register(client, world, "2025-06-09")
    _act(client, world, r4, "handler", action="request_correction", sent_on="2025-06-10", period_days=15,
         items=["所需信息的名称"], seal_confirmed=True)
    _served(client, world, r4, "correction_notice", sent_on="2025-06-10", received_on="2025-06-11")
    _act(client, world, r4, "handler", action="lapse", on="2025-07-15", reason="correction")
    # Another unit's request: never in housing's report.
    _register(client, world, "2025-04-01", user="env_clerk")


def _row(data: dict, key: str) -> dict[str, int]:
    return next(r["cells"] for r in data["table3"] if r["key"] == key)


@pytest.mark.usefixtures("housing_2025")
def test_api_report_json_by_hand(client, world) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import auth

    r = client.get("/api/v1/reports/annual", params={"agency": "housing", "year": 2025},
                   headers=auth(world, "approver"))
    assert r.status_code == 200, r.text
    data = r.json()
    assert (data["agency_name"], data["as_of"], data["complete"]) == ("常熟市住房和城乡建设局", "2025-12-31", True)
    assert _row(data, "一") == cells(自然人=3, 商业企业=1, 总计=4)
    assert _row(data, "二") == ZERO
    assert _row(data, "三（二）") == cells(商业企业=1, 总计=1)
    assert _row(data, "三（六）1") == cells(自然人=1, 总计=1)
    assert _row(data, "三（六）3") == cells(自然人=1, 总计=1)
    assert _row(data, "三（七）") == cells(自然人=2, 商业企业=1, 总计=3)
    assert _row(data, "四") == cells(自然人=1, 总计=1)
    recon = next(g["cells"] for g in data["table4"] if g["key"] == "reconsideration")
    assert recon == {"upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 1}
    # 2026 is still running: it stands at today and carries over what 2025 carried forward.
    now = client.get("/api/v1/reports/annual", params={"agency": "housing", "year": 2026},
                     headers=auth(world, "assessor")).json()
    assert (now["as_of"], now["complete"]) == ("2026-02-10", False)
    assert _row(now, "二") == _row(data, "四")
    assert _row(now, "三（四）1") == cells(自然人=1, 总计=1)
    assert _row(now, "四") == ZERO


@pytest.mark.usefixtures("housing_2025")
def test_api_report_who_may_see_it(client, world) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import auth

    def status(user: str, agency: str = "housing", year: int = 2025) -> int:
        return client.get("/api/v1/reports/annual", params={"agency": agency, "year": year},
                          headers=auth(world, user)).status_code

    assert status("approver") == 200  # the unit's own 负责人
    assert status("assessor") == 200 and status("admin") == 200  # the supervising office
    assert status("assessor", agency="city") == 200
    assert status("env_approver") == 404  # another unit: as if it did not exist
    assert status("approver", agency="city") == 404  # a unit cannot see its supervisor's report
    assert status("assessor", agency="nowhere") == 404
    assert status("clerk") == 403 and status("handler") == 403
    assert status("assessor", year=2027) == 422  # the year has not begun
    assert client.get("/api/v1/reports/annual", params={"agency": "housing", "year": 2025}).status_code == 401


@pytest.mark.usefixtures("housing_2025")
def test_api_report_html_pdf_xlsx(client, world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    from openpyxl import load_workbook

    from tests.conftest import auth

    def get(fmt: str):  # type: ignore[no-untyped-def]
        r = client.get("/api/v1/reports/annual", params={"agency": "housing", "year": 2025, "format": fmt},
                       headers=auth(world, "assessor"))
        assert r.status_code == 200, r.text
        return r

    html = get("html")
    assert html.headers["content-type"].startswith("text/html")
    assert "一、本年新收政府信息公开申请数量" in html.text and "（三）不予公开" in html.text
    pdf = get("pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    (tmp_path / "r.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "表三" in text and "表四" in text and "四、结转下年度继续办理" in text
    book = load_workbook(filename=__import__("io").BytesIO(get("xlsx").content))
    sheet = book.active
    rows = {str(r[0].value): [c.value for c in r[3:10]] for r in sheet.iter_rows() if r[0].value}
    assert rows["一、本年新收政府信息公开申请数量"] == [3, 1, 0, 0, 0, 0, 4]
    assert rows["四、结转下年度继续办理"] == [1, 0, 0, 0, 0, 0, 1]
    # 三（七） sits under the merged 三、本年度办理结果 cell: its label is in column B.
    total = next(r for r in sheet.iter_rows() if r[1].value == "（七）总计")
    assert [c.value for c in total[3:10]] == [2, 1, 0, 0, 0, 0, 3]


@pytest.mark.usefixtures("housing_2025")
def test_cli_report_annual(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from service.cli import app

    runner = CliRunner()
    done = runner.invoke(app, ["report", "annual", "--agency", "housing", "--year", "2025", "--format", "json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert _row(data, "三（七）") == cells(自然人=2, 商业企业=1, 总计=3)
    out = tmp_path / "report.xlsx"
    done = runner.invoke(app, ["report", "annual", "--agency", "housing", "--year", "2025", "--format", "xlsx",
                               "--out", str(out)])
    assert done.exit_code == 0, done.output
    sheet = load_workbook(out).active
    assert any(r[0].value == "二、上年结转政府信息公开申请数量" for r in sheet.iter_rows())
    pdf = tmp_path / "report.pdf"
    assert runner.invoke(app, ["report", "annual", "--agency", "housing", "--year", "2025", "--format", "pdf",
                               "--out", str(pdf)]).exit_code == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    bad = runner.invoke(app, ["report", "annual", "--agency", "nowhere", "--year", "2025"])
    assert bad.exit_code == 2 and "nowhere" in bad.output
    bad = runner.invoke(app, ["report", "annual", "--agency", "housing", "--year", "2025", "--format", "doc"])
    assert bad.exit_code == 2 and "--format" in bad.output


def test_report_endpoint_conforms_to_its_openapi(world) -> None:  # type: ignore[no-untyped-def]
    """Schemathesis on GET /reports/annual as an assessor: every answer (JSON, HTML, PDF, xlsx, 404,
    422) is one the OpenAPI document declares."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import positive_data_acceptance

    from service.app import create_app
    from tests.conftest import auth

    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())
    operation = schema["/api/v1/reports/annual"]["GET"]

    # Unknown unit codes and future years are schema-valid but rightly refused (404, 422).
    @given(case=operation.as_strategy())
    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case) -> None:  # type: ignore[no-untyped-def]
        case.call_and_validate(headers=auth(world, "assessor"), excluded_checks=[positive_data_acceptance])

    check()
