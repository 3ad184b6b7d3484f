"""Table-driven: every reply decision × the main combinations of case facts, rendered to PDF once
each; the printed text (extracted as uploads are) must carry the sentences of
docs/letters/decisions.md, state exactly the facts the case shows and never name the third party."""

from __future__ import annotations

import dataclasses
import re
import shutil
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from service.letters import render, service
from service.letters.extract import extract
from service.letters.samples import (
    Consultation,
    Correction,
    Extension,
    FakeAgency,
    FakeCase,
    Fee,
    reply_order,
)
from service.letters.templates import render_html
from workflow.letters.check import check_text
from workflow.letters.compose import AgencyProfile, MissingFact, compose
from workflow.replies import DECISIONS

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

DOC = Path(__file__).resolve().parents[1] / "docs" / "letters" / "decisions.md"


def sentences() -> dict[str, str]:
    """The ```sentence <key>``` blocks of docs/letters/decisions.md."""
    text = DOC.read_text(encoding="utf-8")
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"```sentence (\S+)\n(.*?)\n```", text, re.S)}


def fragments(template: str) -> list[str]:
    """The fixed wording of a sentence: the parts between its placeholders (two characters or more)."""
    return [part for part in re.split(r"\{[^}]+\}", template) if len(part) >= 2]


def assert_printed(flat: str, template: str, key: str) -> None:
    """Every fixed fragment of ``template`` is printed, in order."""
    at = 0
    for part in fragments(template):
        found = flat.find(part, at)
        assert found >= 0, f"{key}: {part!r} not printed after position {at}"
        at = found + len(part)


CORRECTION = Correction(date(2026, 3, 4), 10, ("名称",), received_on=date(2026, 3, 6))
THIRD = Consultation(date(2026, 3, 9), "常州某置业有限公司", ended_on=date(2026, 3, 13))
CO_AGENCY = Consultation(date(2026, 3, 9), "常州市财政局", kind="agency", ended_on=date(2026, 3, 13))
FEE = Fee(date(2026, 3, 9), "100.00", paid_on=date(2026, 3, 10))
EXTENSION = Extension(date(2026, 3, 25), 20, "需要检索核实")
DEADLINE = type("Deadline", (), {"due_on": date(2026, 5, 6), "notified_on": date(2026, 3, 25), "reason": "量大"})()

# Main fact combinations: none, each one alone, and all together.
COMBOS: dict[str, dict] = {
    "none": {},
    "correction": {"correction": CORRECTION},
    "third_party": {"consultations": (THIRD,)},
    "co_agency": {"consultations": (CO_AGENCY,)},
    "fee": {"fee": FEE},
    "extension": {"extension": EXTENSION},
    "deadline": {"deadline": DEADLINE},
    "all": {"correction": CORRECTION, "consultations": (THIRD,), "fee": FEE, "extension": EXTENSION},
}
FACT_KEYS = {"correction": ["fact:correction_receipt"], "third_party": ["fact:consultation_pause"],
             "co_agency": ["fact:consultation_agency"], "fee": ["fact:fee_pause"], "extension": ["fact:extension"],
             "deadline": ["fact:deadline"],
             "all": ["fact:correction_receipt", "fact:consultation_pause", "fact:fee_pause", "fact:extension"]}
# Decision-specific blocks printed with the sample fields (service.letters.samples.DECISION_FIELDS).
EXTRA_BLOCKS = {"partial": ["partial_item"], "not_this_agency": ["not_this_agency_known"]}


def case_for(code: str, combo: str) -> FakeCase:
    case = FakeCase(**COMBOS[combo])
    if code == "still_unclear" and case.correction is None:
        case = dataclasses.replace(case, correction=CORRECTION)
    if code == "excessive":
        case = dataclasses.replace(case, reasons_requested_on=date(2026, 3, 5))
    return case


@cache
def printed(code: str, combo: str) -> str:
    case = case_for(code, combo)
    ctx = service.build_context(case=case, order=reply_order(code), agency=FakeAgency(),
                                number="常住建依申复〔2026〕12号", seal_confirmed=True)
    return extract(render.html_to_pdf(render_html(ctx)), stamp=False).text


def _flat(text: str) -> str:
    lines = [x for x in text.splitlines() if not re.fullmatch(r"\s*[—-]\s*\d+\s*[—-]\s*", x)]
    return "".join("".join(lines).split())


@pytest.fixture(autouse=True)
def _no_seal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "get_settings", lambda: type("S", (), {"seal_dir": tmp_path})())


@pytest.mark.parametrize("combo", list(COMBOS))
@pytest.mark.parametrize("code", list(DECISIONS))
def test_printed_reply_matches_decisions_doc(code: str, combo: str) -> None:
    docs = sentences()
    text = printed(code, combo)
    flat = _flat(text)
    assert_printed(flat, docs["request"], "request")
    for key in [code, *EXTRA_BLOCKS.get(code, [])]:
        assert_printed(flat, docs[key], key)
    stated = FACT_KEYS.get(combo, [])
    if code == "still_unclear" and "fact:correction_receipt" not in stated:
        stated = [*stated, "fact:correction_receipt"]
    fact_keys = [k for k in docs if k.startswith("fact:")]
    for key in fact_keys:
        if key in stated:
            assert_printed(flat, docs[key], key)
            continue
        own = [p for p in fragments(docs[key]) if all(p not in docs[o] for o in fact_keys if o != key)]
        assert own and max(own, key=len) not in flat, f"{key} printed although the case does not show it"
    assert "常州某置业有限公司" not in flat, "the third party is named to the applicant"
    facts = service.facts_of(case_for(code, combo), date(2026, 3, 20))
    report = check_text(text, decision=code, facts=facts, seal=True)
    assert report.missing == (), report


@pytest.mark.parametrize("code, step", [("still_unclear", "request_correction"), ("excessive", "request_reasons")])
def test_a_reply_never_states_a_step_the_case_does_not_show(code: str, step: str) -> None:
    with pytest.raises(MissingFact) as refused:
        compose("reply", date(2026, 3, 20), reply_order(code).fields, case=FakeCase(),
                agency=AgencyProfile.of(FakeAgency()))
    assert refused.value.step == step
    waiting = dataclasses.replace(FakeCase(), correction=Correction(date(2026, 3, 4), 10, ("名称",)))
    if code == "still_unclear":
        with pytest.raises(MissingFact) as refused:
            compose("reply", date(2026, 3, 20), reply_order(code).fields, case=waiting,
                    agency=AgencyProfile.of(FakeAgency()))
        assert refused.value.step == "receive_correction"


def test_every_decision_has_its_sentence_in_the_doc() -> None:
    docs = sentences()
    assert set(DECISIONS) <= set(docs)
