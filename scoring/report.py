"""Plain-text rendering of results: one screen per unit — total, grade, subtotals and the trail, in
Chinese (default: what a unit's head reads) or English. Each line quotes the document's clause and
names the events by request number."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from scoring.results import TrailEntry, UnitResult
from scoring.wording import fmt

_WORDS = {
    "zh": {"total": "总分", "grade": "等次", "no_total": "不计总分", "target": "目标分值", "grade_cut": "等次扣减",
           "direct": "直接扣减", "unmatched": "本方案不评分的事项", "entry": "考核员录入", "pending":
           "件事项待考核员酌情确定分值（暂计 0 分）", "request": "申请", "adjusted": "调整"},
    "en": {"total": "total", "grade": "grade", "no_total": "no total", "target": "target points", "grade_cut": "grade",
           "direct": "direct", "unmatched": "events this scheme does not score", "entry": "entry", "pending":
           "event(s) await the assessor's amount (0 for now)", "request": "request", "adjusted": "adjusted"},
}


def _signed(value: Decimal | None) -> str:
    if value is None:
        return "  ·"
    return f"{'+' if value > 0 else ''}{fmt(value)}"


def _cause(entry: TrailEntry, lang: str, kinds: Mapping[str, str]) -> str:
    w = _WORDS[lang]
    parts = []
    for ev in entry.events:
        kind = kinds.get(ev.kind, ev.kind) if lang == "zh" else ev.kind
        number = ev.request_ref or ev.details.get("request_number") or ev.details.get("request_no") or ""
        ref = f"{w['request']} {number}" if number else ev.subject
        extra = []
        for key, label in (("letter_no", "文号"), ("missing", "缺少")):
            value = ev.details.get(key)
            if value:
                text = "、".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
                extra.append(f"{label if lang == 'zh' else key} {text}")
        if lang == "en":
            extra = [f"{k}={v}" for k, v in ev.details.items() if k not in ("request_number",)]
        parts.append(f"{ev.on.isoformat()} {kind} {ref}".rstrip() + (f"（{'，'.join(extra)}）" if extra and lang == "zh"
                                                                       else f" [{', '.join(extra)}]" if extra else ""))
    for en in entry.entries:
        parts.append(f"{w['entry']} {en.period} {en.note}".rstrip())
    if len(entry.adjustments) > 1:
        for adj in entry.adjustments[:-1]:
            parts.append(f"{w['adjusted']} {adj.at[:10]} {adj.author}: {fmt(Decimal(str(adj.amount)))} {adj.note}")
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def _line(entry: TrailEntry, indent: str, lang: str, kinds: Mapping[str, str]) -> str:
    cause = _cause(entry, lang, kinds)
    clause = f"〔{entry.clause}〕" if entry.clause and lang == "zh" else (f" [{entry.clause}]" if entry.clause else "")
    text = f"{indent}{_signed(entry.points):>7}  {entry.text(lang)}{clause}"
    if lang == "en":
        text = f"{indent}{_signed(entry.points):>7}  {entry.rule}: {entry.text(lang)}{clause}"
    return text + (f" — {cause}" if cause else "")


def format_result(result: UnitResult, lang: str = "zh", *, kinds: Mapping[str, str] | None = None,
                  name: str = "") -> str:
    """The unit's result as text in ``lang`` (zh or en): headline, categories with items and every trail
    line. ``kinds`` gives the Chinese names of event kinds (a scheme's ``kind_names``)."""
    kinds = kinds or {}
    w = _WORDS["en" if lang == "en" else "zh"]
    lang = "en" if lang == "en" else "zh"
    head = f"{result.unit}{(' ' + name) if name else ''}  {result.period}  {w['total']} {fmt(result.total)}"
    if result.grade:
        head += f"  {w['grade']} {result.grade}" + (f"（{result.grade_wording}）" if result.grade_wording else "")
    lines = [head]
    refusal = result.refusal_en if lang == "en" and result.refusal_en else result.refusal
    if refusal:
        lines.append(f"  {w['no_total']}: {refusal}")
    if result.pending:
        lines.append(f"  {result.pending} {w['pending']}")
    for c in result.consequences:
        lines.append(f"  → {c}")
    if result.target is not None:
        t = result.target
        lines.append(f"  {w['target']} {fmt(t['points'])}: {w['grade_cut']} −{fmt(t['grade_deduction'])}, "
                     f"{w['direct']} {fmt(t['direct_deductions'])} → {fmt(t['remaining'])}")
    for comp in result.components:
        lines.append(f"  [{comp.name}] {fmt(comp.score)} × {fmt(comp.weight)} = {fmt(comp.weighted)}")
        lines.extend(_line(t, "      ", lang, kinds) for t in comp.trail)
    for cat in result.categories:
        lines.append(f"  {cat.label}: {fmt(cat.score)} / {fmt(cat.points)}" + (f"  ({cat.group})" if cat.group else ""))
        lines.extend(_line(t, "      ", lang, kinds) for t in cat.trail)
        for item in cat.items:
            if not item.trail:
                continue
            lines.append(f"    {item.id} {item.name}: {_signed(item.delta)}")
            lines.extend(_line(t, "      ", lang, kinds) for t in item.trail)
    lines.extend(_line(t, "  ", lang, kinds) for t in result.trail)
    if result.unmatched:
        lines.append(f"  {w['unmatched']}: "
                     + ", ".join(f"{kinds.get(k, k) if lang == 'zh' else k} × {n}"
                                 for k, n in sorted(result.unmatched.items())))
    return "\n".join(lines)
