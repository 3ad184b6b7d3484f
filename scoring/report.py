"""Plain-text rendering of results: one screen per unit — total, grade, subtotals and the trail."""

from __future__ import annotations

from decimal import Decimal

from scoring.results import TrailEntry, UnitResult


def _n(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return text


def _signed(value: Decimal | None) -> str:
    if value is None:
        return "  ·"
    return f"{'+' if value > 0 else ''}{_n(value)}"


def _cause(entry: TrailEntry) -> str:
    parts = []
    for ev in entry.events:
        ref = ev.request_ref or ev.subject
        detail = ", ".join(f"{k}={v}" for k, v in ev.details.items())
        parts.append(f"{ev.on.isoformat()} {ev.kind} {ref}" + (f" [{detail}]" if detail else ""))
    for en in entry.entries:
        parts.append(f"entry {en.period} {en.note}".rstrip())
    return "; ".join(parts)


def _line(entry: TrailEntry, indent: str) -> str:
    cause = _cause(entry)
    return f"{indent}{_signed(entry.points):>7}  {entry.rule}: {entry.reason}" + (f" — {cause}" if cause else "")


def format_result(result: UnitResult) -> str:
    """The unit's result as text: headline, categories with items and every trail line."""
    head = f"{result.unit}  {result.period}  total {_n(result.total)}"
    if result.grade:
        head += f"  grade {result.grade}" + (f"（{result.grade_wording}）" if result.grade_wording else "")
    lines = [head]
    if result.refusal:
        lines.append(f"  no total: {result.refusal}")
    for c in result.consequences:
        lines.append(f"  → {c}")
    if result.target is not None:
        t = result.target
        lines.append(f"  target points {_n(t['points'])}: grade −{_n(t['grade_deduction'])}, "
                     f"direct {_n(t['direct_deductions'])} → {_n(t['remaining'])}")
    for comp in result.components:
        lines.append(f"  [{comp.name}] {_n(comp.score)} × {_n(comp.weight)} = {_n(comp.weighted)}")
        lines.extend(_line(t, "      ") for t in comp.trail)
    for cat in result.categories:
        lines.append(f"  {cat.label}: {_n(cat.score)} / {_n(cat.points)}" + (f"  ({cat.group})" if cat.group else ""))
        lines.extend(_line(t, "      ") for t in cat.trail)
        for item in cat.items:
            if not item.trail:
                continue
            lines.append(f"    {item.id} {item.name}: {_signed(item.delta)}")
            lines.extend(_line(t, "      ") for t in item.trail)
    lines.extend(_line(t, "  ") for t in result.trail)
    if result.unmatched:
        lines.append("  events this scheme does not score: "
                     + ", ".join(f"{k} × {n}" for k, n in sorted(result.unmatched.items())))
    return "\n".join(lines)
