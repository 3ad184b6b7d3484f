"""The element check on a letter's printed text: one checker for the system's own letters (rendered,
then extracted) and for letters uploaded from outside.

It reads what the page says, never the data behind it: number, heading, addressee, dates, the
request, the decision with its content and article, the remedy notice (each period read in the
clause it governs: 六十日 for 复议, 六个月 for 诉讼, never 三个月, swapped periods caught; the named
复议 body compared with the agency's configured body and the rule in force), signature, date, seal
and service record (LAW.md §6). Pure: the caller extracts the text and looks for the seal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from workflow.legal import ClauseNotInForce, check_reconsideration_body, clause_on, clauses_on
from workflow.letters.compose import AgencyProfile, LetterText, cn_date
from workflow.letters.prose import prose_faults
from workflow.replies import (
    _DECISION_CONTENT,
    _DECISION_PATTERNS,
    _FACT_PATTERNS,
    _NOT_SALUTATION,
    _NUMBER_RE,
    _ORG_RE,
    _SALUTATION_RE,
    _SERVICE_RE,
    DATE_RE,
    RECONSIDERATION_FIRST,
    ElementReport,
    _ordered,
)

_NUM = r"[〇零一二两三四五六七八九十百\d]+"
_PERIOD = rf"(?P<period>{_NUM}(?:日|天|个月|月|年))"
# 「……六十日内向X申请行政复议」「……六十日内，依法向X申请复议」
_RECON = re.compile(rf"{_PERIOD}内[，,]?(?:依法)?(?:向(?P<body>[^，,。；;]{{2,40}}?))?(?:依法)?申请(?:行政)?复议")
# 「……六个月内向X法院提起行政诉讼」「六个月内依法向X法院起诉」
_LITIG = re.compile(rf"{_PERIOD}内[，,]?(?:依法)?(?:向(?P<court>[^，,。；;]{{2,40}}?法院))?(?:依法)?"
                    r"(?:提起行政诉讼|提起诉讼|起诉)")
# OCR reads 〔 as 〔【 or [: a number read from a scan may carry a doubled or Latin bracket.
_NUMBER_LOOSE = re.compile(r"[\u4e00-\u9fff]{1,24}[〔\[［【(（]{1,2}\d{4}[〕\]］】)）]{1,2}第?\d{1,6}号")
_PAGE_NUMBER = re.compile(r"[—–\-－]+\s*\d+\s*[—–\-－]+|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?")
_SIXTY = {"六十日", "60日", "六十天", "60天"}
_SIX_MONTHS = {"六个月", "6个月"}
_FIFTEEN = {"十五日", "15日", "十五天", "15天"}
# Where the printed wording differs from what replies.py searched for in older letters, the
# patterns accept both (a correct variant never raises an alarm).
_FACTS = {**_FACT_PATTERNS,
          "extension": r"延(?:期|长)[^。]{0,30}(?:答复|期限|工作日)|期限延长|答复期限确定为"}
_CONTENT = {**_DECISION_CONTENT,
            "partial": r"不予公开的内容[^。]*理由|第十[四五六]条[^。]{0,20}不予公开|(?:理由|原因)[^。]*第十[四五六]条"
                       r"|第三十六条第[（(]七[）)]项[^。]{0,20}不予公开"}
_PATTERNS = dict(_DECISION_PATTERNS)
_PATTERNS["excessive"] = r"大量[、，]?反复|数量、频次明显超过合理范围"

# Kind-specific content of procedural notices, as the printed text shows it.
NOTICE_CONTENT: dict[str, dict[str, str]] = {
    "receipt": {"due_on": r"个工作日内[^。]{0,60}作出答复"},
    "correction_notice": {"items": r"补正[：:]?（1）", "period_days": r"\d+个工作日内"},
    "extension_notice": {"new_due_on": rf"{DATE_RE}前作出答复|期限届满[^。]{{0,10}}{DATE_RE}|届满日为{DATE_RE}"},
    "consultation": {"window": r"\d+个工作日内"},
    "third_party_opinion": {"opinion": r"不同意公开", "reason": r"公共利益", "content": r"决定公开的政府信息内容为"},
    "fee_notice": {"amount_yuan": r"人民币\d+(?:\.\d+)?元", "pay_by": r"\d+个工作日内缴纳", "payment": r"缴纳方式"},
    "reasons_request": {"reasons": r"说明理由"},
}
NOTICE_ELEMENTS: dict[str, tuple[str, ...]] = {
    "receipt": ("addressee", "receipt_date", "request", "legal_basis"),
    "correction_notice": ("addressee", "receipt_date", "request", "legal_basis", "seal"),
    "extension_notice": ("addressee", "receipt_date", "request", "legal_basis", "seal"),
    "consultation": ("addressee", "request", "legal_basis", "seal"),
    "third_party_opinion": ("addressee", "request", "legal_basis", "remedy", "seal", "service_record"),
    "fee_notice": ("addressee", "receipt_date", "request", "legal_basis", "seal"),
    "reasons_request": ("addressee", "receipt_date", "request", "legal_basis", "seal"),
}


@dataclass(frozen=True)
class Expect:
    """What the letter should say, when known: the agency file and the day of issue."""

    agency_name: str = ""
    reconsideration_body: str = ""
    court: str = ""
    vertically_managed: bool = False
    day: date | None = None


def flatten(text: str) -> str:
    """The text without whitespace (pdftotext and OCR break lines and space out CJK characters)."""
    return re.sub(r"\s+", "", text)


def _remedy(flat: str, code: str | None, expect: Expect | None, kind: str) -> tuple[bool, list[str]]:
    """Whether a remedy notice is printed, and the defects of its clauses (``remedy:…`` and body codes)."""
    defects: list[str] = []
    recon = list(_RECON.finditer(flat))
    litig = list(_LITIG.finditer(flat))
    if not recon or not litig:
        return False, ["remedy"]
    first_rule = code in RECONSIDERATION_FIRST
    for m in recon:
        period = m.group("period")
        if period in _SIX_MONTHS:
            defects.append("remedy:periods_swapped")
        elif period not in _SIXTY:
            defects.append("remedy:reconsideration_period")
    for m in litig:
        period = m.group("period")
        after_recon = "复议决定" in flat[max(0, m.start() - 40): m.start()]
        if period in _SIXTY:
            defects.append("remedy:periods_swapped")
        elif period in ("三个月", "3个月"):
            defects.append("remedy:litigation_period")
        elif period in _FIFTEEN and (after_recon or first_rule):
            continue
        elif period not in _SIX_MONTHS:
            defects.append("remedy:litigation_period")
    bodies = [m.group("body") for m in recon if m.group("body")]
    courts = [m.group("court") for m in litig if m.group("court")]
    if not bodies:
        defects.append("reconsideration_body")
    if not courts:
        defects.append("court")
    if expect is not None and bodies:
        if expect.reconsideration_body and any(b != expect.reconsideration_body for b in bodies):
            defects.append("reconsideration_body:configured")
        if expect.day is not None and expect.agency_name:
            try:
                rule = clauses_on(expect.day)
                for body in dict.fromkeys(bodies):
                    verdict = check_reconsideration_body(agency_name=expect.agency_name, body=body,
                                                         vertically_managed=expect.vertically_managed, clauses=rule)
                    if verdict.wrong:
                        defects.append("reconsideration_body:" + "/".join(verdict.expected))
            except (ClauseNotInForce, KeyError):
                pass
    if expect is not None and courts and expect.court and any(c != expect.court for c in courts):
        defects.append("court:configured")
    if (kind == "reply" and first_rule and _first_in_force(expect)
            and not re.search(r"(?:应当)?先[^。]{0,40}申请行政复议|复议前置", flat)):
        defects.append("reconsideration_first")
    return True, defects


def _first_in_force(expect: Expect | None) -> bool:
    """Whether the law in force says a refusal goes to reconsideration first (ARL 2023 Art. 23)."""
    day = expect.day if expect is not None and expect.day is not None else date.today()
    try:
        return bool(clause_on("remedy", day).values.get("reconsideration_first"))
    except ClauseNotInForce:
        return False


def check_text(text: str, *, kind: str = "reply", decision: str | None = None, facts: Sequence[str] = (),
               seal: bool | None = None, expect: Expect | None = None) -> ElementReport:
    """Check a letter's printed (extracted) text for the elements of its kind (LAW.md §6).

    ``decision``: the decision the reply should carry (recognised from the text when None);
    ``facts``: the case facts that happened and must be stated; ``seal``: whether a seal was found on
    the page (None: not looked for, reported as unchecked); ``expect``: the agency file and issue day,
    so the named 复议 body and court are compared with the configured ones and the rule in force.
    """
    # Page numbers ("— 1 —") sit between the lines of a sentence that runs over a page: drop them.
    lines = [line.strip() for line in text.splitlines() if line.strip() and not _PAGE_NUMBER.fullmatch(line.strip())]
    flat = flatten("\n".join(lines))
    found: dict[str, bool] = {}
    # How the prose reads (punctuation, quotes, a fact stated twice, the closing kept on one page).
    extra: list[str] = prose_faults(flat, pages=text)

    found["number"] = bool(_NUMBER_RE.search(flat) or _NUMBER_LOOSE.search(flat))
    sal_index = next((i for i, line in enumerate(lines)
                      if (m := _SALUTATION_RE.match(line.replace(" ", "")))
                      and not any(w in m.group(1) for w in _NOT_SALUTATION)), None)
    found["addressee"] = sal_index is not None
    org_lines = [(i, line.replace(" ", "")) for i, line in enumerate(lines) if _ORG_RE.match(line.replace(" ", ""))]
    split = sal_index if sal_index is not None else len(lines) // 3
    heads = [n for i, n in org_lines if i < split]
    tails = [(i, n) for i, n in org_lines if i > split]
    found["agency_heading"] = bool(heads)
    sig = next(((i, n) for i, n in reversed(tails) if not heads or n in heads), None)
    found["signature"] = sig is not None
    found["issue_date"] = sig is not None and any(
        re.fullmatch(DATE_RE, flatten(line)) for line in lines[sig[0] + 1: sig[0] + 4])
    if not found["issue_date"]:
        found["issue_date"] = bool(lines) and bool(re.search(DATE_RE, flatten("".join(lines[-8:]))))
    found["request"] = bool(re.search(r"申请(?:公开|获取|提供|查阅)[^。]{0,12}[“「『\"]|申请内容[：:为是]", flat))
    found["legal_basis"] = bool(re.search(r"《[^》]{2,40}》[^。]{0,12}?第[一二三四五六七八九十百零〇\d]+条", flat))
    if kind != "reply":
        wanted = NOTICE_ELEMENTS.get(kind, ())
        if "receipt_date" in wanted:
            found["receipt_date"] = bool(re.search(rf"{DATE_RE}[^。；]{{0,20}}收到|收到[^。；]{{0,8}}{DATE_RE}", flat))
        if "remedy" in wanted:
            printed, defects = _remedy(flat, None, expect, kind)
            found["remedy"] = printed and not any(d.startswith("remedy") for d in defects)
            extra += [d for d in defects if d != "remedy"]
        if "service_record" in wanted:
            found["service_record"] = bool(_SERVICE_RE.search(flat)) or bool(
                re.search(r"送达方式[：:](?!送达日期)\S{2}", flat))
        for name, pattern in NOTICE_CONTENT.get(kind, {}).items():
            found[f"content:{name}"] = bool(re.search(pattern, flat))
        found = {k: v for k, v in found.items() if k in wanted or k.startswith("content:")
                 or k in ("number", "agency_heading", "signature", "issue_date")}
        return _report(found, extra, seal, "seal" in wanted, None)

    found["receipt_date"] = bool(re.search(rf"{DATE_RE}[^。；]{{0,20}}(?:收到|受理|登记)|(?:收到|受理)[^。；]{{0,8}}{DATE_RE}",
                                           flat))
    code = decision or _detect(flat)
    found["decision"] = code is not None and (decision is None or bool(
        re.search(_PATTERNS[code], flat)))
    found["decision_content"] = code is not None and bool(re.search(_CONTENT[code], flat))
    if code in ("withhold", "partial"):
        found["legal_basis"] = found["legal_basis"] and bool(
            re.search(r"第十[四五六]条|第三十六条第[（(]七[）)]项", flat))
    printed, defects = _remedy(flat, code, expect, "reply")
    found["remedy"] = printed and not any(d.startswith("remedy:") for d in defects)
    for d in defects:
        if d in ("reconsideration_body", "court", "reconsideration_first"):
            found[d] = False
        elif d != "remedy":
            extra.append(d)
    if printed:
        found.setdefault("reconsideration_body", True)
        found.setdefault("court", True)
    else:
        found["reconsideration_body"] = found["court"] = False
    if code in RECONSIDERATION_FIRST:
        found.setdefault("reconsideration_first", True)
    for fact in facts:
        found[fact] = bool(re.search(_FACTS[fact], flat))
    found["service_record"] = bool(_SERVICE_RE.search(flat)) or bool(
        re.search(r"送达方式[：:](?:邮寄|直接|电子|网上|传真|申请人自取|自取|当面)", flat))
    return _report(found, extra, seal, True, code)


def _detect(flat: str) -> str | None:
    for code, _ in _DECISION_PATTERNS:
        if re.search(_PATTERNS[code], flat):
            return code
    return None


def _report(found: dict[str, bool], extra: list[str], seal: bool | None, wants_seal: bool,
            code: str | None) -> ElementReport:
    unchecked: tuple[str, ...] = ()
    if wants_seal:
        if seal is None:
            unchecked = ("seal",)
        else:
            found["seal"] = seal
    present = _ordered([c for c, ok in found.items() if ok])
    absent = _ordered([c for c, ok in found.items() if not ok] + extra)
    return ElementReport(found=tuple(present), missing=tuple(absent), unchecked=unchecked, decision=code)


def printed_text(text: LetterText, *, number: str) -> str:
    """The composed letter as its page prints it, line by line (heading, number, title, addressee,
    paragraphs, signature, date, service record), so the checker reads a draft as it reads a PDF."""
    lines = [text.signature, number, text.title, f"{text.addressee}：", *(p.text for p in text.paragraphs),
             text.signature, cn_date(text.issued_on),
             f"送达方式：{text.service_method or ''}　送达日期：{cn_date(text.served_on)}"]
    return "\n".join(lines)


def check_composed(text: LetterText, *, agency: AgencyProfile, number: str, seal_confirmed: bool) -> list[str]:
    """Missing element codes of a composed letter, by the checker of printed text (pure: no rendering).

    The seal counts when the agency has an e-seal, or when the issuer confirmed the wet stamp of a
    paper letter; a letter served electronically needs the e-seal (``seal:electronic_service``).
    """
    seal = agency.e_seal or (seal_confirmed and not text.electronic_service)
    report = check_text(printed_text(text, number=number), kind=text.kind, decision=text.decision, facts=text.facts,
                        seal=seal, expect=Expect(agency_name=agency.name, reconsideration_body=agency.reconsideration_body,
                                                 court=agency.court, vertically_managed=agency.vertically_managed,
                                                 day=text.issued_on))
    missing = list(report.missing)
    if text.electronic_service and not agency.e_seal and text.kind != "receipt":
        missing.append("seal:electronic_service")
    return missing
