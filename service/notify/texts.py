"""The Chinese wording of every notice: subject and text with the case number, due date, working days
left (or late) and a link. One function per kind of notice; nothing here touches a database."""

from __future__ import annotations

from datetime import date
from functools import partial

from workflow.cn_dates import cn_date as _cn_date

KINDS = {
    "reminder": "到期提醒",
    "overdue": "超期提醒",
    "assigned": "案件分办",
    "draft_submitted": "文稿待审核",
    "draft_returned": "文稿退回修改",
    "draft_signed": "文稿已签发",
    "service_missing": "送达日期未登记",
}

# A notice about a request whose due date is not known yet says so.
cn_date = partial(_cn_date, missing="（待定）")


def days_phrase(days_left: int | None, *, paused: bool = False) -> str:
    """剩余 3 个工作日 / 今日到期 / 已逾期 2 个工作日 / 暂停计时中 — the same words the desk shows."""
    if paused:
        return "暂停计时中"
    if days_left is None:
        return "期限待补正后重新计算"
    if days_left > 0:
        return f"剩余 {days_left} 个工作日"
    if days_left == 0:
        return "今日到期"
    return f"已逾期 {-days_left} 个工作日"


def reminder(*, number: str, due_on: date, days_left: int, threshold: int) -> tuple[str, str]:
    """T-5 / T-3 / T-1: the case is due within ``threshold`` working days."""
    subject = f"【到期提醒】{number} 将于{cn_date(due_on)}到期（{days_phrase(days_left)}）"
    text = (f"依申请公开案件 {number} 的答复期限为{cn_date(due_on)}，{days_phrase(days_left)}"
            f"（{threshold} 个工作日提醒）。请及时办理答复。")
    return subject, text


def overdue(*, number: str, due_on: date, days_late: int) -> tuple[str, str]:
    """The case is past its due date and still unreplied."""
    phrase = days_phrase(-days_late) if days_late else "今日已过答复期限"
    subject = f"【超期】{number} 答复期限{cn_date(due_on)}已过（{phrase}）"
    text = (f"依申请公开案件 {number} 的答复期限为{cn_date(due_on)}，至今未答复，{phrase}。"
            "超期将计入考核，请立即办理。")
    return subject, text


def assigned(*, number: str, due_on: date | None, days_left: int | None, by: str) -> tuple[str, str]:
    """A case was assigned to the recipient (分办)."""
    subject = f"【分办】{number} 已分配给您办理"
    text = (f"{by} 将依申请公开案件 {number} 分配给您办理。答复期限{cn_date(due_on)}，"
            f"{days_phrase(days_left)}。")
    return subject, text


def event(kind: str, *, number: str, due_on: date | None, days_left: int | None, note: str = "") -> tuple[str, str]:
    """A hand-off that needs the recipient (a draft submitted, returned or signed; a service date missing)."""
    label = KINDS.get(kind, kind)
    subject = f"【{label}】{number}"
    text = f"依申请公开案件 {number}：{label}。答复期限{cn_date(due_on)}，{days_phrase(days_left)}。"
    if note:
        text += f"\n{note}"
    return subject, text


def digest(*, person: str, items: list[tuple[str, str]], day: date) -> tuple[str, str]:
    """The daily e-mail digest of one person: one line per notice (subject, link)."""
    subject = f"【依申请公开】{cn_date(day)}待办提醒（{len(items)} 件）"
    lines = [f"{person}，您好：", "", f"以下 {len(items)} 件依申请公开案件需要您处理：", ""]
    for n, (line, link) in enumerate(items, 1):
        lines.append(f"{n}. {line}")
        if link:
            lines.append(f"   {link}")
    lines += ["", "（此邮件由依申请公开办理平台自动发送。可在“通知设置”中更改接收方式。）"]
    return subject, "\n".join(lines)
