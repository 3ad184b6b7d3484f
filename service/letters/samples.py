"""Sample agency, cases and letter orders for every letter kind and decision (tests, benchmark, docs PNGs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workflow.events import LetterOrder
from workflow.fees import quote
from workflow.replies import DECISIONS


@dataclass
class FakeAgency:
    """The attributes of service.agencies.models.Agency that letters use."""

    id: int = 1
    code: str = "czzj"
    name: str = "常州市住房和城乡建设局"
    letter_prefix: str = "常住建"
    reconsideration_body: str = "常州市人民政府"
    court: str = "常州市天宁区人民法院"
    contact: str = "常州市龙城大道1280号，电话0519-85682000"
    region: str = ""
    vertically_managed: bool = False


@dataclass
class Correction:
    sent_on: date
    period_days: int
    items: tuple[str, ...]
    received_on: date | None = None


@dataclass
class Consultation:
    sent_on: date
    party: str
    kind: str = "third_party"
    ended_on: date | None = None


@dataclass
class Fee:
    sent_on: date
    amount_yuan: str
    paid_on: date | None = None


@dataclass
class Extension:
    notified_on: date
    days: int
    reason: str = ""


@dataclass
class FakeCase:
    """The attributes of workflow.machine.Case that letters use."""

    number: str = "常住建〔2026〕37号"
    applicant: dict[str, Any] = field(default_factory=lambda: {"name": "张三"})
    receipt_date: date = date(2026, 3, 2)
    description: str = "2025年本市老旧小区改造项目的资金安排文件"
    status: str = "reviewing"
    due_on: date | None = date(2026, 3, 30)
    delivery: str | None = "post"
    correction: Correction | None = None
    consultations: tuple[Consultation, ...] = ()
    fee: Fee | None = None
    extension: Extension | None = None
    deadline: Any = None
    reasons_requested_on: date | None = None


ISSUED = date(2026, 3, 20)

# Decision-specific fields of LAW.md §5, one example per decision.
DECISION_FIELDS: dict[str, dict[str, Any]] = {
    "already_public": {"access_route": "常州市住房和城乡建设局门户网站“政府信息公开—财政资金”栏目（https://zjj.changzhou.gov.cn）"},
    "disclose": {"disclosure": "所申请的资金安排文件共3页，随本答复书邮寄提供"},
    "partial": {"disclosure": "资金安排总表",
                "withheld_parts": [{"what": "附表中个人住址和联系电话", "category": 4,
                                    "explanation": "经征求意见，第三方不同意公开"},
                                   {"what": "附表中的评审讨论意见", "category": 6, "explanation": ""}]},
    "withhold": {"withhold_reason": 6, "explanation": "所申请的是项目资金安排过程中的内部讨论记录"},
    "not_exist": {"search_note": "经查询本机关公文系统和档案室"},
    "not_this_agency": {"reason": "该项目资金由市财政局负责安排和公开",
                        "competent_agency": {"name": "常州市财政局", "contact": "0519-85681234"}},
    "needs_creation": {"reason": "所申请的分年度统计表本机关未制作"},
    "still_unclear": {"unclear_points": ["所指“项目”的名称和年份", "所需文件的文号或其他特征描述"]},
    "repeat": {"previous_reply_ref": "常住建依申复〔2026〕8号"},
    "petition": {"channel": "12345政务服务便民热线"},
    "publication": {"publication": {"title": "常州年鉴（2025）", "where": "常州市图书馆查阅或者向出版社购买"}},
    "excessive": {"reason": "您在2026年1月至3月期间提出同类申请120件"},
    "confirm_reissue": {"reason": "您要求本机关确认此前已获取的批复文件的真实性"},
    "registry": {"law_and_procedure": "《不动产登记暂行条例》及其实施细则规定的不动产登记资料查询程序，向不动产登记机构申请查询"},
}


def reply_order(code: str, *, issued_on: date = ISSUED, **extra: Any) -> LetterOrder:
    """A reply order for decision ``code`` as workflow.machine makes it."""
    decision = DECISIONS[code]
    return LetterOrder("reply", issued_on, {
        "request_number": "常住建〔2026〕37号", "applicant_name": "张三", "receipt_date": "2026-03-02",
        "description": FakeCase().description, "decision": code, "decision_label": decision.label,
        "basis": decision.basis, "issued_on": issued_on.isoformat(), "service_method": "post",
        **DECISION_FIELDS[code], **extra,
    })


def notice_orders() -> dict[str, LetterOrder]:
    """One order of each procedural letter kind (consultation in both variants)."""
    base = {"request_number": "常住建〔2026〕37号", "applicant_name": "张三", "receipt_date": "2026-03-02",
            "description": FakeCase().description}
    return {
        "receipt": LetterOrder("receipt", date(2026, 3, 2), {**base, "channel": "online", "channel_label": "网络",
                                                            "due_on": "2026-03-30", "delivery": "post"}),
        "correction_notice": LetterOrder("correction_notice", date(2026, 3, 4), {
            **base, "period_days": 10, "period_ends_on": "2026-03-18",
            "items": ["所需信息的名称、文号或者便于查询的其他特征性描述", "所需信息的年份范围"]}),
        "extension_notice": LetterOrder("extension_notice", date(2026, 3, 25), {
            **base, "days": 20, "reason": "所需信息涉及多个内设机构，需要检索核实", "original_due_on": "2026-03-30",
            "new_due_on": "2026-04-28"}),
        "consultation": LetterOrder("consultation", date(2026, 3, 6), {
            **base, "party": "常州某置业有限公司", "kind": "third_party", "window_days": 15,
            "window_ends_on": "2026-03-27"}),
        "consultation_agency": LetterOrder("consultation", date(2026, 3, 6), {
            **base, "party": "常州市财政局", "kind": "agency", "window_days": 15, "window_ends_on": "2026-03-27"}),
        "third_party_opinion": LetterOrder("third_party_opinion", date(2026, 3, 30), {
            **base, "party": "常州某置业有限公司", "kind": "third_party", "consulted_on": "2026-03-06",
            "opinion": "不同意公开，涉及商业秘密",
            "reason": "该信息涉及公共财政资金的使用，关系社会公众的切身利益"}),
        # As the fee action computes it (国办函〔2020〕109号, 按量: 50 pages).
        "fee_notice": LetterOrder("fee_notice", date(2026, 3, 9), {
            **base, "amount_yuan": "200.00", "pay_by": "2026-04-07", **quote("per_volume", pages=50).notice_facts(),
            "payment_days": 20}),
        "reasons_request": LetterOrder("reasons_request", date(2026, 3, 9), {
            **base, "reason": "2026年1月至3月期间提出同类申请120件"}),
    }


def full_case() -> FakeCase:
    """A case where every fact a reply must state happened: correction, consultation, fee, extension."""
    return FakeCase(
        correction=Correction(date(2026, 3, 4), 10, ("名称",), received_on=date(2026, 3, 6)),
        consultations=(Consultation(date(2026, 3, 9), "常州某置业有限公司", ended_on=date(2026, 3, 13)),),
        fee=Fee(date(2026, 3, 9), "100.00", paid_on=date(2026, 3, 10)),
        extension=Extension(date(2026, 3, 25), 20, "需要检索核实"),
        reasons_requested_on=date(2026, 3, 5),
    )
