"""Required elements of a reply (LAW.md §6): a draft missing any one is refused; text search finds them."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from service.letters import service
from service.letters.samples import FakeAgency, FakeCase, full_case, reply_order
from workflow.legal import clauses_on, load
from workflow.replies import (
    DECISIONS,
    ELEMENTS,
    WITHHOLD_REASONS,
    check_reply,
    detect_decision,
    find_elements,
)


@pytest.fixture(autouse=True)
def _no_seal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "get_settings", lambda: type("S", (), {"seal_dir": tmp_path})())


def draft(code: str = "withhold", case: FakeCase | None = None):
    case = case or full_case()
    seal = service.Seal(image=None, confirmed=True)
    _, d = service._compose(case=case, order=reply_order(code), agency=FakeAgency(), number="常住建依申复〔2026〕1号",
                            seal=seal)
    return d


@pytest.mark.parametrize("code", list(DECISIONS))
def test_complete_reply_passes(code: str) -> None:
    assert check_reply(draft(code)) == []


REMOVALS = {
    "number": {"number": None},
    "agency_heading": {"agency_name": ""},
    "signature": {"signature": None},
    "seal": {"seal": False},
    "addressee": {"addressee": ""},
    "receipt_date": {"receipt_date": None},
    "request": {"request": "  "[:0]},
    "decision": {"decision": None},
    "legal_basis": {"legal_basis": None},
    "remedy": {"remedy": None},
    "issue_date": {"issued_on": None},
    "service_record": {"service_method": None},
}


@pytest.mark.parametrize("element", list(REMOVALS))
def test_reply_missing_an_element_is_refused(element: str) -> None:
    missing = check_reply(dataclasses.replace(draft(), **REMOVALS[element]))
    assert element in missing
    assert set(missing) <= set(ELEMENTS)


@pytest.mark.parametrize("fact", ["correction_receipt", "consultation_pause", "fee_pause", "extension"])
def test_reply_must_state_each_fact_that_happened(fact: str) -> None:
    d = draft()
    assert fact in d.facts_happened
    assert check_reply(dataclasses.replace(d, facts_stated={k: v for k, v in d.facts_stated.items() if k != fact})) \
        == [fact]
    # A fact that did not happen is not asked for.
    plain = draft(case=FakeCase())
    assert plain.facts_happened == frozenset() and check_reply(plain) == []


def test_decision_specific_content_is_required() -> None:
    d = draft("not_this_agency")
    assert check_reply(dataclasses.replace(d, fields={**d.fields, "reason": ""})) == ["decision_content"]
    w = draft("withhold")
    assert check_reply(dataclasses.replace(w, fields={**w.fields, "withhold_reason": 9})) == ["decision_content"]
    # The basis must cite the article of the reason relied on (reason 4 → Art. 15, not Art. 16).
    assert check_reply(dataclasses.replace(w, fields={**w.fields, "withhold_reason": 4})) == ["legal_basis"]


def test_remedy_with_stale_periods_or_without_reconsideration_first_is_refused() -> None:
    d = draft("withhold")
    assert d.remedy is not None and d.remedy.reconsideration_first
    stale = dataclasses.replace(d.remedy, litigation_months=3)
    assert check_reply(dataclasses.replace(d, remedy=stale)) == ["remedy"]
    assert check_reply(dataclasses.replace(d, remedy=dataclasses.replace(d.remedy, reconsideration_first=False))) \
        == ["reconsideration_first"]
    no_court = dataclasses.replace(d.remedy, court="")
    assert check_reply(dataclasses.replace(d, remedy=no_court)) == ["court"]


def test_agency_without_reconsideration_body_gives_no_remedy_notice() -> None:
    order = reply_order("disclose")
    agency = FakeAgency(reconsideration_body="")
    missing = service.check_order(case=FakeCase(), order=order, agency=agency, seal_confirmed=True)
    assert missing == ["remedy", "reconsideration_body", "court"]


def test_decision_bases_agree_with_legal_data() -> None:
    reg = clauses_on(date(2026, 1, 1)).regulations
    for code, decision in DECISIONS.items():
        assert reg.tables["decisions"][code] == decision.basis
    for n, (_label, article) in WITHHOLD_REASONS.items():
        assert reg.tables["withhold"][str(n)] == article
    assert load()  # data loads


EXTERNAL = """常州市某某局
常某依申复〔2025〕3号
政府信息公开申请答复书
李四：
本机关于2025年6月3日收到您提交的政府信息公开申请，申请获取“某路段改造合同”的政府信息。
经审查，该信息属于内部事务信息，根据《中华人民共和国政府信息公开条例》第十六条第一款、第三十六条第（三）项的规定，本机关决定不予公开。
如对本答复不服，可以自收到本答复之日起六十日内向常州市人民政府申请行政复议，或者在三个月内向常州市某区人民法院提起行政诉讼。
常州市某某局
2025年6月20日
"""


def test_find_elements_on_external_letter_reports_stale_and_missing() -> None:
    report = find_elements(EXTERNAL)
    assert report.decision == "withhold"
    assert {"number", "agency_heading", "addressee", "receipt_date", "request", "decision", "legal_basis",
            "reconsideration_body", "court", "signature", "issue_date"} <= set(report.found)
    # Three months to sue is superseded law; no reconsideration-first notice; no service record.
    assert {"remedy", "reconsideration_first", "service_record"} <= set(report.missing)
    assert report.unchecked == ("seal",)
    assert find_elements(EXTERNAL, has_seal_image=False).missing[-2:] == ("seal", "service_record")


def test_find_elements_on_empty_text_finds_nothing() -> None:
    report = find_elements("")
    assert report.found == () and "number" in report.missing and report.decision is None


@pytest.mark.parametrize("text,code", [
    ("本机关决定予以公开", "disclose"), ("本机关决定不予公开", "withhold"), ("决定部分公开", "partial"),
    ("该信息已主动公开", "already_public"), ("属于重复申请", "repeat"), ("属于公开出版物", "publication"),
    ("不予以公开", "withhold"),
])
def test_detect_decision(text: str, code: str) -> None:
    assert detect_decision(text) == code
