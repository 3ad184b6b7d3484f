"""Reply decisions (答复类型) of LAW.md §5: codes, legal bases, annual-report rows, decision-specific fields.

The required-element check of a reply letter (LAW.md §6) also lives here (see the letters issue).
"""

from __future__ import annotations

from collections.abc import Mapping
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


def validate_decision(code: str, fields: Mapping[str, Any]) -> Decision:
    """Check a decision code and its decision-specific fields; raise :class:`InvalidField` naming the field."""
    decision = DECISIONS.get(code)
    if decision is None:
        raise InvalidField("decision", f"unknown decision {code!r}; one of {', '.join(DECISIONS)}")
    for name in decision.required:
        value = fields.get(name)
        if value is None or (isinstance(value, str | list | tuple) and not value):
            raise InvalidField(name, f"required for decision {code}")
    if code == "withhold":
        try:
            reason = int(fields["withhold_reason"])
        except (TypeError, ValueError):
            raise InvalidField("withhold_reason", "must be a number 1–8") from None
        if reason not in WITHHOLD_REASONS:
            raise InvalidField("withhold_reason", "must be a number 1–8")
    return decision
