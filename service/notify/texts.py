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
    "draft_to_sign": "文稿待签发",
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


def assigned(*, number: str, due_on: date | None, days_left: int | None, by: str,
             clock: str | None = None) -> tuple[str, str]:
    """A case was assigned to the recipient (分办); ``clock``: the desk's words for the clock, when known."""
    subject = f"【分办】{number} 已分配给您办理"
    words = clock_words(due_on, clock) if clock else f"答复期限{cn_date(due_on)}，{days_phrase(days_left)}"
    text = f"{by} 将依申请公开案件 {number} 分配给您办理。{words}。"
    return subject, text


def event(kind: str, *, number: str, due_on: date | None, days_left: int | None, note: str = "") -> tuple[str, str]:
    """A hand-off that needs the recipient (a draft submitted, returned or signed; a service date missing)."""
    label = KINDS.get(kind, kind)
    subject = f"【{label}】{number}"
    text = f"依申请公开案件 {number}：{label}。答复期限{cn_date(due_on)}，{days_phrase(days_left)}。"
    if note:
        text += f"\n{note}"
    return subject, text


def clock_words(due_on: date | None, clock: str) -> str:
    """答复期限2026年11月9日，剩 3 个工作日 — the case's clock as the desk words it."""
    return f"答复期限{cn_date(due_on)}，{clock}" if due_on else clock


def draft_step(kind: str, *, number: str, what: str, version: int, by: str, due_on: date | None, clock: str,
               comment: str = "") -> tuple[str, str]:
    """A draft moved on and the recipient must act: review it, sign it, or change it."""
    label = KINDS[kind]
    subject = f"【{label}】{number} {what}（第 {version} 稿）"
    lead = {
        "draft_submitted": f"{by} 提交了依申请公开案件 {number} 的{what}文稿（第 {version} 稿），请进行法制审核。",
        "draft_to_sign": f"{by} 送来依申请公开案件 {number} 的{what}文稿（第 {version} 稿），请审阅最终文书后签发。",
        "draft_returned": f"{by} 退回了依申请公开案件 {number} 的{what}文稿（第 {version} 稿），请修改后重新提交。",
    }[kind]
    text = lead + (f"\n意见：{comment}" if comment else "") + f"\n{clock_words(due_on, clock)}。"
    return subject, text


def draft_signed(*, number: str, title: str, letter_number: str, by: str, due_on: date | None,
                 clock: str) -> tuple[str, str]:
    """A draft was signed: its letter is numbered and must now be served (送达) and the date recorded."""
    subject = f"【文稿已签发】{number} 《{title}》{letter_number}"
    text = (f"{by} 已签发依申请公开案件 {number} 的《{title}》（{letter_number}）。请及时送达，并在案件页登记"
            f"送达方式和日期。\n{clock_words(due_on, clock)}。")
    return subject, text


def service_missing(*, number: str, title: str, letter_number: str, issued_on: date, working_days: int,
                    due_on: date | None, clock: str, sent: tuple[str, date] | None = None) -> tuple[str, str]:
    """A letter was issued some working days ago and no service (送达) is recorded for it, or it was sent
    (``sent``: the method's name and the day) and the day the recipient received it is not recorded."""
    subject = f"【送达日期未登记】{number} 《{title}》{letter_number}"
    if sent is None:
        missing = "仍未登记送达。补正、缴费、征求意见等期限自送达起算，请尽快登记送达方式和日期。"
    else:
        missing = (f"已于{cn_date(sent[1])}{sent[0]}，仍未登记送达日期（对方收到之日）。补正、缴费、征求意见等期限"
                   "自送达起算，未登记前按估算日期计算，请核实后登记。")
    text = (f"依申请公开案件 {number} 的《{title}》（{letter_number}）于{cn_date(issued_on)}印发，已过 "
            f"{working_days} 个工作日，{missing}\n{clock_words(due_on, clock)}。")
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
