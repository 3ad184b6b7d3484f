"""Chinese wording for the desk: labels of codes, and domain errors put into Chinese.

The domain (``workflow``) speaks English to the API and gives every error a code with parameters; a
clerk reads Chinese, worded per code in ``workflow/error_catalogue.toml`` (``workflow.errors.wording``).
Two families still match English text by pattern, because their sources carry no codes yet: the
scoring engine's trail explanations (scoring/) and the 管理 pages' refusals raised in service/
(agencies, users, calendar files); a workflow error on a 管理 page is worded by its code.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from workflow.errors import ActionNotAllowed, Conflict, DomainError, InvalidField, wording
from workflow.machine import ACTIONS, OPEN_STATUSES, ROLE_LABELS, STATUS_LABELS, Status
from workflow.registration import CHANNEL_LABELS, Channel
from workflow.replies import DECISIONS, ELEMENTS

STATUS = {str(s): label for s, label in STATUS_LABELS.items()}
ACTION_LABELS = {name: spec.label for name, spec in ACTIONS.items()}
CHANNELS = {str(c): label for c, label in CHANNEL_LABELS.items()}
ROLES = {str(r): label for r, label in ROLE_LABELS.items()}
DECISION_LABELS = {code: d.label for code, d in DECISIONS.items()}

# How the receipt date is fixed for each channel (LAW.md §2, Art. 31): shown next to the channel.
CHANNEL_RULES = {
    str(ch): ("以确认收到申请之日为收到申请之日：请填写与申请人确认的日期。" if ch.needs_confirmation
              else "以申请到达（签收）之日为收到申请之日（北京时间）。")
    for ch in Channel
}
CHANNEL_RULES[str(Channel.REGISTERED_POST)] = "以申请人交寄挂号信、EMS 后本机关签收之日为收到申请之日。"
CHANNEL_RULES[str(Channel.IN_PERSON)] = "当面提交的，以提交之日为收到申请之日（北京时间）。"

EVENT_LABELS = {
    "registered": "登记", "accepted": "受理", "correction_requested": "发出补正告知",
    "correction_received": "收到补正", "lapsed": "视为放弃", "consultation_started": "发出征求意见",
    "consultation_ended": "征求意见结束", "fee_notice_issued": "发出收费通知", "payment_received": "收到缴费",
    "extended": "延期答复", "deadline_set": "确定合理答复期限", "reasons_requested": "要求说明理由",
    "replied": "答复", "archived": "归档", "withdrawn": "申请人撤回", "review_recorded": "登记复议/诉讼",
    "review_decided": "复议/诉讼结果", "due_date_changed": "日历调整，答复期限变更",
    "file_attached": "上传附件", "archive_filed": "编定档号",
    "letter_sent": "文书发出（送达）", "letter_received": "文书送达（收到）",
}
SKIP_LABELS = {"weekend": "周末", "holiday": "法定节假日", "pause": "暂停计算", "regional": "地方假日"}

FIELD_LABELS = {
    "channel": "申请方式", "arrival_at": "到达时间", "confirmed_on": "确认日期", "description": "申请内容",
    "form": "获取信息的方式", "requested_form": "获取信息的方式", "delivery": "送达方式",
    "applicant.kind": "申请人类型", "applicant.org_kind": "组织类型", "applicant.name": "申请人姓名/名称",
    "applicant.id_type": "证件类型", "applicant.id_number": "证件号码", "applicant.phone": "联系电话",
    "applicant.email": "电子邮箱", "applicant.address": "通信地址", "applicant.representative": "代理人",
    "agency": "办理机关", "on": "日期", "sent_on": "发出日期", "received_on": "收到日期",
    "period_days": "补正期限（工作日）", "items": "补正事项", "party": "征求意见对象", "kind": "类型",
    "notified_on": "告知日期", "days": "延长工作日数", "reason": "理由", "due_on": "新的答复期限",
    "decision": "答复类型", "issued_on": "成文日期", "served_on": "送达日期", "service_method": "送达方式",
    "amount_yuan": "金额（元）", "filed_on": "提起日期", "body": "复议机关/法院", "review": "复议/诉讼",
    "outcome": "结果", "decided_on": "决定日期", "withhold_reason": "不予公开理由", "opinion": "意见",
    "objected": "第三方不同意公开", "disclose_anyway": "决定予以公开", "method": "送达方式", "ems_number": "EMS 邮件号",
    "to": "收件邮箱",
}

_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _r(pattern: str, make: Callable[[re.Match[str]], str]) -> _Rule:
    return re.compile(pattern), make


_KIND_CN = {"ogi.reply_late": "逾期答复", "ogi.reply_defect": "答复文书缺少要素", "ogi.notice_late": "告知逾期",
            "ogi.case_closed": "办结", "ogi.review_corrected": "复议/诉讼被纠正"}


def _kinds(text: str) -> str:
    return "、".join(_KIND_CN.get(k.strip(), k.strip()) for k in text.split(","))


# The scoring engine explains each figure in English (its API's language); the desk words the common
# explanations in Chinese and leaves the rest as they are.
_TRAIL_RULES: list[_Rule] = [
    _r(r"^(-?[\d.]+) per event$", lambda m: f"每次 {m[1]} 分"),
    _r(r"^listed \(no points in this scheme\)$", lambda m: "列示（本方案不计分）"),
    _r(r"^assessor's amount, limited to (\S+)$", lambda m: f"考核员酌定分值，以 {m[1]} 分为限"),
    _r(r"^assessor's amount for this case", lambda m: "考核员对该件酌定的分值"),
    _r(r"^not met: (\d+) of (\d+) needed \(([^)]*)\)(.*)$",
       lambda m: f"未达到：需{_kinds(m[3])} {m[2]} 件，实有 {m[1]} 件{m[4]}"),
    _r(r"^(\d+) ≥ (\d+) \(([^)]*)\)(?: and no (.*))?$",
       lambda m: f"已达到：{_kinds(m[3])} {m[1]} 件（不少于 {m[2]} 件）" + (f"，且无{_kinds(m[4])}" if m[4] else "")),
    _r(r"^no value reported: not compared", lambda m: "未报送数值：不参与比较，不计入平均"),
    _r(r"^item limited to (\S+) points \((\S+) → (\S+)\)$", lambda m: f"本项最多扣减 {m[1]} 分（{m[2]} → {m[3]}）"),
    _r(r"^(.+) limited to (\S+) \((\S+) → (\S+)\)$", lambda m: f"{m[1]}以 {m[2]} 分为限（{m[3]} → {m[4]}）"),
    _r(r"^a total is never below zero$", lambda m: "总分不低于零"),
    _r(r"^score set to zero", lambda m: "直接归零"),
    _r(r"^assessor's entry$|^entry$", lambda m: "考核员录入"),
    _r(r"^entered score$", lambda m: "录入的得分"),
]


def trail_reason(reason: str) -> str:
    """The Chinese wording of a scoring trail line (as given when no pattern knows it)."""
    return _match(_TRAIL_RULES, reason) or reason


def _match(rules: list[_Rule], message: str) -> str | None:
    for pattern, make in rules:
        found = pattern.search(message)
        if found:
            return make(found)
    return None


def _labels() -> dict[str, str]:
    return {**STATUS, **ACTION_LABELS, **ROLES}


def domain_message(exc: DomainError) -> str | None:
    """The catalogue's Chinese wording of a domain error's code (None when the catalogue lacks it)."""
    return wording(exc.code, exc.params, labels=_labels())


def field_message(exc: InvalidField) -> str:
    """The Chinese message for a field error (the catalogue's wording of its code)."""
    return domain_message(exc) or f"填写有误：{exc.message}"


def refusal_message(exc: ActionNotAllowed) -> str:
    """The Chinese message for an action the state, role or clock does not allow now."""
    action = ACTION_LABELS.get(exc.action, exc.action)
    state = STATUS.get(exc.state, exc.state)
    why = domain_message(exc) or exc.reason
    return f"不能{action}（当前状态：{state}）：{why}"


def conflict_message(exc: Conflict) -> str:
    """The Chinese message for a conflict, naming the missing letter elements when that is the cause."""
    missing = exc.details.get("missing")
    if isinstance(missing, list | tuple) and missing:
        names = "、".join(ELEMENTS.get(str(m), str(m)) for m in missing)
        return f"文书缺少必备要素：{names}。请补全后再出具；负责人可勾选“强制出具”（将作为文书瑕疵计入考核）。"
    return f"与已记录的情况冲突：{exc.message}"


def form_errors(exc: DomainError) -> tuple[dict[str, str], int]:
    """A domain refusal as form errors (field name → message; ``_`` for the whole form) and its HTTP status."""
    if isinstance(exc, InvalidField):
        return {exc.field: field_message(exc)}, 422
    if isinstance(exc, ActionNotAllowed):
        return {"_": refusal_message(exc)}, 409
    if isinstance(exc, Conflict):
        return {"_": conflict_message(exc)}, 409
    return {"_": str(exc)}, 409


def status_label(code: str) -> str:
    """Chinese name of a state (the code itself if unknown)."""
    return STATUS.get(code, code)


# Open states in the machine's order (filters, counts).
OPEN = [str(s) for s in Status if s in OPEN_STATUSES]


# 管理 (administration): refused uploads, users, units, calendar files and scheme assignments carry codes
# (workflow.agencies, service.agencies.service, service.users.service, workflow.calendar.files, the upload
# checks in service.web.admin); their wording is in workflow/error_catalogue.toml like every other refusal.

# Where an agency file's error lies: agency[i](code).field → 第i+1个单位（code）的“字段”.
_AGENCY_FIELD = re.compile(r"^agency\[(\d+)\](?:\(([^)]*)\))?(?:\.(\w+))?$")
AGENCY_FIELDS = {"code": "代码", "name": "名称", "parent": "上级单位", "parent_code": "上级单位",
                 "letter_prefix": "文号前缀", "reconsideration_body": "行政复议机关", "court": "管辖法院",
                 "contact": "联系方式", "address": "地址", "region": "地区", "timezone": "时区",
                 "vertically_managed": "垂直管理"}


def worded(code: str, **params: object) -> str:
    """The catalogue's wording of ``code`` (for a refusal the page words itself, e.g. an unknown scheme)."""
    return wording(code, params, labels=_labels()) or code


def admin_text(exc: DomainError) -> str:
    """A 管理 refusal in Chinese: the catalogue's wording of its code; a calendar file's names the entry."""
    text = domain_message(exc) or f"填写有误：{exc}"
    if exc.code.startswith("calendar_file.") and exc.code != "calendar_file.invalid":
        where = str(exc.params.get("where") or "")
        text = f"日历文件{'（' + where + '）' if where else ''}有误：{text}"
    return text


def agency_import_message(exc: InvalidField) -> str:
    """An agency file's refusal, saying which unit and which field of it: shown next to the upload field."""
    found = _AGENCY_FIELD.match(exc.field)
    if found:
        which = f"第{int(found[1]) + 1}个单位" + (f"（{found[2]}）" if found[2] else "")
        where = which + (f"的“{AGENCY_FIELDS.get(found[3], found[3])}”" if found[3] else "")
    elif "." in exc.field and exc.field.rpartition(".")[2] in AGENCY_FIELDS:  # code.field: the file went outside the admin's units
        code, _, name = exc.field.rpartition(".")
        where = f"单位 {code} 的“{AGENCY_FIELDS.get(name, name)}”"
    elif exc.field not in ("file", "format"):
        where = f"单位 {exc.field}"
    else:
        where = ""
    text = admin_text(exc)
    return f"{where}：{text}" if where else text


def admin_errors(exc: DomainError) -> dict[str, str]:
    """A refusal on a 管理 form as errors by field (``_`` for the whole form)."""
    if isinstance(exc, InvalidField):
        return {exc.field: admin_text(exc)}
    if isinstance(exc, Conflict) and isinstance(exc.details.get("field"), str):
        return {str(exc.details["field"]): admin_text(exc)}
    return form_errors(exc)[0]
