"""What each action's form asks for: field names (those of the action's JSON body, DESIGN.md
"Actions"), Chinese labels and input kinds. Which actions are offered comes from the workflow's
``allowed_actions``; whether the values are acceptable is decided by the workflow when posted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workflow.machine import ACTIONS
from workflow.replies import DECISIONS, WITHHOLD_REASONS


@dataclass(frozen=True)
class Field:
    """One input of an action form."""

    name: str
    label: str
    kind: str = "text"  # text | date | number | textarea | select | checkbox | lines
    options: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    default_today: bool = False
    required: bool = False


def _date(name: str, label: str, hint: str = "") -> Field:
    return Field(name, label, "date", hint=hint or "留空即为今天；补录以往案件时填写实际日期", default_today=True)


SERVICE_METHODS = (("", "（未送达）"), ("post", "邮寄"), ("direct", "直接送达"), ("email", "电子邮件"),
                   ("online", "网上送达"), ("fax", "传真"), ("collection", "自行领取"))
_DECISION_OPTIONS = tuple((code, d.label) for code, d in DECISIONS.items())
_WITHHOLD_OPTIONS = (("", "（请选择）"),) + tuple((str(n), f"{n}. {text}（{art}）")
                                                   for n, (text, art) in WITHHOLD_REASONS.items())


def _decision_field_users() -> dict[str, list[str]]:
    users: dict[str, list[str]] = {}
    for d in DECISIONS.values():
        for name in d.required:
            users.setdefault(name, []).append(d.label)
    return users


_USED_BY = _decision_field_users()
_DECISION_FIELD_LABELS = {
    "access_route": "获取途径（已主动公开的网址或场所）", "disclosure": "公开的内容与提供方式",
    "withheld_parts": "不予公开的部分（每行一项：部分｜理由类别1–8｜说明）", "withhold_reason": "不予公开理由",
    "explanation": "不予公开的具体说明", "reason": "理由说明", "unclear_points": "仍不明确之处（每行一项）",
    "previous_reply_ref": "此前答复的文号或日期", "publication_title": "出版物名称",
    "where_to_obtain": "获取出版物的途径", "law_and_procedure": "适用的法律及办理程序",
    "competent_agency": "负责公开该信息的机关名称", "competent_contact": "该机关的联系方式",
}
# Decision fields that are lists: one entry per line of the textarea.
_LIST_FIELDS = ("withheld_parts", "unclear_points")


def _decision_fields() -> list[Field]:
    result = []
    for name, label in _DECISION_FIELD_LABELS.items():
        hint = "用于：" + "、".join(_USED_BY[name]) if name in _USED_BY else "可选"
        if name == "withhold_reason":
            result.append(Field(name, label, "select", _WITHHOLD_OPTIONS, hint=hint))
        elif name in _LIST_FIELDS:
            result.append(Field(name, label, "lines", hint=hint))
        else:
            result.append(Field(name, label, "textarea", hint=hint))
    return result


@dataclass(frozen=True)
class ActionForm:
    """The form of one action."""

    name: str
    fields: list[Field] = field(default_factory=list)
    note: str = ""


ACTION_FORMS: dict[str, ActionForm] = {f.name: f for f in (
    ActionForm("accept", [_date("on", "受理日期")]),
    ActionForm("request_correction", [
        _date("sent_on", "告知日期", "应在收到申请之日起7个工作日内一次性告知"),
        Field("period_days", "补正期限（工作日）", "number", hint="留空为默认期限"),
        Field("items", "需要补正的事项", "lines", hint="每行一项", required=True),
    ], note="发出补正告知书后，答复期限自收到补正之日起重新计算。"),
    ActionForm("receive_correction", [_date("received_on", "收到补正日期")]),
    ActionForm("lapse", [_date("on", "日期"), Field("reason", "原因", "select",
                                                    (("correction", "逾期未补正"), ("fee", "逾期未缴费")))]),
    ActionForm("start_consultation", [
        _date("sent_on", "发出日期"), Field("party", "征求意见对象", required=True),
        Field("kind", "对象类型", "select", (("third_party", "第三方"), ("agency", "其他机关")))],
        note="征求意见期间不计入答复期限。"),
    ActionForm("end_consultation", [
        _date("on", "收到意见（或期满）日期"), Field("opinion", "意见", "textarea", hint="逾期未答复的留空"),
        Field("objected", "第三方不同意公开", "checkbox"),
        Field("disclose_anyway", "不公开可能对公共利益造成重大影响，决定予以公开", "checkbox"),
        Field("reason", "决定公开的理由（将书面告知第三方）", "textarea", hint="仅在决定予以公开时填写")],
        note="条例第三十二条：第三方不同意公开且有合理理由的，不予公开；不公开可能对公共利益造成重大影响的，"
             "可以决定予以公开，并将决定公开的内容和理由书面告知第三方。"),
    ActionForm("issue_fee_notice", [
        _date("sent_on", "发出日期"),
        Field("fee_method", "计收方式（国办函〔2020〕109号）", "select",
              (("per_item", "按件计收（本月件数按登记记录自动统计）"), ("per_volume", "按量计收（按页数）"), ("", "手工填写金额"))),
        Field("pages", "页数（按量计收）", "number"),
        Field("reduction_yuan", "减免金额（元）", hint="减免的须说明理由"),
        Field("waiver_reason", "减免理由", "textarea"),
        Field("amount_yuan", "金额（元）", hint="选择计收方式时自动计算，无需填写")],
        note="按件：同一申请人一个自然月内第1–10件不收费，第11–30件每件100元，此后每10件一档每件加100元；"
             "按量：30页以内不收费，31–100页每页10元，101–200页每页20元，201页以上每页40元（docs/fees.md）。"),
    ActionForm("waive_fee", [
        _date("on", "日期"),
        Field("fee_method", "计收方式", "select", (("per_item", "按件计收"), ("per_volume", "按量计收"))),
        Field("pages", "页数（按量计收）", "number"),
        Field("waiver_reason", "减免理由", "textarea", required=True)]),
    ActionForm("receive_payment", [_date("on", "缴费日期")]),
    ActionForm("extend", [
        _date("notified_on", "告知日期", "须在答复期限届满前告知申请人"),
        Field("days", "延长工作日数", "number", hint="不超过20个工作日"),
        Field("reason", "延期理由", "textarea", required=True)], note="延期只能一次，须经负责人同意。"),
    ActionForm("request_reasons", [_date("sent_on", "发出日期"), Field("reason", "说明", "textarea")]),
    ActionForm("set_deadline", [
        _date("notified_on", "告知日期"), Field("due_on", "新的答复期限", "date", required=True),
        Field("reason", "理由", "textarea", required=True)], note="条例第三十五条：申请数量、频次明显超过合理范围的情形。"),
    ActionForm("reply", [
        Field("decision", "答复类型", "select", _DECISION_OPTIONS, required=True),
        *_decision_fields(),
        _date("issued_on", "成文日期"),
        Field("served_on", "送达日期", "date", hint="已送达的填写"),
        Field("service_method", "送达方式", "select", SERVICE_METHODS),
    ]),
    ActionForm("archive", [_date("on", "归档日期")]),
    ActionForm("withdraw", [_date("on", "撤回日期"), Field("reason", "说明", "textarea")]),
    ActionForm("record_review", [
        Field("kind", "类型", "select", (("reconsideration", "行政复议"), ("litigation", "行政诉讼"))),
        _date("filed_on", "提起日期"), Field("body", "复议机关或法院", required=True),
        Field("after_reconsideration", "复议后提起的诉讼", "checkbox")]),
    ActionForm("decide_review", [
        Field("review", "复议/诉讼", "select"),
        Field("outcome", "结果", "select", (("upheld", "维持"), ("corrected", "纠正（撤销、变更、确认违法等）"),
                                            ("other", "其他"))),
        _date("decided_on", "决定日期")]),
)}


# Every action that sends a letter asks for the seal (a wet stamp counts only once confirmed) and lets
# an approver force a letter with missing elements; the workflow decides whether that is allowed.
_SEAL_FIELDS = [Field("seal_confirmed", "已加盖印章（未配置电子印章时，确认纸质文书已盖章）", "checkbox"),
                Field("force", "强制出具（缺少必备要素时；将作为文书瑕疵计入考核）", "checkbox")]
for _name, _form in list(ACTION_FORMS.items()):
    if ACTIONS[_name].letter is not None:
        ACTION_FORMS[_name] = ActionForm(_name, [*_form.fields, *_SEAL_FIELDS], _form.note)


def action_payload(action: str, values: dict[str, Any]) -> dict[str, Any]:
    """The action's JSON body from its posted form: ``lines`` fields become lists, checkboxes booleans."""
    spec = ACTION_FORMS.get(action)
    payload: dict[str, Any] = {"action": action}
    kinds = {f.name: f.kind for f in spec.fields} if spec else {}
    for key, value in values.items():
        if key == "action":
            continue
        kind = kinds.get(key)
        if kind == "lines":
            text = "\n".join(value) if isinstance(value, list) else str(value)
            payload[key] = [line.strip() for line in text.splitlines() if line.strip()]
        elif kind == "checkbox":
            payload[key] = True
        else:
            payload[key] = value
    return payload
