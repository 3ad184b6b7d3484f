"""Reply decisions (答复类型) of LAW.md §5 and the required elements of every letter (LAW.md §6).

Decisions: codes, legal bases, annual-report rows, decision-specific fields. Elements: the codes
of what a letter must carry, :func:`check_reply` / :func:`check_letter` on structured drafts before
issue, and :func:`find_elements` on the extracted text of a letter made outside the system.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflow.errors import InvalidField


@dataclass(frozen=True)
class Decision:
    """One reply decision: its code, Chinese label, legal basis, Table 3 row and required fields."""

    code: str
    label: str
    basis: str
    table3_row: str
    required: tuple[str, ...] = ()


# 不予公开 reasons, Table 3 row 三（三）1–8.
WITHHOLD_REASONS: dict[int, tuple[str, str]] = {
    1: ("属于国家秘密", "第十四条"),
    2: ("其他法律行政法规禁止公开", "第十四条"),
    3: ("危及“三安全一稳定”", "第十四条"),
    4: ("保护第三方合法权益", "第十五条"),
    5: ("属于三类内部事务信息", "第十六条第一款"),
    6: ("属于四类过程性信息", "第十六条第二款"),
    7: ("属于行政执法案卷", "第十六条第二款"),
    8: ("属于行政查询事项", "第十六条第二款"),
}

DECISIONS: dict[str, Decision] = {
    d.code: d
    for d in (
        Decision("already_public", "已主动公开", "第三十六条第（一）项", "三（一）", ("access_route",)),
        Decision("disclose", "予以公开", "第三十六条第（二）项", "三（一）", ("disclosure",)),
        Decision("partial", "部分公开", "第三十七条、第三十六条第（二）（三）项", "三（二）",
                 ("disclosure", "withheld_reasons")),
        Decision("withhold", "不予公开", "第三十六条第（三）项", "三（三）", ("withhold_reason", "reason")),
        Decision("not_exist", "无法提供（本机关不掌握相关政府信息）", "第三十六条第（四）项", "三（四）1"),
        Decision("not_this_agency", "不属于本机关公开", "第三十六条第（五）项", "三（四）1", ("reason",)),
        Decision("needs_creation", "无法提供（没有现成信息需要另行制作）", "第三十八条", "三（四）2"),
        Decision("still_unclear", "无法提供（补正后申请内容仍不明确）", "第三十条", "三（四）3",
                 ("unclear_points",)),
        Decision("repeat", "不予处理（重复申请）", "第三十六条第（六）项", "三（五）2", ("previous_reply_ref",)),
        Decision("petition", "不予处理（信访举报投诉类申请）", "第三十九条第一款", "三（五）1"),
        Decision("publication", "不予处理（要求提供公开出版物）", "第三十九条第二款", "三（五）3",
                 ("where_to_obtain",)),
        Decision("excessive", "不予处理（无正当理由大量反复申请）", "第三十五条", "三（五）4", ("reason",)),
        Decision("confirm_reissue", "不予处理（要求行政机关确认或重新出具已获取信息）", "第三十九条", "三（五）5",
                 ("reason",)),
        Decision("registry", "按其他法律规定办理", "第三十六条第（七）项", "三（六）3", ("law_and_procedure",)),
    )
}


def normalise_decision_fields(code: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Accept the short form DESIGN.md gives for 不予公开 (``"decision": "withhold", "reason": 3``):
    a reason that is a number 1–8 names the Table 3 category, and its Chinese label with the article
    relied on becomes the stated reason unless the handler wrote one (``reason_text``)."""
    out = dict(fields)
    if code != "withhold" or out.get("withhold_reason") not in (None, ""):
        return out
    reason = out.get("reason")
    number = reason if isinstance(reason, int) and not isinstance(reason, bool) else (
        int(reason) if isinstance(reason, str) and reason.strip().isdigit() else None)
    if number is not None and number in WITHHOLD_REASONS:
        label, article = WITHHOLD_REASONS[number]
        out["withhold_reason"] = number
        out["reason"] = out.pop("reason_text", None) or f"所申请信息{label}，依据《中华人民共和国政府信息公开条例》{article}不予公开"
    return out


def validate_decision(code: str, fields: Mapping[str, Any]) -> Decision:
    """Check a decision code and its decision-specific fields; raise :class:`InvalidField` naming the field."""
    decision = DECISIONS.get(code)
    if decision is None:
        raise InvalidField("decision", f"unknown decision {code!r}; one of {', '.join(DECISIONS)}",
                           code="field.not_a_choice", options=", ".join(DECISIONS), value=repr(code))
    for name in decision.required:
        value = fields.get(name)
        if value is None or (isinstance(value, str | list | tuple) and not value):
            raise InvalidField(name, f"required for decision {code}", code="decision.field_required",
                               decision=code)
    if code == "withhold":
        try:
            reason = int(fields["withhold_reason"])
        except (TypeError, ValueError):
            raise InvalidField("withhold_reason", "must be a number 1–8", code="decision.withhold_reason") from None
        if reason not in WITHHOLD_REASONS:
            raise InvalidField("withhold_reason", "must be a number 1–8", code="decision.withhold_reason")
    return decision


# ---------------------------------------------------------------------------------------------
# Required letter elements (LAW.md §6) and their checks.
# ---------------------------------------------------------------------------------------------

# Element codes → what a person is told is missing. Order = order of appearance in a letter.
ELEMENTS: dict[str, str] = {
    "number": "文号",
    "agency_heading": "发文机关标志（机关名称）",
    "addressee": "主送（申请人或被征求意见方称谓）",
    "receipt_date": "收到申请的日期",
    "correction_receipt": "收到补正申请的日期",
    "consultation_pause": "征求意见期间（不计入答复期限）",
    "fee_pause": "缴费期间（不计入答复期限）",
    "extension": "延长答复期限的情况",
    "request": "申请内容",
    "decision": "答复决定",
    "decision_content": "答复决定的具体内容",
    "legal_basis": "法律依据（条例条款）",
    "remedy": "救济途径告知（复议六十日、诉讼六个月）",
    "reconsideration_body": "行政复议机关名称",
    "court": "管辖法院名称",
    "reconsideration_first": "应当先申请行政复议的告知（行政复议法第二十三条）",
    "content": "告知事项的具体内容",
    "signature": "落款（机关署名）",
    "issue_date": "成文日期",
    "seal": "印章",
    "service_record": "送达记录（方式与日期）",
}
# The applicant's salutation is the addressee of a reply; kept as its own code for readers of LAW.md §6.
APPLICANT = "addressee"

# Case facts that, where they happened, a reply must state (LAW.md §6 item 4).
FACT_ELEMENTS = ("correction_receipt", "consultation_pause", "fee_pause", "extension")

LETTER_KINDS = ("receipt", "correction_notice", "extension_notice", "consultation", "third_party_opinion",
                "fee_notice", "reasons_request", "reply")

# Kind-specific content each procedural notice must carry (a missing one is reported as ``content:<field>``).
NOTICE_CONTENT: dict[str, tuple[str, ...]] = {
    "receipt": ("channel", "due_on"),
    "correction_notice": ("items", "period_days"),
    "extension_notice": ("new_due_on",),
    "consultation": ("party", "window_ends_on"),
    # Art. 32: a third party that objected is told in writing that the agency discloses anyway, and why;
    # the letter states the objection it overrides (workflow.machine end_consultation supplies all three).
    "third_party_opinion": ("party", "opinion", "reason"),
    "fee_notice": ("amount_yuan", "pay_by"),
    "reasons_request": (),
}
# Which common elements each notice kind needs besides number, heading, signature and date. The
# registration receipt (登记回执) is an acknowledgment issued at the counter or online and needs no
# seal; every other notice is an official letter and does.
NOTICE_ELEMENTS: dict[str, tuple[str, ...]] = {
    "receipt": ("addressee", "receipt_date", "request", "legal_basis"),
    "correction_notice": ("addressee", "receipt_date", "request", "legal_basis", "seal"),
    "extension_notice": ("addressee", "receipt_date", "request", "legal_basis", "seal"),
    "consultation": ("addressee", "request", "legal_basis", "seal"),
    "third_party_opinion": ("addressee", "request", "legal_basis", "seal"),
    "fee_notice": ("addressee", "receipt_date", "request", "legal_basis", "seal"),
    "reasons_request": ("addressee", "receipt_date", "request", "legal_basis", "seal"),
}
COMMON_ELEMENTS = ("number", "agency_heading", "signature", "issue_date")
# Decisions that refuse (part of) the information under Arts. 14–16: the remedy notice must say that
# reconsideration comes first (Administrative Reconsideration Law 2023 Art. 23 ¶1(4), ¶2).
RECONSIDERATION_FIRST = ("withhold", "partial")


@dataclass(frozen=True)
class RemedyNotice:
    """The remedy notice as printed: bodies, periods and whether it says reconsideration comes first."""

    reconsideration_body: str
    court: str
    reconsideration_days: int
    litigation_months: int
    reconsideration_first: bool
    text: str


@dataclass(frozen=True)
class LetterDraft:
    """The structured content of a letter before it is issued (what the template prints).

    ``facts_happened`` names the :data:`FACT_ELEMENTS` that happened in the case; ``facts_stated``
    holds what the letter says about each (a date or a sentence). ``seal`` is true when an
    electronic seal is configured or the issuer confirmed the wet stamp.
    """

    kind: str
    number: str | None
    agency_name: str | None
    signature: str | None
    seal: bool
    addressee: str | None
    issued_on: date | None
    receipt_date: date | None = None
    request: str | None = None
    decision: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    legal_basis: str | None = None
    remedy: RemedyNotice | None = None
    service_method: str | None = None
    facts_happened: frozenset[str] = frozenset()
    facts_stated: Mapping[str, Any] = field(default_factory=dict)
    # The issuing agency is vertically managed (垂直管理): decides which reconsideration body is right.
    agency_vertical: bool = False


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple | dict) and not value)


def _common_missing(draft: LetterDraft, wanted: Sequence[str]) -> list[str]:
    present = {
        "number": not _blank(draft.number),
        "agency_heading": not _blank(draft.agency_name),
        "signature": not _blank(draft.signature),
        "issue_date": draft.issued_on is not None,
        "seal": bool(draft.seal),
        "addressee": not _blank(draft.addressee),
        "receipt_date": draft.receipt_date is not None,
        "request": not _blank(draft.request),
        "legal_basis": not _blank(draft.legal_basis) and "条" in (draft.legal_basis or ""),
    }
    return [code for code in wanted if not present[code]]


def _remedy_missing(draft: LetterDraft) -> list[str]:
    # Periods are compared with the law in force on the issue date, so a draft carrying a stale
    # 3-month litigation window is refused rather than printed.
    from workflow.legal import ClauseNotInForce, check_reconsideration_body, clause_on, clauses_on

    remedy = draft.remedy
    if remedy is None or _blank(remedy.text):
        return ["remedy", "reconsideration_body", "court"] + (
            ["reconsideration_first"] if draft.decision in RECONSIDERATION_FIRST else [])
    missing: list[str] = []
    if draft.issued_on is not None:
        try:
            law = clause_on("remedy", draft.issued_on)
        except ClauseNotInForce:
            law = None
        if law is not None and (remedy.reconsideration_days != law.values["reconsideration_days"]
                                or remedy.litigation_months != law.values["litigation_months"]):
            missing.append("remedy")
        if (law is not None and draft.decision in RECONSIDERATION_FIRST and law.values.get("reconsideration_first")
                and not remedy.reconsideration_first):
            missing.append("reconsideration_first")
    if _blank(remedy.reconsideration_body) or remedy.reconsideration_body not in remedy.text:
        missing.append("reconsideration_body")
    elif draft.issued_on is not None and draft.agency_name:
        # A body of the wrong kind (e.g. a government for a vertically managed agency) sends the
        # applicant to a body that will not hear the case while the 60 days run: as bad as none.
        # Only a clear mismatch counts (workflow.legal.check_reconsideration_body).
        try:
            body = check_reconsideration_body(agency_name=draft.agency_name, body=remedy.reconsideration_body,
                                              vertically_managed=draft.agency_vertical,
                                              clauses=clauses_on(draft.issued_on))
        except ClauseNotInForce:
            body = None
        if body is not None and body.wrong:
            missing.append("reconsideration_body:" + "/".join(body.expected))
    if _blank(remedy.court) or remedy.court not in remedy.text:
        missing.append("court")
    return missing


def check_reply(draft: LetterDraft) -> list[str]:
    """Element codes (see :data:`ELEMENTS`) a reply draft lacks under LAW.md §6; empty when complete.

    Checks structured data before issue: number, heading, applicant, receipt date and the case
    facts that happened, request, decision with its decision-specific content, legal basis (for
    不予公开 the article of the reason), remedy notice with the periods in force on the issue date,
    signature, date, seal and service record.
    """
    missing = _common_missing(draft, ("number", "agency_heading", "addressee", "receipt_date"))
    missing += [code for code in FACT_ELEMENTS
                if code in draft.facts_happened and _blank(draft.facts_stated.get(code))]
    missing += _common_missing(draft, ("request",))
    decision = DECISIONS.get(draft.decision or "")
    if decision is None:
        missing += ["decision", "decision_content"]
    else:
        try:
            validate_decision(decision.code, draft.fields)
        except InvalidField:
            missing.append("decision_content")
    basis_ok = not _common_missing(draft, ("legal_basis",))
    if basis_ok and decision is not None and decision.code == "withhold":
        reason = draft.fields.get("withhold_reason")
        article = WITHHOLD_REASONS.get(int(reason), ("", "第十"))[1] if str(reason).isdigit() else "第十"
        basis_ok = article in (draft.legal_basis or "")
    if not basis_ok:
        missing.append("legal_basis")
    missing += _remedy_missing(draft)
    missing += _common_missing(draft, ("signature", "issue_date", "seal"))
    if _blank(draft.service_method):
        missing.append("service_record")
    return _ordered(missing)


def check_letter(draft: LetterDraft) -> list[str]:
    """Missing element codes of any letter kind: :func:`check_reply` for replies, else the notice's list.

    A notice's own content is reported as ``content:<field>`` (e.g. ``content:correction_items``).
    """
    if draft.kind == "reply":
        return check_reply(draft)
    if draft.kind not in NOTICE_CONTENT:
        raise InvalidField("kind", f"unknown letter kind {draft.kind!r}; one of {', '.join(LETTER_KINDS)}",
                           code="field.not_a_choice", options=", ".join(LETTER_KINDS), value=repr(draft.kind))
    missing = _common_missing(draft, COMMON_ELEMENTS + NOTICE_ELEMENTS[draft.kind])
    missing += [f"content:{name}" for name in NOTICE_CONTENT[draft.kind] if _blank(draft.fields.get(name))]
    return _ordered(missing)


def _ordered(codes: Sequence[str]) -> list[str]:
    order = {code: i for i, code in enumerate(ELEMENTS)}
    seen = dict.fromkeys(codes)
    return sorted(seen, key=lambda c: order.get(c.split(":")[0], len(order)))


# ---------------------------------------------------------------------------------------------
# Element search on the extracted text of a letter made outside the system.
# ---------------------------------------------------------------------------------------------

_CN_DIGIT = "〇零一二三四五六七八九十"
DATE_RE = (rf"(?:\d{{4}}|[{_CN_DIGIT}]{{4}})年(?:\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})月"
           rf"(?:\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})日")
_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,24}[〔\[［【(（]\d{4}[〕\]］】)）]第?\d{1,6}号")
_ORG_RE = re.compile(r"^[\u4e00-\u9fff（）()]{2,40}(?:人民政府|政府|委员会|办公室|办公厅|局|厅|委|部|署|院|中心|管委会)"
                     r"(?:[（(][^）)]{1,20}[）)])?$")
_SALUTATION_RE = re.compile(r"^([^\s：:，。、“”]{1,30})[：:]$")
_NOT_SALUTATION = ("送达", "联系", "地址", "电话", "附件", "抄送", "申请", "答复", "备注", "日期", "方式", "文号")
_BASIS_RE = re.compile(r"《[^》]{2,40}》[^。]{0,12}?第[一二三四五六七八九十百零〇\d]+条")
_RECON_BODY_RE = re.compile(r"向([\u4e00-\u9fff（）()]{2,40}?(?:人民政府|政府|局|厅|部|委员会|委|署))[^。；]{0,6}申请行政复议")
_COURT_RE = re.compile(r"向([\u4e00-\u9fff（）()]{2,40}?法院)[^。；]{0,6}提起行政诉讼")
_SERVICE_RE = re.compile(r"送达[^。]{0,40}(?:邮寄|邮政|EMS|挂号|直接送达|当面|签收|电子邮件|邮箱|网上|在线|交邮|自取|领取|传真)")

# Decision phrases, most specific first (部分公开 before 予以公开; 不予公开 before everything it contains).
_DECISION_PATTERNS: tuple[tuple[str, str], ...] = (
    ("partial", r"部分(?:予以)?公开|区分处理"),
    ("withhold", r"不予(?:以)?公开"),
    ("already_public", r"已(?:经)?主动公开"),
    ("not_this_agency", r"不属于本(?:机关|单位|部门)(?:负责)?公开"),
    ("not_exist", r"本(?:机关|单位|部门)不掌握|政府信息不存在|未(?:制作|获取)"),
    ("needs_creation", r"另行制作|加工、?分析|需要另行"),
    ("still_unclear", r"(?:补正后)?[^。]{0,10}仍(?:然)?不明确"),
    ("repeat", r"重复申请"),
    ("petition", r"信访|投诉|举报"),
    ("publication", r"公开出版物"),
    ("excessive", r"大量[、，]?反复"),
    ("confirm_reissue", r"确认或(?:者)?重新出具|重新出具"),
    ("registry", r"按照[^。]{0,40}(?:法律|行政法规)[^。]{0,20}(?:办理|查询)|依照[^。]{0,30}规定办理"),
    ("disclose", r"(?<!不)予以公开|同意公开|决定公开"),
)
# What shows the decision-specific content of LAW.md §5 in free text.
_DECISION_CONTENT: dict[str, str] = {
    "already_public": r"https?://|www\.|网站|栏目|公报|途径|查阅",
    "disclose": r"附件|附后|见附|提供|获取|查阅",
    "partial": r"(?:理由|原因|因)[^。]*(?:第十[四五六]条)|(?:第十[四五六]条)[^。]*(?:理由|属于|因)",
    "withhold": r"第十[四五六]条",
    "not_exist": r"检索|查找|查询|经查|不掌握|不存在",
    "not_this_agency": r"联系(?:电话|方式)|电话|咨询|无法确定",
    "needs_creation": r"加工|分析|另行制作|汇总|统计",
    "still_unclear": r"不明确",
    "repeat": r"(?:已|曾)[^。]{0,40}(?:答复|告知)|〔\d{4}〕",
    "petition": r"信访|投诉|举报",
    "publication": r"出版|购买|图书馆|书店|获取",
    "excessive": r"理由",
    "confirm_reissue": r"理由|原因",
    "registry": r"法|条例|办法",
}
_FACT_PATTERNS: dict[str, str] = {
    "correction_receipt": rf"{DATE_RE}[^。]{{0,20}}补正|补正[^。]{{0,40}}{DATE_RE}",
    "consultation_pause": r"征求[^。]{0,40}意见",
    "fee_pause": r"缴(?:纳|费)|收费|信息处理费",
    "extension": r"延(?:期|长)[^。]{0,30}(?:答复|期限)",
}


@dataclass(frozen=True)
class ElementReport:
    """Which elements were found in a letter's text, which are missing, and which text cannot show.

    ``unchecked`` lists elements that text alone cannot prove (the seal, unless the caller looked at
    the PDF's images); ``decision`` is the decision recognised in the text, if any.
    """

    found: tuple[str, ...]
    missing: tuple[str, ...]
    unchecked: tuple[str, ...] = ()
    decision: str | None = None

    @property
    def complete(self) -> bool:
        """True when nothing is missing (unchecked elements are not counted as missing)."""
        return not self.missing


def detect_decision(text: str) -> str | None:
    """The reply decision a letter's text expresses, by its characteristic wording; None if none."""
    flat = _flatten(text)
    for code, pattern in _DECISION_PATTERNS:
        if re.search(pattern, flat):
            return code
    return None


def _flatten(text: str) -> str:
    # pdftotext breaks lines (and sometimes puts spaces) between CJK characters; words never need them.
    return re.sub(r"\s+", "", text)


def find_elements(text: str, *, decision: str | None = None, facts: Sequence[str] = (),
                  has_seal_image: bool | None = None) -> ElementReport:
    """Search a reply's extracted text for the elements of LAW.md §6.

    ``decision`` is the decision the letter should carry (recognised from the text when None);
    ``facts`` the :data:`FACT_ELEMENTS` that happened in the case (known when the letter is
    attached to a request); ``has_seal_image`` whether the signature page carries an image
    (None: unknown, so the seal is reported as unchecked).
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    flat = _flatten(text)
    found: dict[str, bool] = {}

    found["number"] = bool(_NUMBER_RE.search(flat))
    sal_index = next((i for i, line in enumerate(lines)
                      if (m := _SALUTATION_RE.match(line.replace(" ", "")))
                      and not any(w in m.group(1) for w in _NOT_SALUTATION)), None)
    found["addressee"] = sal_index is not None
    org_lines = [(i, line.replace(" ", "")) for i, line in enumerate(lines) if _ORG_RE.match(line.replace(" ", ""))]
    split = sal_index if sal_index is not None else len(lines) // 3
    heads = [name for i, name in org_lines if i < split]
    tails = [(i, name) for i, name in org_lines if i > split]
    found["agency_heading"] = bool(heads)
    # The signature is the agency's name again after the body, followed by the date of issue.
    sig = next(((i, name) for i, name in reversed(tails) if not heads or name in heads), None)
    found["signature"] = sig is not None
    found["issue_date"] = sig is not None and any(
        re.fullmatch(DATE_RE, _flatten(line)) for line in lines[sig[0] + 1: sig[0] + 4])
    if not found["issue_date"]:
        found["issue_date"] = bool(lines) and bool(re.search(DATE_RE, _flatten("".join(lines[-8:]))))
    found["receipt_date"] = bool(re.search(rf"{DATE_RE}[^。；]{{0,20}}(?:收到|受理|登记)|(?:收到|受理)[^。；]{{0,8}}{DATE_RE}",
                                           flat))
    found["request"] = bool(re.search(r"申请(?:公开|获取|提供|查阅)[^。]{0,12}[“「『\"]|申请内容[：:为是]", flat))

    code = decision or detect_decision(text)
    found["decision"] = code is not None and (decision is None or bool(
        re.search(dict(_DECISION_PATTERNS)[code], flat)))
    found["decision_content"] = code is not None and bool(re.search(_DECISION_CONTENT[code], flat))
    basis = _BASIS_RE.search(flat)
    found["legal_basis"] = basis is not None and (
        code not in ("withhold", "partial") or bool(re.search(r"第十[四五六]条", flat)))
    stale = re.search(r"(?:三个月|3个月)[^。]{0,10}(?:内)?[^。]{0,20}行政诉讼", flat)
    # Reconsideration first (Art. 23 ARL 2023): litigation then runs 15 days from the reconsideration
    # decision, so such a letter names 15 days instead of the 6-month direct-litigation window.
    litigation = r"六个月|6个月|十五日|15日" if code in RECONSIDERATION_FIRST else r"六个月|6个月"
    found["remedy"] = ("行政复议" in flat and "行政诉讼" in flat and not stale
                       and bool(re.search(r"六十日|60日", flat)) and bool(re.search(litigation, flat)))
    found["reconsideration_body"] = bool(_RECON_BODY_RE.search(flat))
    found["court"] = bool(_COURT_RE.search(flat))
    if code in RECONSIDERATION_FIRST:
        found["reconsideration_first"] = bool(re.search(r"(?:应当)?先[^。]{0,40}申请行政复议|复议前置", flat))
    for fact in facts:
        found[fact] = bool(re.search(_FACT_PATTERNS[fact], flat))
    found["service_record"] = bool(_SERVICE_RE.search(flat))

    unchecked: tuple[str, ...] = ()
    if has_seal_image is None:
        unchecked = ("seal",)
    else:
        found["seal"] = has_seal_image
    present = _ordered([c for c, ok in found.items() if ok])
    absent = _ordered([c for c, ok in found.items() if not ok])
    return ElementReport(found=tuple(present), missing=tuple(absent), unchecked=unchecked, decision=code)
