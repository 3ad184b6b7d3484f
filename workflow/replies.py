"""Reply decisions (答复类型) of LAW.md §5 and the required elements of every letter (LAW.md §6).

Decisions: codes, legal bases, annual-report rows, decision-specific fields. Elements: the codes
of what a letter must carry and the patterns that find them in printed text; the check itself reads
the printed text of every letter, own or uploaded (:mod:`workflow.letters.check`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
    8: ("属于行政查询事项", "第三十六条第（七）项"),
}

DECISIONS: dict[str, Decision] = {
    d.code: d
    for d in (
        Decision("already_public", "已主动公开", "第三十六条第（一）项", "三（一）", ("access_route",)),
        Decision("disclose", "予以公开", "第三十六条第（二）项", "三（一）", ("disclosure",)),
        Decision("partial", "部分公开", "第三十七条", "三（二）", ("disclosure", "withheld_parts")),
        Decision("withhold", "不予公开", "第三十六条第（三）项", "三（三）", ("withhold_reason",)),
        Decision("not_exist", "无法提供（本机关不掌握相关政府信息）", "第三十六条第（四）项", "三（四）1"),
        Decision("not_this_agency", "不属于本机关公开", "第三十六条第（五）项", "三（四）1", ("reason",)),
        Decision("needs_creation", "无法提供（没有现成信息需要另行制作）", "第三十八条", "三（四）2"),
        Decision("still_unclear", "无法提供（补正后申请内容仍不明确）", "第三十条", "三（四）3",
                 ("unclear_points",)),
        Decision("repeat", "不予处理（重复申请）", "第三十六条第（六）项", "三（五）2", ("previous_reply_ref",)),
        Decision("petition", "不予处理（信访举报投诉类申请）", "第三十九条第一款", "三（五）1"),
        Decision("publication", "不予处理（要求提供公开出版物）", "第三十九条第二款", "三（五）3",
                 ("publication",)),
        Decision("excessive", "不予处理（无正当理由大量反复申请）", "第三十五条", "三（五）4", ("reason",)),
        Decision("confirm_reissue", "不予处理（要求行政机关确认或重新出具已获取信息）", "第二条", "三（五）5",
                 ("reason",)),
        Decision("registry", "按其他法律规定办理", "第三十六条第（七）项", "三（六）3", ("law_and_procedure",)),
    )
}


def normalise_decision_fields(code: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Accept the short form DESIGN.md gives for 不予公开 (``"decision": "withhold", "reason": 3``):
    a reason that is a number 1–8 names the Table 3 category. The letter then prints that category's
    sentence (letter_templates/legal/sentences.toml) and, when given, the handler's ``reason_text``
    as the explanation; the category label is never repeated as a reason of its own."""
    out = dict(fields)
    if code != "withhold" or out.get("withhold_reason") not in (None, ""):
        return out
    reason = out.get("reason")
    number = reason if isinstance(reason, int) and not isinstance(reason, bool) else (
        int(reason) if isinstance(reason, str) and reason.strip().isdigit() else None)
    if number is not None and number in WITHHOLD_REASONS:
        out["withhold_reason"] = number
        out.pop("reason")
        if out.get("reason_text"):
            out["explanation"] = out.pop("reason_text")
    return out


def validate_decision(code: str, fields: Mapping[str, Any]) -> Decision:
    """Check a decision code and its structured parts (:func:`workflow.letters.orders.reply_parts`);
    raise :class:`InvalidField` naming the missing or malformed field (e.g. ``withheld_parts[0].category``)."""
    from workflow.letters.orders import reply_parts

    decision = DECISIONS.get(code)
    if decision is None:
        raise InvalidField("decision", f"unknown decision {code!r}; one of {', '.join(DECISIONS)}",
                           code="field.not_a_choice", options=", ".join(DECISIONS), value=repr(code))
    reply_parts(code, fields)
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
    # Checked by the service against the case's files (service/files/released.py), not in the text alone.
    "released_documents": "随答复书提供的政府信息（未上传“公开的信息”附件）",
    "released_pages": "所提供政府信息的页数（与“公开的信息”附件实际页数不符）",
}
# The applicant's salutation is the addressee of a reply; kept as its own code for readers of LAW.md §6.
APPLICANT = "addressee"

# Case facts that, where they happened, a reply must state (LAW.md §6 item 4).
FACT_ELEMENTS = ("correction_receipt", "consultation_pause", "fee_pause", "extension")

LETTER_KINDS = ("receipt", "correction_notice", "extension_notice", "consultation", "third_party_opinion",
                "fee_notice", "reasons_request", "reply")
# Decisions that refuse (part of) the information under Arts. 14–16: the remedy notice must say that
# reconsideration comes first (Administrative Reconsideration Law 2023 Art. 23 ¶1(4), ¶2).
RECONSIDERATION_FIRST = ("withhold", "partial")


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


def _flatten(text: str) -> str:
    # pdftotext breaks lines (and sometimes puts spaces) between CJK characters; words never need them.
    return re.sub(r"\s+", "", text)
